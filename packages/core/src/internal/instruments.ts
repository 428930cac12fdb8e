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

/**
 * One client's instruments, as a class: an idle client should carry one small object here, not a dozen closures.
 *
 * @internal
 */
export class Instruments {
  private counters: ReturnType<typeof Telemetry.unsafeTrafficCounters> | undefined = undefined

  constructor(
    readonly clientId: string,
    readonly latency: LatencyStats.LatencyStats,
    private readonly telemetry: Telemetry.Telemetry | undefined,
    private readonly runtime: Runtime.Runtime<never>
  ) {}

  /** An event with this client's id: through the `Telemetry` service when there is one, else metrics only. */
  emit(
    name: ReadonlyArray<string>,
    measurements: Readonly<Record<string, number>>,
    metadata?: object
  ): Effect.Effect<void> {
    const event = Telemetry.event(name, measurements, { client_id: this.clientId, ...metadata })
    return this.telemetry !== undefined ? this.telemetry.emit(event) : Telemetry.record(event)
  }

  /**
   * `emit`, with the metrics updated now when there is no `Telemetry` service (then the Effect returned is
   * `Effect.void`): for a request's `onExit`, one Effect less per request.
   */
  emitNow(
    name: ReadonlyArray<string>,
    measurements: Readonly<Record<string, number>>,
    metadata?: object
  ): Effect.Effect<void> {
    const event = Telemetry.event(name, measurements, { client_id: this.clientId, ...metadata })
    if (this.telemetry !== undefined) return this.telemetry.emit(event)
    Telemetry.unsafeRecord(event)
    return Effect.void
  }

  clientEvent(event: ClientEvent.ClientEvent): Effect.Effect<void> {
    return fromClientEvent(this, event)
  }

  /**
   * Inbound traffic of one batch, from a socket callback (no fiber at hand): metrics synchronously, a `Telemetry`
   * service's handlers on a new fiber.
   */
  received(count: number, bytes: number): void {
    if (this.telemetry === undefined) return this.traffic.received(count, bytes)
    const event = Telemetry.event(Telemetry.names.messageReceived, { count, bytes }, { client_id: this.clientId })
    Runtime.runFork(this.runtime)(this.telemetry.emit(event))
  }

  /** Counts one frame sent, synchronously; false when a `Telemetry` service must see the event (use `emit`). */
  sentSync(bytes: number): boolean {
    if (this.telemetry !== undefined) return false
    this.traffic.sent(1, bytes)
    return true
  }

  /** the traffic counters, updated without building events (created at first use) */
  private get traffic() {
    return (this.counters ??= Telemetry.unsafeTrafficCounters(this.clientId))
  }
}

/** @internal */
export const make = (
  clientId: string,
  latencyBufferSize: number,
  runtime: Runtime.Runtime<never>
): Effect.Effect<Instruments> =>
  Effect.gen(function*() {
    const telemetry = Option.getOrUndefined(yield* Effect.serviceOption(Telemetry.Telemetry))
    const latency = yield* LatencyStats.makeForClient(latencyBufferSize)
    return new Instruments(clientId, latency, telemetry, runtime)
  })

const fromClientEvent = (instruments: Instruments, event: ClientEvent.ClientEvent): Effect.Effect<void> => {
  const { names } = Telemetry
  const emit = (name: ReadonlyArray<string>, measurements: Readonly<Record<string, number>>, metadata?: object) =>
    instruments.emit(name, measurements, metadata)
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
      return emit(names.subscriptionsRestored, {
        channel_count: event.restored.length,
        rejected_count: event.rejected.length
      }, {
        channels: event.restored,
        rejected: event.rejected.map((r) => r.channel)
      })
    case "RateLimited":
      return emit(names.rateLimited, { queue_size: event.queueSize })
    default:
      return Effect.void
  }
}
