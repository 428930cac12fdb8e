/**
 * What a client reports: telemetry events and metrics (through the `Telemetry` service when one was in context at
 * `connect`, else metrics only) and latency samples (its own ring, plus the shared `LatencyStats` when provided).
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type * as ClientEvent from "../ClientEvent.js"
import * as LatencyStats from "../LatencyStats.js"
import * as Telemetry from "../Telemetry.js"

/** @internal */
export interface Instruments {
  readonly latency: LatencyStats.LatencyStats
  readonly emit: (
    name: ReadonlyArray<string>,
    measurements: Readonly<Record<string, number>>,
    metadata?: object
  ) => Effect.Effect<void>
  /** `emit` from a socket callback (no fiber at hand): metrics synchronously, a service's handlers on a new fiber */
  readonly report: (name: ReadonlyArray<string>, measurements: Readonly<Record<string, number>>) => void
  readonly clientEvent: (event: ClientEvent.ClientEvent) => Effect.Effect<void>
}

/** @internal */
export const make = (
  clientId: string,
  latencyBufferSize: number,
  runtime: Runtime.Runtime<never>
): Effect.Effect<Instruments> =>
  Effect.gen(function*() {
    const telemetry = yield* Effect.serviceOption(Telemetry.Telemetry)
    const latency = yield* LatencyStats.makeForClient(latencyBufferSize)
    const emit = (name: ReadonlyArray<string>, measurements: Readonly<Record<string, number>>, metadata?: object) => {
      const event = Telemetry.event(name, measurements, { client_id: clientId, ...metadata })
      return Option.isSome(telemetry) ? telemetry.value.emit(event) : Telemetry.record(event)
    }
    const report = (name: ReadonlyArray<string>, measurements: Readonly<Record<string, number>>) => {
      const event = Telemetry.event(name, measurements, { client_id: clientId })
      if (Option.isSome(telemetry)) Runtime.runFork(runtime)(telemetry.value.emit(event))
      else Telemetry.unsafeRecord(event)
    }
    return { latency, emit, report, clientEvent: (event) => fromClientEvent(emit, event) }
  })

const fromClientEvent = (emit: Instruments["emit"], event: ClientEvent.ClientEvent): Effect.Effect<void> => {
  const { names } = Telemetry
  switch (event._tag) {
    case "Connected":
      return emit(names.upgrade, { connect_time_ms: event.connectTimeMs })
    case "Disconnected":
      return emit(names.disconnect, {}, { code: event.code, reason: event.reason })
    case "Reconnecting":
      return emit(names.reconnect, { attempt: event.attempt, delay_ms: event.delayMs })
    case "GaveUp":
      return emit(names.gaveUp, { attempts: event.attempts })
    case "HeartbeatMissed":
      return emit(names.heartbeatMissed, { missed: event.missed })
    case "SubscriptionsRestored":
      return emit(names.subscriptionsRestored, { channel_count: event.channels.length }, {
        channels: event.channels
      })
    case "RateLimited":
      return emit(names.rateLimited, { queue_size: event.queueSize })
    default:
      return Effect.void
  }
}
