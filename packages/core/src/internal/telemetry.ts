/**
 * The body of `Telemetry`: the event model, how each event updates the metrics of `metricTable.ts` (labels cached by
 * value, so the registry lookup is skipped), and the push-style service (a sliding `PubSub` plus handlers attached
 * by exact event name, run in attach order like `:telemetry.execute`).
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as PubSub from "effect/PubSub"
import * as Stream from "effect/Stream"
import { metrics } from "./metricTable.js"

/** One telemetry event, as in Elixir's `:telemetry.execute(name, measurements, metadata)`. */
export interface TelemetryEvent {
  /** e.g. `["zen_websocket", "connection", "upgrade"]`, see `names` */
  readonly name: ReadonlyArray<string>
  /** numeric measurements, e.g. `{ connect_time_ms: 42 }` */
  readonly measurements: Readonly<Record<string, number>>
  /** context, e.g. `{ client_id: "deribit-1", url: "wss://…" }`; `client_id` becomes the metrics' tag */
  readonly metadata: Readonly<Record<string, unknown>>
}

/** A handler for `attach`: it may return an Effect, which is run before `emit` returns. */
export type Handler = (event: TelemetryEvent) => Effect.Effect<void> | void

/** The names of the events the client emits. */
export const names = {
  messageReceived: ["zen_websocket", "client", "message_received"],
  messageSent: ["zen_websocket", "client", "message_sent"],
  upgrade: ["zen_websocket", "connection", "upgrade"],
  disconnect: ["zen_websocket", "connection", "disconnect"],
  reconnect: ["zen_websocket", "connection", "reconnect"],
  gaveUp: ["zen_websocket", "connection", "gave_up"],
  pong: ["zen_websocket", "heartbeat", "pong"],
  heartbeatMissed: ["zen_websocket", "heartbeat", "missed"],
  heartbeatInterval: ["zen_websocket", "heartbeat", "interval"],
  pressure: ["zen_websocket", "rate_limiter", "pressure"],
  rateLimited: ["zen_websocket", "rate_limiter", "rejected"],
  request: ["zen_websocket", "request", "complete"],
  requestTimeout: ["zen_websocket", "request", "timeout"],
  subscriptionsRestored: ["zen_websocket", "subscription_manager", "restore"]
} as const satisfies Record<string, ReadonlyArray<string>>

export const event = (
  name: ReadonlyArray<string>,
  measurements: Readonly<Record<string, number>>,
  metadata: Readonly<Record<string, unknown>> = {}
): TelemetryEvent => ({ name, measurements, metadata })

/**
 * The `client_id` tag a client chose for the metrics of its events (its id when the user named it, `null` for none),
 * carried by each event it hands to a `Telemetry` service: a service that records the metrics itself (a user's own
 * `emit` delegating to `make`'s) then applies the client's rule, and an unnamed client adds no series through it.
 */
const LabelOf: unique symbol = Symbol.for("@zen-websocket/core/Telemetry/label")

interface LabelledEvent extends TelemetryEvent {
  readonly [LabelOf]?: string | null
}

/** An event of a client whose metrics are tagged `labelId` (`undefined`: untagged), whoever records them. */
export const clientEvent = (
  name: ReadonlyArray<string>,
  measurements: Readonly<Record<string, number>>,
  metadata: Readonly<Record<string, unknown>>,
  labelId: string | undefined
): TelemetryEvent => {
  const event: LabelledEvent = { name, measurements, metadata, [LabelOf]: labelId ?? null }
  return event
}

/**
 * Updates the metrics matching `event` synchronously; unknown event names update nothing. The `client_id` tag is
 * the event's `client_id`, unless a client built the event (then its label rule, see `clientEvent`).
 */
export const unsafeRecord = (event: TelemetryEvent): void => {
  const label = (event as LabelledEvent)[LabelOf]
  unsafeRecordAs(event, label === undefined ? clientIdOf(event.metadata) : label ?? undefined)
}

/**
 * Updates the metrics matching `event` with `labelId` as the `client_id` tag (`undefined`: no tag) instead of the
 * event's own `client_id`: how a client records its events (see the cardinality note in `Telemetry`).
 */
export const unsafeRecordAs = (event: TelemetryEvent, labelId: string | undefined): void => {
  const recorder = recorderOf(event.name)
  if (recorder !== undefined) recorder(event.measurements, event.metadata, labelId)
}

/** The service: metrics, the `events` stream and the attached handlers. */
export const make = (capacity: number) =>
  Effect.map(PubSub.sliding<TelemetryEvent>(capacity), (pubsub) => {
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
    const publish = (event: TelemetryEvent): Effect.Effect<void> =>
      Effect.zipRight(PubSub.publish(pubsub, event), dispatch(event))
    const service = {
      emit: (event: TelemetryEvent): Effect.Effect<void> =>
        Effect.suspend(() => {
          unsafeRecord(event)
          return publish(event)
        }),
      events: Stream.fromPubSub(pubsub),
      subscribe: PubSub.subscribe(pubsub),
      attach
    }
    publishOnly.set(service, publish)
    return service
  })

/**
 * The publish-and-dispatch of each service made by `make`, by the service's identity: a service the user built from
 * one (`{ ...made, emit }`) is another object, so its own `emit` is the one called.
 */
const publishOnly = new WeakMap<object, (event: TelemetryEvent) => Effect.Effect<void>>()

/**
 * How a client hands its events to a service: publish and dispatch only for a service made by `make` (the client
 * recorded the metrics already), else the service's `emit` with `records: true` (that implementation records them,
 * with the client's label rule carried by the event, see `clientEvent`).
 */
export const publisherOf = (service: {
  readonly emit: (event: TelemetryEvent) => Effect.Effect<void>
}): { readonly publish: (event: TelemetryEvent) => Effect.Effect<void>; readonly records: boolean } => {
  const own = publishOnly.get(service)
  return own !== undefined ? { publish: own, records: false } : { publish: service.emit, records: true }
}

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

const clientLabels = (id: string | undefined): Labels => {
  if (id === undefined) return noLabels
  return cachedLabels(`c\u001f${id}`, () => [MetricLabel.make("client_id", id)])
}

/** `client_id` (when there is one) then `kind` (when there is one): the labels of the traffic counters */
const trafficLabels = (id: string | undefined, kind: unknown): Labels => {
  if (kind === undefined || kind === null) return clientLabels(id)
  const k = String(kind)
  if (id === undefined) return cachedLabels(`k\u001f${k}`, () => [MetricLabel.make("kind", k)])
  return cachedLabels(`ck\u001f${id}\u001f${k}`, () => [MetricLabel.make("client_id", id), MetricLabel.make("kind", k)])
}

const disconnectLabels = (id: string | undefined, metadata: Readonly<Record<string, unknown>>): Labels => {
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

/** a traffic event's payload bytes: `bytes`, else the seed's `size` */
const bytesOf = (measurements: Readonly<Record<string, number>>): number | undefined =>
  measurements.bytes ?? measurements.size

const observe = (metric: Metric.Metric.Histogram<number>, value: number | undefined, labels: Labels): void => {
  if (finite(value)) metric.unsafeUpdate(value, labels)
}

const add = (metric: Metric.Metric.Counter<number>, value: number | undefined, labels: Labels): void => {
  if (finite(value) && value !== 0) metric.unsafeUpdate(value, labels)
}

const set = (metric: Metric.Metric.Gauge<number>, value: number | undefined, labels: Labels): void => {
  if (finite(value)) metric.unsafeUpdate(value, labels)
}

/** What an outbound frame was: the `kind` of `message_sent` (a table, in the order of `frameKinds`). */
export type FrameKind = "message" | "request" | "subscribe" | "heartbeat" | "restore"

/** Every {@link FrameKind}. */
export const frameKinds: ReadonlyArray<FrameKind> = ["message", "request", "subscribe", "heartbeat", "restore"]

/**
 * The traffic counters of one client, updated without building an event: the label arrays (one per frame kind) are
 * built at first use and reused, so counting a frame allocates nothing. `labelId` is the `client_id` tag, or
 * `undefined` for none (then the arrays are shared by every such client).
 */
export class TrafficCounters {
  private readonly sentLabels = new Map<FrameKind, Labels>()
  private receivedLabels: Labels | undefined = undefined

  constructor(readonly labelId: string | undefined) {}

  sent(kind: FrameKind, bytes: number): void {
    let labels = this.sentLabels.get(kind)
    if (labels === undefined) {
      labels = trafficLabels(this.labelId, kind)
      this.sentLabels.set(kind, labels)
    }
    addTraffic(metrics.messageSent, metrics.bytesSent, 1, bytes, labels)
  }

  received(count: number, bytes: number): void {
    const labels = (this.receivedLabels ??= clientLabels(this.labelId))
    addTraffic(metrics.messageReceived, metrics.bytesReceived, count, bytes, labels)
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

/** updates the metrics from one event; `id` is the `client_id` tag (or none) */
type Recorder = (
  measurements: Readonly<Record<string, number>>,
  metadata: Readonly<Record<string, unknown>>,
  id: string | undefined
) => void

const counting = (metric: Metric.Metric.Counter<number>): Recorder => (m, _meta, id) =>
  add(metric, countOf(m), clientLabels(id))

const recorders: ReadonlyArray<readonly [ReadonlyArray<string>, Recorder]> = [
  [
    names.messageReceived,
    (m, _meta, id) =>
      addTraffic(metrics.messageReceived, metrics.bytesReceived, countOf(m), bytesOf(m), clientLabels(id))
  ],
  [
    names.messageSent,
    (m, meta, id) =>
      addTraffic(metrics.messageSent, metrics.bytesSent, countOf(m), bytesOf(m), trafficLabels(id, meta.kind))
  ],
  [names.upgrade, (m) => observe(metrics.connectionUpgrade, m.connect_time_ms, noLabels)],
  [names.disconnect, (m, meta, id) => add(metrics.connectionDisconnects, countOf(m), disconnectLabels(id, meta))],
  [names.reconnect, counting(metrics.connectionReconnectAttempts)],
  [names.gaveUp, counting(metrics.connectionGiveUps)],
  [names.pong, (m) => observe(metrics.heartbeatPong, m.rtt_ms, noLabels)],
  [names.heartbeatMissed, counting(metrics.heartbeatMissed)],
  [names.heartbeatInterval, (m) => observe(metrics.heartbeatInterval, m.interval_ms, noLabels)],
  [names.pressure, (m, _meta, id) => {
    const labels = clientLabels(id)
    set(metrics.rateLimiterPressure, m.level, labels)
    set(metrics.rateLimiterQueueSize, m.queue_size, labels)
  }],
  [names.rateLimited, counting(metrics.rateLimiterRejections)],
  [names.request, (m, _meta, id) => {
    add(metrics.requestTotal, countOf(m), clientLabels(id))
    observe(metrics.requestDuration, m.duration_ms, noLabels)
  }],
  [names.requestTimeout, (m, _meta, id) => {
    const labels = clientLabels(id)
    const count = countOf(m)
    add(metrics.requestTotal, count, labels)
    add(metrics.requestTimeouts, count, labels)
  }]
]

/** by the identity of the `names` constants (no string built), then by value */
const recordersByRef = new Map<ReadonlyArray<string>, Recorder>(recorders)
const recordersByKey = new Map<string, Recorder>(recorders.map(([name, recorder]) => [keyOf(name), recorder]))

const recorderOf = (name: ReadonlyArray<string>): Recorder | undefined =>
  recordersByRef.get(name) ?? recordersByKey.get(keyOf(name))
