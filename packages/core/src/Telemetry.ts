/**
 * Telemetry (DESIGN §3.7): Effect `Metric`s named after ZenWebsocket's telemetry events, plus push-style events in the
 * manner of Elixir's `:telemetry` for applications that want to react to each one.
 *
 * - **Metrics** are module-level constants in Effect's global metric registry, so any metric exporter sees them.
 *   Counters and gauges updated by a client the user named (`Client.connect`'s `id` option) are tagged `client_id`
 *   with that id; an unnamed client's (a generated id) are not tagged, it counts in the untagged series. Traffic
 *   counters are also tagged `kind` (outbound), disconnects `code`. Read a named client's value with
 *   `Metric.value(metric.pipe(Metric.tagged("client_id", id)))`. Histograms (`connectionUpgrade`, `heartbeatPong`,
 *   `heartbeatInterval`, `requestDuration`) are never tagged: a histogram per client costs about 1.3 KB per client in
 *   the registry (10 000 connections per process is a target) and is a high-cardinality series for an exporter; a
 *   client's own latency percentiles are `Client.getLatencyStats`.
 * - **Series stay flat as clients come and go.** Effect 3's registry never forgets a series, so a series per client
 *   would grow for the life of the process (500 short-lived clients once left 1 981 series). The rule is therefore a
 *   bounded label: the `client_id` tag is only ever an `id` the user chose. A process has the 4 histograms, plus,
 *   once untagged and once per distinct `id`: `message_sent` and `bytes_sent` per frame kind seen (≤ 10),
 *   `message_received` and `bytes_received`, `disconnects` per close code seen, and one series for each other counter
 *   or gauge updated. Unnamed clients add nothing, and a client replaced under the same `id` reuses its series. Give
 *   `id` a bounded set of values (a feed's or account's name), never one per connection (a uuid, a timestamp): each
 *   distinct `id` is 10–20 series kept until the process ends. The rule holds as well for a `Telemetry` service of
 *   the user's own that records a client's events (the events carry their client's rule).
 * - **Events** (`TelemetryEvent`: a name, numeric measurements, metadata) go through the {@link Telemetry} service when
 *   one is provided: `emit` updates the matching metrics, publishes on `events`, and runs the handlers `attach`ed to
 *   that exact name, synchronously and in attach order, like `:telemetry.execute`. Without the service, {@link record}
 *   (or {@link emit}) updates the metrics only.
 *
 * The client reports inbound traffic once per chunk (the data frames one event-loop turn read), never per frame
 * (DESIGN §4): a `message_received` event carries the chunk's frame `count` and `bytes`, the frames no reader sees
 * included (answers to requests, awaited acks, heartbeat answers). Outbound, every frame the client
 * puts on the wire is counted where it is written, whatever sent it, with its {@link FrameKind}: plain sends,
 * requests, subscribe and unsubscribe requests, heartbeat frames (our pings included, with their payload size) and
 * the frames of a restore. Inbound control frames (pings, pongs) and the pongs `ws` sends by itself are not counted
 * as messages. Counting a frame without a `Telemetry` service builds no event and allocates nothing; with one, the
 * events of frames written from synchronous code are published in order by one fiber per burst, and a
 * `sendMessage` returns after its frame's event was published.
 *
 * ## Events and metrics
 *
 * Every event's metadata may carry `client_id` (string or number): for an event emitted by hand it becomes the
 * `client_id` tag of each metric the event updates; a client's events follow the client's rule above (a `client_id`
 * in the metadata always, the tag only when the client was named). A counter event without `count` counts 1.
 * Non-finite measurements are ignored.
 *
 * | event (`names.…`) | measurements | metadata | metric updates |
 * |---|---|---|---|
 * | `messageReceived` `[zen_websocket, client, message_received]` | `count` (data frames of the chunk), `bytes`, `size` (= bytes, the seed's name) | `client_id` | `zen_websocket_client_message_received` += count, `zen_websocket_client_bytes_received` += bytes |
 * | `messageSent` `[zen_websocket, client, message_sent]` | `count` (1: one event per frame), `bytes`, `size` (= bytes) | `client_id`, `kind` ({@link FrameKind}) | `zen_websocket_client_message_sent` += count, `zen_websocket_client_bytes_sent` += bytes, both tagged `kind` |
 * | `upgrade` `[zen_websocket, connection, upgrade]` | `connect_time_ms` | `client_id`, `url` (redacted: query secrets and userinfo masked, `<redacted>` for a `Redacted` URL) | `zen_websocket_connection_upgrade` observes connect_time_ms (untagged) |
 * | `disconnect` `[zen_websocket, connection, disconnect]` | — | `client_id`, `code`, `reason` | `zen_websocket_connection_disconnects` += 1, tagged `client_id` then `code` (`"unknown"` when absent) |
 * | `reconnect` `[zen_websocket, connection, reconnect]` | `attempt`, `delay_ms` | `client_id` | `zen_websocket_connection_reconnect_attempts` += 1 |
 * | `gaveUp` `[zen_websocket, connection, gave_up]` | `attempts` | `client_id` | `zen_websocket_connection_give_ups` += 1 |
 * | `pong` `[zen_websocket, heartbeat, pong]` | `rtt_ms` | `client_id`, `type` (`ping`, `custom` with `isResponse`, `deribit`: the heartbeats that time a round trip) | `zen_websocket_heartbeat_pong` observes rtt_ms (untagged) |
 * | `heartbeatInterval` `[zen_websocket, heartbeat, interval]` | `interval_ms` (between two beats of the server) | `client_id`, `type` (`pong`, `deribit`) | `zen_websocket_heartbeat_interval` observes interval_ms (untagged) |
 * | `heartbeatMissed` `[zen_websocket, heartbeat, missed]` | `missed` (consecutive) | `client_id`, `type` | `zen_websocket_heartbeat_missed` += 1 |
 * | `pressure` `[zen_websocket, rate_limiter, pressure]` | `level` (0 low … 3 critical, see {@link pressureLevels}), `queue_size` | none from the limiter (it may serve many clients); `client_id` when an emitter sets it | gauges `zen_websocket_rate_limiter_pressure` = level, `zen_websocket_rate_limiter_queue_size` = queue_size |
 * | `rateLimited` `[zen_websocket, rate_limiter, rejected]` | `queue_size` | `client_id` | `zen_websocket_rate_limiter_rejections` += 1 |
 * | `request` `[zen_websocket, request, complete]` | `duration_ms` | `client_id`, `id`, `method`, `outcome` (`"ok"`, `"error"`, `"disconnected"`) | `zen_websocket_request_total` += 1, `zen_websocket_request_duration` observes duration_ms (untagged) |
 * | `requestTimeout` `[zen_websocket, request, timeout]` | `timeout_ms` | `client_id`, `id`, `method` | `zen_websocket_request_total` += 1, `zen_websocket_request_timeouts` += 1 |
 * | `subscriptionsRestored` `[zen_websocket, subscription_manager, restore]` | `channel_count` | `client_id`, `channels` | — (event only) |
 *
 * `zen_websocket_request_total` counts each request once, when it ends (answered, failed or timed out). Any other
 * event name is published and dispatched to its handlers but updates no metric.
 *
 * ## Exporting
 *
 * The metrics live in Effect's global registry; `@effect/opentelemetry` (not a dependency of this package) exports them
 * together with the client's spans (see the example below).
 *
 * The event model and the service live in `internal/telemetry.ts`; the metrics are defined from one table
 * (`internal/metricTable.ts`). This page is over 400 lines because it is the telemetry reference: the event table
 * and every exported metric with its documentation.
 *
 * @example
 * ```ts
 * import { NodeSdk } from "@effect/opentelemetry"
 * import { PrometheusExporter } from "@opentelemetry/exporter-prometheus"
 * import * as Effect from "effect/Effect"
 *
 * const Observability = NodeSdk.layer(() => ({
 *   resource: { serviceName: "trading-bot" },
 *   metricReader: new PrometheusExporter({ port: 9464 }) // zen_websocket_* on http://localhost:9464/metrics
 * }))
 *
 * export const observed = (program: Effect.Effect<void>) => program.pipe(Effect.provide(Observability))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { metrics } from "./internal/metricTable.js"
import * as internal from "./internal/telemetry.js"

// -----------------------------------------------------------------------------
// events
// -----------------------------------------------------------------------------

/**
 * One telemetry event, as in Elixir's `:telemetry.execute(name, measurements, metadata)`.
 *
 * @since 0.1.0
 * @category models
 */
export type TelemetryEvent = internal.TelemetryEvent

/**
 * The names of the events the client emits (see the table in the module documentation for their keys).
 *
 * @since 0.1.0
 * @category constants
 */
export const names: typeof internal.names = internal.names

/**
 * What an outbound frame was, the `kind` of a `messageSent` event and the `kind` tag of `messageSent` / `bytesSent`:
 * `message` (`sendMessage`, the offline queue's frames), `request` (`request`), `subscribe` (a dialect's subscribe
 * and unsubscribe requests), `heartbeat` (pings, heartbeat requests and answers to the server's test requests),
 * `restore` (whatever a connection sends while it restores: restore hooks' frames, the re-subscribe batches).
 *
 * @since 0.1.0
 * @category models
 */
export type FrameKind = internal.FrameKind

/**
 * Every {@link FrameKind}, in a fixed order.
 *
 * @since 0.1.0
 * @category constants
 */
export const frameKinds: ReadonlyArray<FrameKind> = internal.frameKinds

/**
 * The numeric `level` of a `pressure` event for each rate-limiter pressure level.
 *
 * @since 0.1.0
 * @category constants
 */
export const pressureLevels = { low: 0, medium: 1, high: 2, critical: 3 } as const

/**
 * Builds an event (metadata defaults to `{}`).
 *
 * @example
 * ```ts
 * import * as Telemetry from "@zen-websocket/core/Telemetry"
 *
 * const event = Telemetry.event(Telemetry.names.upgrade, { connect_time_ms: 42 }, { client_id: "feed" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const event: (
  name: ReadonlyArray<string>,
  measurements: Readonly<Record<string, number>>,
  metadata?: Readonly<Record<string, unknown>>
) => TelemetryEvent = internal.event

// -----------------------------------------------------------------------------
// metrics (defined from the table in internal/metricTable.ts)
// -----------------------------------------------------------------------------

/**
 * Inbound frames (`message_received` `count`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const messageReceived: Metric.Metric.Counter<number> = metrics.messageReceived

/**
 * Inbound payload bytes (`message_received` `bytes`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const bytesReceived: Metric.Metric.Counter<number> = metrics.bytesReceived

/**
 * Outbound frames (`message_sent` `count`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const messageSent: Metric.Metric.Counter<number> = metrics.messageSent

/**
 * Outbound payload bytes (`message_sent` `bytes`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const bytesSent: Metric.Metric.Counter<number> = metrics.bytesSent

/**
 * Connect time in ms, from the attempt's start to the completed upgrade (`upgrade` `connect_time_ms`). Buckets
 * 1, 2, 4 … 16384 ms.
 *
 * @since 0.1.0
 * @category metrics
 */
export const connectionUpgrade: Metric.Metric.Histogram<number> = metrics.connectionUpgrade

/**
 * Connections lost or closed (`disconnect`), tagged `client_id` then `code` (the close code, `1006` when no close
 * frame arrived).
 *
 * @since 0.1.0
 * @category metrics
 */
export const connectionDisconnects: Metric.Metric.Counter<number> = metrics.connectionDisconnects

/**
 * Reconnect attempts scheduled (`reconnect`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const connectionReconnectAttempts: Metric.Metric.Counter<number> = metrics.connectionReconnectAttempts

/**
 * Times a client stopped retrying (`gaveUp`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const connectionGiveUps: Metric.Metric.Counter<number> = metrics.connectionGiveUps

/**
 * Heartbeat round trips in ms (`pong` `rtt_ms`). Buckets 0.5, 1, 2 … 8192 ms.
 *
 * @since 0.1.0
 * @category metrics
 */
export const heartbeatPong: Metric.Metric.Histogram<number> = metrics.heartbeatPong

/**
 * Time between two heartbeats of the server in ms (`heartbeatInterval` `interval_ms`): the `pong` strategy (the
 * server's pings) and `deribit` (its `heartbeat` notifications). Buckets 1, 2, 4 … 131072 ms.
 *
 * @since 0.1.0
 * @category metrics
 */
export const heartbeatInterval: Metric.Metric.Histogram<number> = metrics.heartbeatInterval

/**
 * Missed heartbeats (`heartbeatMissed`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const heartbeatMissed: Metric.Metric.Counter<number> = metrics.heartbeatMissed

/**
 * The rate limiter's pressure level, 0 (low) … 3 (critical) (`pressure` `level`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const rateLimiterPressure: Metric.Metric.Gauge<number> = metrics.rateLimiterPressure

/**
 * Sends waiting for rate-limit tokens (`pressure` `queue_size`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const rateLimiterQueueSize: Metric.Metric.Gauge<number> = metrics.rateLimiterQueueSize

/**
 * Sends refused because the rate limiter's queue was full (`rateLimited`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const rateLimiterRejections: Metric.Metric.Counter<number> = metrics.rateLimiterRejections

/**
 * Requests that ended: answered, failed or timed out (`request` and `requestTimeout`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestTotal: Metric.Metric.Counter<number> = metrics.requestTotal

/**
 * Requests that timed out (`requestTimeout`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestTimeouts: Metric.Metric.Counter<number> = metrics.requestTimeouts

/**
 * Request round trips in ms, from the send to the response (`request` `duration_ms`). Buckets 1, 2, 4 … 65536 ms.
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestDuration: Metric.Metric.Histogram<number> = metrics.requestDuration

// -----------------------------------------------------------------------------
// recording
// -----------------------------------------------------------------------------

/**
 * Updates the metrics matching `event` synchronously, without an Effect: for code that runs in a socket listener.
 * Unknown event names update nothing.
 *
 * @example
 * ```ts
 * import * as Telemetry from "@zen-websocket/core/Telemetry"
 *
 * Telemetry.unsafeRecord(Telemetry.event(Telemetry.names.messageReceived, { count: 3, bytes: 120 }, { client_id: "feed" }))
 * ```
 *
 * @since 0.1.0
 * @category recording
 */
export const unsafeRecord: (event: TelemetryEvent) => void = internal.unsafeRecord

/**
 * Updates the metrics matching `event`, without a {@link Telemetry} service in context (no event is published).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Telemetry from "@zen-websocket/core/Telemetry"
 *
 * const program = Telemetry.record(Telemetry.event(Telemetry.names.reconnect, { attempt: 1, delay_ms: 1000 }))
 * ```
 *
 * @since 0.1.0
 * @category recording
 */
export const record = (event: TelemetryEvent): Effect.Effect<void> => Effect.sync(() => unsafeRecord(event))

// -----------------------------------------------------------------------------
// service
// -----------------------------------------------------------------------------

/**
 * A handler for {@link attach}: it may return an Effect, which is run before `emit` returns.
 *
 * @since 0.1.0
 * @category models
 */
export type Handler = internal.Handler

/**
 * The push-style telemetry service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Telemetry {
  /**
   * Updates the matching metrics, publishes the event on `events`, then runs the handlers attached to its exact name
   * in attach order. A handler that throws, fails or dies is logged (warning) and stays attached; the others still run
   * and `emit` succeeds. Keep handlers fast (fork slow work): they run on the emitter's fiber, like `:telemetry`.
   */
  readonly emit: (event: TelemetryEvent) => Effect.Effect<void>
  /**
   * Every event emitted while the stream runs, in order. Each subscriber has a sliding buffer of `capacity` events:
   * a subscriber that falls that far behind loses the oldest ones; the emitter never waits.
   */
  readonly events: Stream.Stream<TelemetryEvent>
  /** like `events`, but subscribed as soon as this Effect runs (no event emitted after it is missed) */
  readonly subscribe: Effect.Effect<Queue.Dequeue<TelemetryEvent>, never, Scope.Scope>
  /** like `:telemetry.attach`: runs `handler` for every event named exactly `eventName` until the scope closes */
  readonly attach: (eventName: ReadonlyArray<string>, handler: Handler) => Effect.Effect<void, never, Scope.Scope>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const Telemetry: Context.Tag<Telemetry, Telemetry> = Context.GenericTag<Telemetry>(
  "@zen-websocket/core/Telemetry"
)

/**
 * The default capacity of each `events` subscriber's buffer.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultCapacity = 4096

/**
 * Builds a telemetry service. `capacity` (default 4096) bounds each `events` subscriber's buffer.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Telemetry from "@zen-websocket/core/Telemetry"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const telemetry = yield* Telemetry.make({ capacity: 1024 })
 *   const queue = yield* telemetry.subscribe
 *   yield* telemetry.emit(Telemetry.event(Telemetry.names.gaveUp, { attempts: 3 }))
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly capacity?: number | undefined } = {}): Effect.Effect<Telemetry> =>
  internal.make(options.capacity ?? defaultCapacity)

/**
 * Provides a {@link Telemetry} service with the default capacity.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Telemetry from "@zen-websocket/core/Telemetry"
 *
 * const program = Effect.scoped(
 *   Telemetry.attach(Telemetry.names.gaveUp, (event) => Effect.logWarning("gave up", event.measurements))
 * ).pipe(Effect.provide(Telemetry.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Telemetry> = Layer.effect(Telemetry, make())

/**
 * The events of the {@link Telemetry} service in context.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Telemetry from "@zen-websocket/core/Telemetry"
 * import * as Stream from "effect/Stream"
 *
 * const program = Telemetry.events.pipe(
 *   Stream.take(10),
 *   Stream.runForEach((event) => Effect.log(event.name.join("."))),
 *   Effect.provide(Telemetry.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const events: Stream.Stream<TelemetryEvent, never, Telemetry> = Stream.unwrap(
  Effect.map(Telemetry, (telemetry) => telemetry.events)
)

/**
 * Attaches `handler` to the events named exactly `eventName` of the {@link Telemetry} service in context, until the
 * scope closes.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Telemetry from "@zen-websocket/core/Telemetry"
 *
 * const logSizes = Telemetry.attach(Telemetry.names.messageReceived, (event) =>
 *   Effect.logInfo(`${event.measurements.count} frames, ${event.measurements.bytes} bytes`))
 *
 * const program = Effect.log("… connect clients here …")
 * const runnable = Effect.scoped(Effect.zipRight(logSizes, program)).pipe(Effect.provide(Telemetry.layer))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const attach = (
  eventName: ReadonlyArray<string>,
  handler: Handler
): Effect.Effect<void, never, Telemetry | Scope.Scope> =>
  Effect.flatMap(Telemetry, (telemetry) => telemetry.attach(eventName, handler))

/**
 * Emits through the {@link Telemetry} service when one is in context (metrics, `events`, handlers), otherwise
 * only updates the metrics, like {@link record}.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Telemetry from "@zen-websocket/core/Telemetry"
 *
 * // through the Telemetry service when one is provided, else the metrics only
 * const program = Telemetry.emit(Telemetry.event(Telemetry.names.pong, { rtt_ms: 3.2 }, { client_id: "feed" }))
 * ```
 *
 * @since 0.1.0
 * @category recording
 */
export const emit = (event: TelemetryEvent): Effect.Effect<void> =>
  Effect.flatMap(
    Effect.serviceOption(Telemetry),
    (telemetry) => Option.isSome(telemetry) ? telemetry.value.emit(event) : record(event)
  )
