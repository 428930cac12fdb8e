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
  /**
   * Inbound traffic of one batch, from a socket callback (no fiber at hand): metrics synchronously, a `Telemetry`
   * service's handlers on a new fiber.
   */
  readonly received: (count: number, bytes: number) => void
  /** one frame sent, counted synchronously; `undefined` when a `Telemetry` service must see the event (`emit`) */
  readonly sentSync: ((bytes: number) => void) | undefined
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
    const clientEvent = (event: ClientEvent.ClientEvent) => fromClientEvent(emit, event)
    if (Option.isSome(telemetry)) {
      const service = telemetry.value
      const received = (count: number, bytes: number) => {
        const event = Telemetry.event(Telemetry.names.messageReceived, { count, bytes }, { client_id: clientId })
        Runtime.runFork(runtime)(service.emit(event))
      }
      return { latency, emit, received, sentSync: undefined, clientEvent }
    }
    // no service: the traffic counters are updated directly, with no event built per frame
    const counters = Telemetry.unsafeTrafficCounters(clientId)
    const sentSync = (bytes: number) => counters.sent(1, bytes)
    return { latency, emit, received: counters.received, sentSync, clientEvent }
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
