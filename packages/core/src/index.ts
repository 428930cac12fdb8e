/**
 * zen-websocket: a resilient WebSocket client for Effect.
 *
 * @since 0.1.0
 */

/**
 * The five essential functions, requests, streams, events and layers.
 *
 * @since 0.1.0
 */
export * as Client from "./Client.js"

/**
 * Supervised clients, restarts, lifecycle callbacks and balanced sends.
 *
 * @since 0.1.0
 */
export * as ClientSupervisor from "./ClientSupervisor.js"

/**
 * Lifecycle events published on `client.events`.
 *
 * @since 0.1.0
 */
export * as ClientEvent from "./ClientEvent.js"

/**
 * Options, defaults and validation.
 *
 * @since 0.1.0
 */
export * as ClientOptions from "./ClientOptions.js"

/**
 * `explain(error)` and `isRecoverable(error)`.
 *
 * @since 0.1.0
 */
export * as ErrorHandler from "./ErrorHandler.js"

/**
 * The four heartbeat strategies.
 *
 * @since 0.1.0
 */
export * as Heartbeat from "./Heartbeat.js"

/**
 * JSON-RPC 2.0 framing and matching.
 *
 * @since 0.1.0
 */
export * as JsonRpc from "./JsonRpc.js"

/**
 * Inbound frames.
 *
 * @since 0.1.0
 */
export * as Message from "./Message.js"

/**
 * The backoff schedule and the reconnect decision.
 *
 * @since 0.1.0
 */
export * as Reconnect from "./Reconnect.js"

/**
 * Subscription dialects as data: JSON-RPC (Deribit), OKX, Bybit, Coinbase, Kraken v2, eth_subscribe.
 *
 * @since 0.2.0
 */
export * as Dialect from "./Dialect.js"

/**
 * The former name of `Dialect` (the same type and constructors).
 *
 * @since 0.1.0
 */
export * as SubscriptionProtocol from "./SubscriptionProtocol.js"

/**
 * The shipped mock server and test layers.
 *
 * @since 0.1.0
 */
export * as Testing from "./Testing.js"

/**
 * The tagged errors.
 *
 * @since 0.1.0
 */
export * as WebSocketError from "./WebSocketError.js"

/**
 * Latency percentiles of request round trips and ping RTTs.
 *
 * @since 0.1.0
 */
export * as LatencyStats from "./LatencyStats.js"

/**
 * A token bucket applied to every outbound frame.
 *
 * @since 0.1.0
 */
export * as RateLimiter from "./RateLimiter.js"

/**
 * Metrics, spans and push-style telemetry events.
 *
 * @since 0.1.0
 */
export * as Telemetry from "./Telemetry.js"

/**
 * JSONL session recording, metadata and replay.
 *
 * @since 0.1.0
 */
export * as Recorder from "./Recorder.js"

/**
 * The demo behind `pnpm demo` and `zenws demo`.
 *
 * @since 0.1.0
 */
export * as Demo from "./Demo.js"
