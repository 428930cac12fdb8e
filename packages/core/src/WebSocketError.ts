/**
 * The tagged errors of zen-websocket. Every error keeps the raw cause (the Node/`ws` error with its `code`, the close
 * code, the HTTP status) so nothing is hidden from the caller.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"

/**
 * Why one connection attempt failed.
 *
 * - `timeout`: TCP + TLS + upgrade did not complete within `timeout` ms.
 * - `refused`: the TCP connection was refused (nothing listens on that port).
 * - `dns`: the host name could not be resolved.
 * - `tls`: the TLS handshake failed (certificate, protocol).
 * - `http`: the server answered the upgrade with an HTTP status instead of 101 (`status` says which).
 * - `protocol`: the server spoke something that is not a valid WebSocket handshake.
 * - `network`: any other socket error (reset, unreachable…).
 * - `restore`: the connection opened but a restore hook (e.g. re-authentication) failed (`cause` holds its error).
 * - `max-attempts`: the initial retries ran out (`cause` holds the last attempt's error).
 *
 * @since 0.1.0
 * @category models
 */
export type ConnectErrorReason =
  | "timeout"
  | "refused"
  | "dns"
  | "tls"
  | "http"
  | "protocol"
  | "network"
  | "restore"
  | "max-attempts"

/**
 * @since 0.1.0
 * @category errors
 */
export class ConnectError extends Data.TaggedError("ConnectError")<{
  readonly reason: ConnectErrorReason
  readonly url: string
  readonly status?: number | undefined
  readonly cause?: unknown
}> {
  override get message(): string {
    const detail = this.status !== undefined ? ` (HTTP ${this.status})` : causeMessage(this.cause)
    return `Could not connect to ${this.url}: ${this.reason}${detail}`
  }
}

/**
 * A send or request was made while the client had no open connection.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotConnected extends Data.TaggedError("NotConnected")<{
  readonly state: "connecting" | "disconnected"
}> {
  override get message(): string {
    return `Not connected (state: ${this.state})`
  }
}

/**
 * The connection was lost (or closed by us) while something depended on it, e.g. a pending request.
 * `code` and `reason` are the WebSocket close code and reason (1006 when the link died without a close frame).
 *
 * @since 0.1.0
 * @category errors
 */
export class Disconnected extends Data.TaggedError("Disconnected")<{
  readonly code: number
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `Disconnected (close code ${this.code}${this.reason ? `: ${this.reason}` : ""})`
  }
}

/**
 * A correlated request got no response within its timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends Data.TaggedError("RequestTimeout")<{
  readonly id: number | string
  readonly method: string
  readonly timeoutMs: number
}> {
  override get message(): string {
    return `Request ${this.id} (${this.method}) got no response within ${this.timeoutMs} ms`
  }
}

/**
 * The server answered a JSON-RPC request with an `error` object.
 *
 * @since 0.1.0
 * @category errors
 */
export class RpcError extends Data.TaggedError("RpcError")<{
  readonly code: number
  readonly message: string
  readonly data?: unknown
  readonly id?: number | string | undefined
  readonly method?: string | undefined
}> {}

/**
 * A caller-supplied request id is already in flight; the frame was not sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateRequestId extends Data.TaggedError("DuplicateRequestId")<{
  readonly id: number | string
}> {
  override get message(): string {
    return `Request id ${String(this.id)} is already in flight; the frame was not sent`
  }
}

/**
 * A send made while reconnecting could not be buffered: the offline queue was full (`evicted: false`), or the send
 * was buffered and later pushed out by a newer one under the `dropOldest` strategy (`evicted: true`).
 *
 * @since 0.1.0
 * @category errors
 */
export class OfflineQueueFull extends Data.TaggedError("OfflineQueueFull")<{
  readonly capacity: number
  readonly evicted: boolean
}> {
  override get message(): string {
    return this.evicted
      ? `The send was dropped from the full offline queue (capacity ${this.capacity}) by a newer one`
      : `The offline queue is full (capacity ${this.capacity}); the send was not buffered`
  }
}

/**
 * `ClientSupervisor.sendBalanced` found no client to send through.
 *
 * @since 0.1.0
 * @category errors
 */
export class NoConnections extends Data.TaggedError("NoConnections")<{
  readonly candidates: number
}> {
  override get message(): string {
    return this.candidates === 0
      ? "No clients to send through: the supervisor has none and discovery found none"
      : `None of the ${this.candidates} clients is connected`
  }
}

/**
 * A send was rejected by the rate limiter because its wait queue is full.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Data.TaggedError("RateLimited")<{
  readonly queueSize: number
  readonly cost: number
}> {
  override get message(): string {
    return `Rate limited: ${this.queueSize} sends already wait for tokens (cost ${this.cost})`
  }
}

/**
 * An option or the URL is invalid. Raised by `Client.connect` before any socket is opened.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptions extends Data.TaggedError("InvalidOptions")<{
  readonly field: string
  readonly value: unknown
  readonly rule: string
}> {
  override get message(): string {
    return `Invalid option "${this.field}" = ${showValue(this.value)}: ${this.rule}`
  }
}

/**
 * A frame could not go out: it was too large, the payload could not be encoded, or the socket refused it.
 *
 * @since 0.1.0
 * @category errors
 */
export class SendError extends Data.TaggedError("SendError")<{
  readonly reason: "encode" | "socket"
  readonly cause?: unknown
}> {
  override get message(): string {
    return `Could not send the frame (${this.reason})${causeMessage(this.cause)}`
  }
}

/**
 * Any error this library produces.
 *
 * @since 0.1.0
 * @category models
 */
export type WebSocketError =
  | ConnectError
  | NotConnected
  | Disconnected
  | RequestTimeout
  | RpcError
  | DuplicateRequestId
  | RateLimited
  | InvalidOptions
  | SendError
  | OfflineQueueFull
  | NoConnections

const tags = new Set([
  "NoConnections",
  "OfflineQueueFull",
  "ConnectError",
  "NotConnected",
  "Disconnected",
  "RequestTimeout",
  "RpcError",
  "DuplicateRequestId",
  "RateLimited",
  "InvalidOptions",
  "SendError"
])

/**
 * @since 0.1.0
 * @category guards
 */
export const isWebSocketError = (u: unknown): u is WebSocketError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)

const causeMessage = (cause: unknown): string =>
  cause instanceof Error ? ` (${cause.message})` : typeof cause === "string" ? ` (${cause})` : ""

const showValue = (value: unknown): string => {
  if (typeof value === "function") return "<function>"
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
