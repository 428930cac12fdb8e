/**
 * Telemetry (DESIGN §3.7): Effect `Metric`s named after ZenWebsocket's telemetry events, plus push-style events in the
 * manner of Elixir's `:telemetry` for applications that want to react to each one.
 *
 * - **Metrics** are module-level constants in Effect's global metric registry, so any metric exporter sees them. Each
 *   counter and gauge update is tagged `client_id` (from the event's `client_id` metadata, when present); disconnects
 *   are also tagged `code`. Read one client's value with `Metric.value(metric.pipe(Metric.tagged("client_id", id)))`.
 *   Histograms (`connectionUpgrade`, `heartbeatPong`, `requestDuration`) are not tagged: a histogram per client costs
 *   about 1.3 KB per client in the registry (10 000 connections per process is a target) and is a high-cardinality
 *   series for an exporter; a client's own latency percentiles are `Client.getLatencyStats`.
 * - **Events** (`TelemetryEvent`: a name, numeric measurements, metadata) go through the {@link Telemetry} service when
 *   one is provided: `emit` updates the matching metrics, publishes on `events`, and runs the handlers `attach`ed to
 *   that exact name, synchronously and in attach order, like `:telemetry.execute`. Without the service, {@link record}
 *   (or {@link emit}) updates the metrics only.
 *
 * The client reports inbound traffic once per chunk (the frames one socket tick delivered), never per frame (DESIGN
 * §4): a `message_received` event carries the chunk's frame `count` and `bytes`.
 *
 * ## Events and metrics
 *
 * Every event's metadata may carry `client_id` (string or number): it becomes the `client_id` tag of each metric the
 * event updates. A counter event without `count` counts 1. Non-finite measurements are ignored.
 *
 * | event (`names.…`) | measurements | metadata | metric updates |
 * |---|---|---|---|
 * | `messageReceived` `[zen_websocket, client, message_received]` | `count` (frames), `bytes` | `client_id` | `zen_websocket_client_message_received` += count, `zen_websocket_client_bytes_received` += bytes |
 * | `messageSent` `[zen_websocket, client, message_sent]` | `count` (frames), `bytes` | `client_id` | `zen_websocket_client_message_sent` += count, `zen_websocket_client_bytes_sent` += bytes |
 * | `upgrade` `[zen_websocket, connection, upgrade]` | `connect_time_ms` | `client_id`, `url` | `zen_websocket_connection_upgrade` observes connect_time_ms (untagged) |
 * | `disconnect` `[zen_websocket, connection, disconnect]` | — | `client_id`, `code`, `reason` | `zen_websocket_connection_disconnects` += 1, tagged `client_id` then `code` (`"unknown"` when absent) |
 * | `reconnect` `[zen_websocket, connection, reconnect]` | `attempt`, `delay_ms` | `client_id` | `zen_websocket_connection_reconnect_attempts` += 1 |
 * | `gaveUp` `[zen_websocket, connection, gave_up]` | `attempts` | `client_id` | `zen_websocket_connection_give_ups` += 1 |
 * | `pong` `[zen_websocket, heartbeat, pong]` | `rtt_ms` | `client_id`, `type` | `zen_websocket_heartbeat_pong` observes rtt_ms (untagged) |
 * | `heartbeatMissed` `[zen_websocket, heartbeat, missed]` | `missed` (consecutive) | `client_id`, `type` | `zen_websocket_heartbeat_missed` += 1 |
 * | `pressure` `[zen_websocket, rate_limiter, pressure]` | `level` (0 low … 3 critical, see {@link pressureLevels}), `queue_size` | `client_id` | gauges `zen_websocket_rate_limiter_pressure` = level, `zen_websocket_rate_limiter_queue_size` = queue_size |
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
 * together with the client's spans:
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
 * program.pipe(Effect.provide(Observability))
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

// -----------------------------------------------------------------------------
// events
// -----------------------------------------------------------------------------

/**
 * One telemetry event, as in Elixir's `:telemetry.execute(name, measurements, metadata)`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TelemetryEvent {
  /** e.g. `["zen_websocket", "connection", "upgrade"]`, see {@link names} */
  readonly name: ReadonlyArray<string>
  /** numeric measurements, e.g. `{ connect_time_ms: 42 }` */
  readonly measurements: Readonly<Record<string, number>>
  /** context, e.g. `{ client_id: "deribit-1", url: "wss://…" }`; `client_id` becomes the metrics' tag */
  readonly metadata: Readonly<Record<string, unknown>>
}

/**
 * The names of the events the client emits (see the table in the module documentation for their keys).
 *
 * @since 0.1.0
 * @category constants
 */
export const names = {
  messageReceived: ["zen_websocket", "client", "message_received"],
  messageSent: ["zen_websocket", "client", "message_sent"],
  upgrade: ["zen_websocket", "connection", "upgrade"],
  disconnect: ["zen_websocket", "connection", "disconnect"],
  reconnect: ["zen_websocket", "connection", "reconnect"],
  gaveUp: ["zen_websocket", "connection", "gave_up"],
  pong: ["zen_websocket", "heartbeat", "pong"],
  heartbeatMissed: ["zen_websocket", "heartbeat", "missed"],
  pressure: ["zen_websocket", "rate_limiter", "pressure"],
  rateLimited: ["zen_websocket", "rate_limiter", "rejected"],
  request: ["zen_websocket", "request", "complete"],
  requestTimeout: ["zen_websocket", "request", "timeout"],
  subscriptionsRestored: ["zen_websocket", "subscription_manager", "restore"]
} as const satisfies Record<string, ReadonlyArray<string>>

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
 * @since 0.1.0
 * @category constructors
 */
export const event = (
  name: ReadonlyArray<string>,
  measurements: Readonly<Record<string, number>>,
  metadata: Readonly<Record<string, unknown>> = {}
): TelemetryEvent => ({ name, measurements, metadata })

// -----------------------------------------------------------------------------
// metrics
// -----------------------------------------------------------------------------

/**
 * Inbound frames (`message_received` `count`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const messageReceived: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_client_message_received",
  { description: "WebSocket frames received", incremental: true }
)

/**
 * Inbound payload bytes (`message_received` `bytes`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const bytesReceived: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_client_bytes_received",
  { description: "WebSocket payload bytes received", incremental: true }
)

/**
 * Outbound frames (`message_sent` `count`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const messageSent: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_client_message_sent",
  { description: "WebSocket frames sent", incremental: true }
)

/**
 * Outbound payload bytes (`message_sent` `bytes`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const bytesSent: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_client_bytes_sent",
  { description: "WebSocket payload bytes sent", incremental: true }
)

/**
 * Connect time in ms, from the attempt's start to the completed upgrade (`upgrade` `connect_time_ms`). Buckets
 * 1, 2, 4 … 16384 ms.
 *
 * @since 0.1.0
 * @category metrics
 */
export const connectionUpgrade: Metric.Metric.Histogram<number> = Metric.histogram(
  "zen_websocket_connection_upgrade",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 16 }),
  "WebSocket connect time (ms), attempt start to completed upgrade"
)

/**
 * Connections lost or closed (`disconnect`), tagged `client_id` then `code` (the close code, `1006` when no close
 * frame arrived).
 *
 * @since 0.1.0
 * @category metrics
 */
export const connectionDisconnects: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_connection_disconnects",
  { description: "WebSocket connections ended, by close code", incremental: true }
)

/**
 * Reconnect attempts scheduled (`reconnect`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const connectionReconnectAttempts: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_connection_reconnect_attempts",
  { description: "WebSocket reconnect attempts scheduled", incremental: true }
)

/**
 * Times a client stopped retrying (`gaveUp`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const connectionGiveUps: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_connection_give_ups",
  { description: "WebSocket clients that ran out of reconnect attempts", incremental: true }
)

/**
 * Heartbeat round trips in ms (`pong` `rtt_ms`). Buckets 0.5, 1, 2 … 8192 ms.
 *
 * @since 0.1.0
 * @category metrics
 */
export const heartbeatPong: Metric.Metric.Histogram<number> = Metric.histogram(
  "zen_websocket_heartbeat_pong",
  MetricBoundaries.exponential({ start: 0.5, factor: 2, count: 16 }),
  "WebSocket heartbeat round trip (ms)"
)

/**
 * Missed heartbeats (`heartbeatMissed`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const heartbeatMissed: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_heartbeat_missed",
  { description: "WebSocket heartbeats without an answer in time", incremental: true }
)

/**
 * The rate limiter's pressure level, 0 (low) … 3 (critical) (`pressure` `level`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const rateLimiterPressure: Metric.Metric.Gauge<number> = Metric.gauge(
  "zen_websocket_rate_limiter_pressure",
  { description: "Rate limiter pressure level: 0 low, 1 medium, 2 high, 3 critical" }
)

/**
 * Sends waiting for rate-limit tokens (`pressure` `queue_size`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const rateLimiterQueueSize: Metric.Metric.Gauge<number> = Metric.gauge(
  "zen_websocket_rate_limiter_queue_size",
  { description: "Sends waiting for rate limiter tokens" }
)

/**
 * Sends refused because the rate limiter's queue was full (`rateLimited`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const rateLimiterRejections: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_rate_limiter_rejections",
  { description: "Sends refused by the rate limiter (queue full)", incremental: true }
)

/**
 * Requests that ended: answered, failed or timed out (`request` and `requestTimeout`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestTotal: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_request_total",
  { description: "Correlated requests that ended (answered, failed or timed out)", incremental: true }
)

/**
 * Requests that timed out (`requestTimeout`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestTimeouts: Metric.Metric.Counter<number> = Metric.counter(
  "zen_websocket_request_timeouts",
  { description: "Correlated requests that timed out", incremental: true }
)

/**
 * Request round trips in ms, from the send to the response (`request` `duration_ms`). Buckets 1, 2, 4 … 65536 ms.
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestDuration: Metric.Metric.Histogram<number> = Metric.histogram(
  "zen_websocket_request_duration",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 18 }),
  "Correlated request round trip (ms)"
)

// -----------------------------------------------------------------------------
// recording
// -----------------------------------------------------------------------------

/**
 * Updates the metrics matching `event` synchronously, without an Effect: for code that runs in a socket listener.
 * Unknown event names update nothing.
 *
 * @since 0.1.0
 * @category recording
 */
export const unsafeRecord = (event: TelemetryEvent): void => {
  const recorder = recorderOf(event.name)
  if (recorder !== undefined) recorder(event.measurements, event.metadata)
}

/**
 * Updates the metrics matching `event`, without a {@link Telemetry} service in context (no event is published).
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
export type Handler = (event: TelemetryEvent) => Effect.Effect<void> | void

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
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly capacity?: number | undefined } = {}): Effect.Effect<Telemetry> =>
  Effect.map(PubSub.sliding<TelemetryEvent>(options.capacity ?? defaultCapacity), (pubsub): Telemetry => {
    // copy-on-write handler lists: an emit iterates a stable array even when a handler attaches or detaches
    const handlers = new Map<string, ReadonlyArray<Handler>>()
    const dispatch = (event: TelemetryEvent): Effect.Effect<void> => {
      const list = handlers.get(keyOf(event.name))
      if (list === undefined || list.length === 0) return Effect.void
      if (list.length === 1) return runHandler(list[0], event)
      return Effect.forEach(list, (handler) => runHandler(handler, event), { discard: true })
    }
    const attach = (eventName: ReadonlyArray<string>, handler: Handler) => {
      const key = keyOf(eventName)
      return Effect.asVoid(Effect.acquireRelease(
        Effect.sync(() => {
          // wrapped so the same function attached twice is two registrations
          const entry: Handler = (event) => handler(event)
          handlers.set(key, [...(handlers.get(key) ?? []), entry])
          return entry
        }),
        (entry) =>
          Effect.sync(() => {
            const rest = (handlers.get(key) ?? []).filter((h) => h !== entry)
            if (rest.length === 0) handlers.delete(key)
            else handlers.set(key, rest)
          })
      ))
    }
    return {
      emit: (event) =>
        Effect.suspend(() => {
          unsafeRecord(event)
          return Effect.zipRight(PubSub.publish(pubsub, event), dispatch(event))
        }),
      events: Stream.fromPubSub(pubsub),
      subscribe: PubSub.subscribe(pubsub),
      attach
    }
  })

/**
 * Provides a {@link Telemetry} service with the default capacity.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Telemetry> = Layer.effect(Telemetry, make())

/**
 * The events of the {@link Telemetry} service in context.
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
 * Effect.scoped(Effect.zipRight(logSizes, program)).pipe(Effect.provide(Telemetry.layer))
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
 * @since 0.1.0
 * @category recording
 */
export const emit = (event: TelemetryEvent): Effect.Effect<void> =>
  Effect.flatMap(
    Effect.serviceOption(Telemetry),
    (telemetry) => Option.isSome(telemetry) ? telemetry.value.emit(event) : record(event)
  )

// -----------------------------------------------------------------------------
// internal
// -----------------------------------------------------------------------------

const keyOf = (name: ReadonlyArray<string>): string => name.join("\u001f")

const runHandler = (handler: Handler, event: TelemetryEvent): Effect.Effect<void> => {
  let result: Effect.Effect<void> | void
  try {
    result = handler(event)
  } catch (defect) {
    return handlerFailed(event, Cause.die(defect))
  }
  if (!Effect.isEffect(result)) return Effect.void
  return Effect.catchAllCause(result, (cause) => handlerFailed(event, cause))
}

const handlerFailed = (event: TelemetryEvent, cause: Cause.Cause<unknown>): Effect.Effect<void> =>
  Effect.annotateLogs(
    Effect.logWarning("zen-websocket: a telemetry handler failed; it stays attached", cause),
    "event",
    event.name.join(".")
  )

type Labels = ReadonlyArray<MetricLabel.MetricLabel>

const noLabels: Labels = []
const maxCachedLabels = 4096

/**
 * Label arrays cached by value: Effect caches each metric's hook by the label array's identity, so a reused array
 * skips the registry lookup.
 */
const labelCache = new Map<string, Labels>()

const cachedLabels = (key: string, build: () => Labels): Labels => {
  let labels = labelCache.get(key)
  if (labels === undefined) {
    if (labelCache.size >= maxCachedLabels) labelCache.clear()
    labels = build()
    labelCache.set(key, labels)
  }
  return labels
}

const clientIdOf = (metadata: Readonly<Record<string, unknown>>): string | undefined => {
  const id = metadata.client_id
  return id === undefined || id === null ? undefined : String(id)
}

const clientLabels = (metadata: Readonly<Record<string, unknown>>): Labels => {
  const id = clientIdOf(metadata)
  if (id === undefined) return noLabels
  return cachedLabels(`c\u001f${id}`, () => [MetricLabel.make("client_id", id)])
}

const disconnectLabels = (metadata: Readonly<Record<string, unknown>>): Labels => {
  const id = clientIdOf(metadata)
  const code = metadata.code === undefined || metadata.code === null ? "unknown" : String(metadata.code)
  if (id === undefined) return cachedLabels(`d\u001f\u001f${code}`, () => [MetricLabel.make("code", code)])
  return cachedLabels(
    `d\u001f${id}\u001f${code}`,
    () => [MetricLabel.make("client_id", id), MetricLabel.make("code", code)]
  )
}

const finite = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value)

/** a counter event's `count`, 1 when absent (a non-finite one is then ignored by `add`) */
const countOf = (measurements: Readonly<Record<string, number>>): number => measurements.count ?? 1

const observe = (metric: Metric.Metric.Histogram<number>, value: number | undefined, labels: Labels): void => {
  if (finite(value)) metric.unsafeUpdate(value, labels)
}

const add = (metric: Metric.Metric.Counter<number>, value: number | undefined, labels: Labels): void => {
  if (finite(value) && value !== 0) metric.unsafeUpdate(value, labels)
}

const set = (metric: Metric.Metric.Gauge<number>, value: number | undefined, labels: Labels): void => {
  if (finite(value)) metric.unsafeUpdate(value, labels)
}

/**
 * The traffic counters of one client, updated without building an event (the hot path when no `Telemetry` service
 * is in context): what `record` does for `messageSent` / `messageReceived` events with this `client_id`.
 *
 * @internal
 */
export const unsafeTrafficCounters = (clientId: string) => {
  let labels: Labels | undefined = undefined
  const labelsOf = () => (labels ??= clientLabels({ client_id: clientId }))
  return {
    sent: (count: number, bytes: number): void => addTraffic(messageSent, bytesSent, count, bytes, labelsOf()),
    received: (count: number, bytes: number): void =>
      addTraffic(messageReceived, bytesReceived, count, bytes, labelsOf())
  }
}

/** frames and bytes, one direction: what `messageSent` / `messageReceived` events record */
const addTraffic = (
  frames: Metric.Metric.Counter<number>,
  bytes: Metric.Metric.Counter<number>,
  count: number,
  byteCount: number | undefined,
  labels: Labels
): void => {
  add(frames, count, labels)
  add(bytes, byteCount, labels)
}

type Recorder = (measurements: Readonly<Record<string, number>>, metadata: Readonly<Record<string, unknown>>) => void

const counting = (metric: Metric.Metric.Counter<number>): Recorder => (m, meta) =>
  add(metric, countOf(m), clientLabels(meta))

const recorders: ReadonlyArray<readonly [ReadonlyArray<string>, Recorder]> = [
  [
    names.messageReceived,
    (m, meta) => addTraffic(messageReceived, bytesReceived, countOf(m), m.bytes, clientLabels(meta))
  ],
  [names.messageSent, (m, meta) => addTraffic(messageSent, bytesSent, countOf(m), m.bytes, clientLabels(meta))],
  [names.upgrade, (m) => observe(connectionUpgrade, m.connect_time_ms, noLabels)],
  [names.disconnect, (m, meta) => add(connectionDisconnects, countOf(m), disconnectLabels(meta))],
  [names.reconnect, counting(connectionReconnectAttempts)],
  [names.gaveUp, counting(connectionGiveUps)],
  [names.pong, (m) => observe(heartbeatPong, m.rtt_ms, noLabels)],
  [names.heartbeatMissed, counting(heartbeatMissed)],
  [names.pressure, (m, meta) => {
    const labels = clientLabels(meta)
    set(rateLimiterPressure, m.level, labels)
    set(rateLimiterQueueSize, m.queue_size, labels)
  }],
  [names.rateLimited, counting(rateLimiterRejections)],
  [names.request, (m, meta) => {
    const labels = clientLabels(meta)
    add(requestTotal, countOf(m), labels)
    observe(requestDuration, m.duration_ms, noLabels)
  }],
  [names.requestTimeout, (m, meta) => {
    const labels = clientLabels(meta)
    const count = countOf(m)
    add(requestTotal, count, labels)
    add(requestTimeouts, count, labels)
  }]
]

/** by the identity of the `names` constants (no string built), then by value */
const recordersByRef = new Map<ReadonlyArray<string>, Recorder>(recorders)
const recordersByKey = new Map<string, Recorder>(recorders.map(([name, recorder]) => [keyOf(name), recorder]))

const recorderOf = (name: ReadonlyArray<string>): Recorder | undefined =>
  recordersByRef.get(name) ?? recordersByKey.get(keyOf(name))
