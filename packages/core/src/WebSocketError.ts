/**
 * The error family of zen-websocket: every error the library raises carries {@link TypeId} and passes
 * {@link isZenWebSocketError}; users match on `_tag`, and on `reason` where one class covers several causes.
 *
 * The errors a client's operations fail with are `Schema.TaggedError`s, so they cross a process boundary (the cluster
 * RPCs, the supervisor, the recorder) and decode back to the same classes; each keeps the raw cause (the Node/`ws`
 * error with its `code`, the close code, the HTTP status) as `cause` (`Schema.Defect` on the wire). The mock server's
 * errors belong to the family too but stay in-process (`Data.TaggedError`).
 *
 * Longer than 400 lines on purpose: it is the whole family in one place (every class, its schema and its message, and
 * the one guard), so a user matching on errors reads one page.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as WebSocketError from "@zen-websocket/core/WebSocketError"
 *
 * const program = Effect.fail(new WebSocketError.NotConnected({ state: "connecting" })).pipe(
 *   Effect.catchIf(WebSocketError.isZenWebSocketError, (error) => Effect.succeed(error._tag))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { redactUrl } from "./internal/redact.js"

/**
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@zen-websocket/core/WebSocketError")

/**
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

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
export type ConnectErrorReason = typeof ConnectErrorReason.Type

/**
 * @since 0.2.0
 * @category schemas
 */
export const ConnectErrorReason = Schema.Literal(
  "timeout",
  "refused",
  "dns",
  "tls",
  "http",
  "protocol",
  "network",
  "restore",
  "max-attempts"
)

const RequestId = Schema.Union(Schema.Number, Schema.String)

/**
 * One connection attempt failed (see {@link ConnectErrorReason}). `url` is the URL with its secrets (query tokens,
 * userinfo) masked: the error can be logged as it is.
 *
 * @example
 * ```ts
 * import { ConnectError } from "@zen-websocket/core/WebSocketError"
 *
 * new ConnectError({ reason: "http", url: "wss://x.test/ws?token=abc", status: 401 }).message
 * // "Could not connect to wss://x.test/ws?token=***: http (HTTP 401)"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectError extends Schema.TaggedError<ConnectError>()("ConnectError", {
  reason: ConnectErrorReason,
  url: Schema.String,
  status: Schema.optional(Schema.Number),
  cause: Schema.optional(Schema.Defect),
  /** reason `restore`: the verdict of the dialect's classifier (or the `retryable` option) on the cause */
  retryable: Schema.optional(Schema.Boolean)
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
  constructor(props: {
    readonly reason: ConnectErrorReason
    readonly url: string
    readonly status?: number | undefined
    readonly cause?: unknown
    readonly retryable?: boolean | undefined
  }, disableValidation?: boolean) {
    super({ ...props, url: redactUrl(props.url) }, disableValidation)
  }
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
export class NotConnected extends Schema.TaggedError<NotConnected>()("NotConnected", {
  state: Schema.Literal("connecting", "disconnected")
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
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
export class Disconnected extends Schema.TaggedError<Disconnected>()("Disconnected", {
  code: Schema.Number,
  reason: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
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
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", {
  id: RequestId,
  method: Schema.String,
  timeoutMs: Schema.Number
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
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
export class RpcError extends Schema.TaggedError<RpcError>()("RpcError", {
  code: Schema.Number,
  message: Schema.String,
  data: Schema.optional(Schema.Unknown),
  id: Schema.optional(RequestId),
  method: Schema.optional(Schema.String)
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}

/**
 * A caller-supplied request id is already in flight; the frame was not sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateRequestId extends Schema.TaggedError<DuplicateRequestId>()("DuplicateRequestId", {
  id: RequestId
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
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
export class OfflineQueueFull extends Schema.TaggedError<OfflineQueueFull>()("OfflineQueueFull", {
  capacity: Schema.Number,
  evicted: Schema.Boolean
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
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
export class NoConnections extends Schema.TaggedError<NoConnections>()("NoConnections", {
  candidates: Schema.Number
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
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
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  queueSize: Schema.Number,
  cost: Schema.Number
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
  override get message(): string {
    return `Rate limited: ${this.queueSize} sends already wait for tokens (cost ${this.cost})`
  }
}

/**
 * One problem found in the options: the field (a dotted path, `options` for the whole object), the value found there
 * and the rule it breaks.
 *
 * @since 0.2.0
 * @category models
 */
export interface OptionsIssue {
  readonly field: string
  readonly value: unknown
  readonly rule: string
}

const OptionsIssue = Schema.Struct({ field: Schema.String, value: Schema.Unknown, rule: Schema.String })

/**
 * An option or the URL is invalid. Raised by `Client.connect` before any socket is opened. `field`, `value` and `rule`
 * describe the first problem; `issues` lists every one (all bad fields are reported at once). A URL in `value` or in
 * the message has its secrets masked.
 *
 * @example
 * ```ts
 * import { InvalidOptions } from "@zen-websocket/core/WebSocketError"
 *
 * const error = new InvalidOptions({ field: "retryCount", value: -1, rule: "must be a non-negative integer" })
 * error.issues // [{ field: "retryCount", value: -1, rule: "must be a non-negative integer" }]
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptions extends Schema.TaggedError<InvalidOptions>()("InvalidOptions", {
  field: Schema.String,
  value: Schema.Unknown,
  rule: Schema.String,
  issues: Schema.optionalWith(Schema.Array(OptionsIssue), { default: () => [] })
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
  constructor(props: {
    readonly field: string
    readonly value: unknown
    readonly rule: string
    readonly issues?: ReadonlyArray<OptionsIssue> | undefined
  }, disableValidation?: boolean) {
    const issues = (props.issues !== undefined && props.issues.length > 0
      ? props.issues
      : [{ field: props.field, value: props.value, rule: props.rule }]).map(maskIssue)
    super({ field: props.field, value: maskValue(props.value), rule: props.rule, issues }, disableValidation)
  }
  override get message(): string {
    const [first, ...rest] = this.issues
    const head = `Invalid option "${this.field}" = ${showValue(this.value)}: ${this.rule}`
    if (first === undefined || rest.length === 0) return head
    return `${head}; and ${rest.map((i) => `"${i.field}" = ${showValue(i.value)}: ${i.rule}`).join("; ")}`
  }
}

/**
 * A frame could not go out: the payload could not be encoded, or the socket refused it.
 *
 * @since 0.1.0
 * @category errors
 */
export class SendError extends Schema.TaggedError<SendError>()("SendError", {
  reason: Schema.Literal("encode", "socket"),
  cause: Schema.optional(Schema.Defect)
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
  override get message(): string {
    return `Could not send the frame (${this.reason})${causeMessage(this.cause)}`
  }
}

/**
 * The heartbeat declared the link dead (the `cause` of the `Disconnected` that ends the connection).
 *
 * @since 0.1.0
 * @category errors
 */
export class HeartbeatTimeout extends Schema.TaggedError<HeartbeatTimeout>()("HeartbeatTimeout", {
  type: Schema.Literal("ping", "pong", "deribit", "custom"),
  missed: Schema.Number,
  silentMs: Schema.Number
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
  override get message(): string {
    return `Heartbeat (${this.type}) timed out: ${this.missed} missed, no sign of life for ${this.silentMs} ms`
  }
}

/**
 * A recording could not be opened (or rotated), written, or read. `cause` is the raw Node error (with its `code`).
 *
 * @since 0.1.0
 * @category errors
 */
export class RecorderError extends Schema.TaggedError<RecorderError>()("RecorderError", {
  reason: Schema.Literal("open", "write", "read"),
  path: Schema.String,
  cause: Schema.Defect
}) {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
  override get message(): string {
    const detail = this.cause instanceof Error ? `: ${this.cause.message}` : ""
    return `Could not ${this.reason} the recording ${this.path}${detail}`
  }
}

/**
 * An assertion on the mock server (`Testing`) did not hold in time. `received` holds the frames received so far.
 *
 * @since 0.1.0
 * @category errors
 */
export class MockAssertionError extends Data.TaggedError("MockAssertionError")<{
  readonly message: string
  readonly received: ReadonlyArray<
    ({ readonly _tag: "Text"; readonly data: string } | { readonly _tag: "Binary"; readonly data: Uint8Array }) & {
      readonly connectionId: number
      readonly at: number
    }
  >
}> {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}

/**
 * The mock server (`Testing`) could not start or listen again (port taken, certificate generation failed).
 *
 * @since 0.1.0
 * @category errors
 */
export class MockServerError extends Data.TaggedError("MockServerError")<{
  readonly reason: string
  readonly cause?: unknown
}> {
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
  override get message(): string {
    return `Mock server: ${this.reason}`
  }
}

for (
  const error of [
    ConnectError,
    NotConnected,
    Disconnected,
    RequestTimeout,
    RpcError,
    DuplicateRequestId,
    OfflineQueueFull,
    NoConnections,
    RateLimited,
    InvalidOptions,
    SendError,
    HeartbeatTimeout,
    RecorderError,
    MockAssertionError,
    MockServerError
  ]
) {
  Object.defineProperty(error.prototype, TypeId, { value: TypeId })
}

/**
 * The errors a client's operations fail with (what `ErrorHandler.explain` describes in detail).
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

/**
 * How a correlated request can fail: `Client.request`, `Client.subscribe`, `Client.unsubscribe` and `Client.stream`.
 * `OfflineQueueFull` only with `offlineQueue`, for a request that could not wait for the next connection.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestError =
  | RpcError
  | RequestTimeout
  | Disconnected
  | DuplicateRequestId
  | NotConnected
  | SendError
  | RateLimited
  | OfflineQueueFull

/**
 * Every error the library raises: the {@link WebSocketError}s plus the heartbeat's, the recorder's and the mock
 * server's.
 *
 * @since 0.2.0
 * @category models
 */
export type ZenWebSocketError =
  | WebSocketError
  | HeartbeatTimeout
  | RecorderError
  | MockAssertionError
  | MockServerError

/**
 * Is `u` an error raised by zen-websocket (any of {@link ZenWebSocketError})?
 *
 * @example
 * ```ts
 * import { isZenWebSocketError, RateLimited } from "@zen-websocket/core/WebSocketError"
 *
 * isZenWebSocketError(new RateLimited({ queueSize: 100, cost: 1 })) // true
 * isZenWebSocketError(new Error("boom")) // false
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isZenWebSocketError = (u: unknown): u is ZenWebSocketError => Predicate.hasProperty(u, TypeId)

const clientErrorTags: ReadonlySet<string> = new Set([
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
 * Is `u` one of the errors a client's operations fail with ({@link WebSocketError})?
 *
 * @example
 * ```ts
 * import { isWebSocketError, NotConnected, HeartbeatTimeout } from "@zen-websocket/core/WebSocketError"
 *
 * isWebSocketError(new NotConnected({ state: "disconnected" })) // true
 * isWebSocketError(new HeartbeatTimeout({ type: "ping", missed: 2, silentMs: 60_000 })) // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isWebSocketError = (u: unknown): u is WebSocketError =>
  isZenWebSocketError(u) && clientErrorTags.has(u._tag)

/** A string value may be a URL with a token in it: it is kept masked. */
const maskValue = (value: unknown): unknown => typeof value === "string" ? redactUrl(value) : value

const maskIssue = (issue: OptionsIssue): OptionsIssue =>
  typeof issue.value === "string" ? { ...issue, value: redactUrl(issue.value) } : issue

const causeMessage = (cause: unknown): string =>
  cause instanceof Error ? ` (${cause.message})` : typeof cause === "string" ? ` (${cause})` : ""

const showValue = (value: unknown): string => {
  if (typeof value === "function") return "<function>"
  if (typeof value === "string") return JSON.stringify(redactUrl(value))
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
