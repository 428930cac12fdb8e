/**
 * The client's metrics as a table: one row per metric (its kind, its exported name, its description and, for a
 * histogram, its exponential buckets), and the `Metric`s built from it, once, in Effect's global registry.
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

type Row =
  | { readonly kind: "counter" | "gauge"; readonly name: string; readonly description: string }
  | {
    readonly kind: "histogram"
    readonly name: string
    readonly description: string
    readonly buckets: { readonly start: number; readonly factor: number; readonly count: number }
  }

/** Every metric the client updates. Names and descriptions are what an exporter shows. */
export const table = {
  messageReceived: {
    kind: "counter",
    name: "zen_websocket_client_message_received",
    description: "WebSocket frames received"
  },
  bytesReceived: {
    kind: "counter",
    name: "zen_websocket_client_bytes_received",
    description: "WebSocket payload bytes received"
  },
  messageSent: { kind: "counter", name: "zen_websocket_client_message_sent", description: "WebSocket frames sent" },
  bytesSent: { kind: "counter", name: "zen_websocket_client_bytes_sent", description: "WebSocket payload bytes sent" },
  connectionUpgrade: {
    kind: "histogram",
    name: "zen_websocket_connection_upgrade",
    description: "WebSocket connect time (ms), attempt start to completed upgrade",
    buckets: { start: 1, factor: 2, count: 16 }
  },
  connectionDisconnects: {
    kind: "counter",
    name: "zen_websocket_connection_disconnects",
    description: "WebSocket connections ended, by close code"
  },
  connectionReconnectAttempts: {
    kind: "counter",
    name: "zen_websocket_connection_reconnect_attempts",
    description: "WebSocket reconnect attempts scheduled"
  },
  connectionGiveUps: {
    kind: "counter",
    name: "zen_websocket_connection_give_ups",
    description: "WebSocket clients that ran out of reconnect attempts"
  },
  heartbeatPong: {
    kind: "histogram",
    name: "zen_websocket_heartbeat_pong",
    description: "WebSocket heartbeat round trip (ms)",
    buckets: { start: 0.5, factor: 2, count: 16 }
  },
  heartbeatInterval: {
    kind: "histogram",
    name: "zen_websocket_heartbeat_interval",
    description: "Time between two heartbeats of the server (ms), for heartbeats that measure no round trip",
    buckets: { start: 1, factor: 2, count: 18 }
  },
  heartbeatMissed: {
    kind: "counter",
    name: "zen_websocket_heartbeat_missed",
    description: "WebSocket heartbeats without an answer in time"
  },
  rateLimiterPressure: {
    kind: "gauge",
    name: "zen_websocket_rate_limiter_pressure",
    description: "Rate limiter pressure level: 0 low, 1 medium, 2 high, 3 critical"
  },
  rateLimiterQueueSize: {
    kind: "gauge",
    name: "zen_websocket_rate_limiter_queue_size",
    description: "Sends waiting for rate limiter tokens"
  },
  rateLimiterRejections: {
    kind: "counter",
    name: "zen_websocket_rate_limiter_rejections",
    description: "Sends refused by the rate limiter (queue full)"
  },
  requestTotal: {
    kind: "counter",
    name: "zen_websocket_request_total",
    description: "Correlated requests that ended (answered, failed or timed out)"
  },
  requestTimeouts: {
    kind: "counter",
    name: "zen_websocket_request_timeouts",
    description: "Correlated requests that timed out"
  },
  requestDuration: {
    kind: "histogram",
    name: "zen_websocket_request_duration",
    description: "Correlated request round trip (ms)",
    buckets: { start: 1, factor: 2, count: 18 }
  }
} as const satisfies Record<string, Row>

type Table = typeof table

type MetricOf<R extends Row> = R["kind"] extends "counter" ? Metric.Metric.Counter<number>
  : R["kind"] extends "gauge" ? Metric.Metric.Gauge<number>
  : Metric.Metric.Histogram<number>

const build = (
  row: Row
): Metric.Metric.Counter<number> | Metric.Metric.Gauge<number> | Metric.Metric.Histogram<number> => {
  switch (row.kind) {
    case "counter":
      return Metric.counter(row.name, { description: row.description, incremental: true })
    case "gauge":
      return Metric.gauge(row.name, { description: row.description })
    case "histogram":
      return Metric.histogram(row.name, MetricBoundaries.exponential(row.buckets), row.description)
  }
}

/** The metrics of {@link table}, by key. */
export const metrics = Object.fromEntries(
  Object.entries(table).map(([key, row]) => [key, build(row)])
) as { readonly [K in keyof Table]: MetricOf<Table[K]> }
