/**
 * What a client reports: telemetry events and metrics (through the `Telemetry` service when one was in context at
 * `connect`, else metrics only) and latency samples (its own ring, plus the shared `LatencyStats` when provided).
 *
 * Metrics are updated synchronously, always, with the client's label policy: the `client_id` tag only for a client
 * the user named (`options.id`), so short-lived clients with generated ids add no series (see `Telemetry`'s header).
 * Frames counted from synchronous code (the socket listeners, `transmit`) build no event unless a `Telemetry`
 * service must see one; those events wait in a small outbox that one fiber per burst publishes, in order (never a
 * fiber per frame, DESIGN §4).
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type * as ClientEvent from "../ClientEvent.js"
import * as LatencyStats from "../LatencyStats.js"
import * as Telemetry from "../Telemetry.js"
import * as internal from "./telemetry.js"

/**
 * One client's instruments, as a class: an idle client should carry one small object here, not a dozen closures.
 *
 * @internal
 */
export class Instruments {
  private counters: internal.TrafficCounters | undefined = undefined
  /** events of synchronous code waiting for the service (only with a `Telemetry` service) */
  private outbox: Array<internal.TelemetryEvent> = []
  private flushing = false
  private readonly publish: ((event: internal.TelemetryEvent) => Effect.Effect<void>) | undefined
  /** the service's `publish` records the metrics itself (a service not made by `Telemetry.make`) */
  private readonly serviceRecords: boolean

  constructor(
    readonly clientId: string,
    /** the `client_id` tag of this client's metrics: its id when the user named it, else none */
    readonly labelId: string | undefined,
    readonly latency: LatencyStats.LatencyStats,
    telemetry: Telemetry.Telemetry | undefined,
    private readonly runtime: Runtime.Runtime<never>
  ) {
    const publisher = telemetry === undefined ? undefined : internal.publisherOf(telemetry)
    this.publish = publisher?.publish
    this.serviceRecords = publisher?.records ?? false
  }

  /** An event with this client's id: metrics now, then the `Telemetry` service when there is one. */
  emit(
    name: ReadonlyArray<string>,
    measurements: Readonly<Record<string, number>>,
    metadata?: object
  ): Effect.Effect<void> {
    return Effect.suspend(() => this.emitNow(name, measurements, metadata))
  }

  /**
   * `emit`, with the metrics updated now (the Effect returned is `Effect.void` when there is no `Telemetry`
   * service): for a request's `onExit`, one Effect less per request.
   */
  emitNow(
    name: ReadonlyArray<string>,
    measurements: Readonly<Record<string, number>>,
    metadata?: object
  ): Effect.Effect<void> {
    const event = internal.clientEvent(name, measurements, { client_id: this.clientId, ...metadata }, this.labelId)
    if (!this.serviceRecords) internal.unsafeRecordAs(event, this.labelId)
    if (this.publish === undefined) return Effect.void
    // the frames counted before this event are published before it
    const waiting = this.drain()
    return waiting === Effect.void ? this.publish(event) : Effect.zipRight(waiting, this.publish(event))
  }

  /** `url`: the redacted URL of the connection (the `upgrade` event's) */
  clientEvent(event: ClientEvent.ClientEvent, url: string | undefined): Effect.Effect<void> {
    return fromClientEvent(this, event, url)
  }

  /** Inbound traffic of one batch, from a socket callback (no fiber at hand). */
  received(count: number, bytes: number): void {
    if (!this.serviceRecords) this.traffic.received(count, bytes)
    if (this.publish === undefined) return
    this.later(internal.clientEvent(Telemetry.names.messageReceived, { count, bytes, size: bytes }, {
      client_id: this.clientId
    }, this.labelId))
  }

  /** One frame that went out, from synchronous code: counted at once, no allocation without a `Telemetry` service. */
  sent(kind: internal.FrameKind, bytes: number): void {
    if (!this.serviceRecords) this.traffic.sent(kind, bytes)
    if (this.publish === undefined) return
    this.later(internal.clientEvent(Telemetry.names.messageSent, { count: 1, bytes, size: bytes }, {
      client_id: this.clientId,
      kind
    }, this.labelId))
  }

  /**
   * Publishes the waiting events now, on the caller's fiber (a `sendMessage` returns after its event was published).
   * `Effect.void` when nothing waits.
   */
  get flush(): Effect.Effect<void> {
    if (this.outbox.length === 0) return Effect.void
    return Effect.suspend(() => this.drain())
  }

  private later(event: internal.TelemetryEvent): void {
    this.outbox.push(event)
    if (this.flushing) return
    this.flushing = true
    Runtime.runFork(this.runtime)(Effect.suspend(() => {
      this.flushing = false
      return this.drain()
    }))
  }

  private drain(): Effect.Effect<void> {
    const publish = this.publish
    const events = this.outbox
    if (publish === undefined || events.length === 0) return Effect.void
    this.outbox = []
    return events.length === 1 ? publish(events[0]!) : Effect.forEach(events, publish, { discard: true })
  }

  /** the traffic counters, updated without building events (created at first use) */
  private get traffic(): internal.TrafficCounters {
    return (this.counters ??= new internal.TrafficCounters(this.labelId))
  }
}

/** @internal */
export const make = (
  clientId: string,
  named: boolean,
  latencyBufferSize: number,
  runtime: Runtime.Runtime<never>
): Effect.Effect<Instruments> =>
  Effect.gen(function*() {
    const telemetry = Option.getOrUndefined(yield* Effect.serviceOption(Telemetry.Telemetry))
    const latency = yield* LatencyStats.makeForClient(latencyBufferSize)
    return new Instruments(clientId, named ? clientId : undefined, latency, telemetry, runtime)
  })

const fromClientEvent = (
  instruments: Instruments,
  event: ClientEvent.ClientEvent,
  url: string | undefined
): Effect.Effect<void> => {
  const { names } = Telemetry
  const emit = (name: ReadonlyArray<string>, measurements: Readonly<Record<string, number>>, metadata?: object) =>
    instruments.emit(name, measurements, metadata)
  switch (event._tag) {
    case "Connected":
      return emit(names.upgrade, { connect_time_ms: event.connectTimeMs }, { url })
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
