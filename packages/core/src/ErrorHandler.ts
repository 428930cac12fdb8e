/**
 * Human explanations and a retry verdict for every error zen-websocket produces.
 *
 * `explain` turns an error into a `{ message, suggestion }` pair that names the concrete problem (the URL, the HTTP
 * status, the close code, the request id and method, the option field and rule…) and says what to do about it.
 * `isRecoverable` says whether retrying the same thing automatically is worth it.
 *
 * Both also accept the raw reasons of the original Elixir library (`"econnrefused"`, `"nxdomain"`, `"frame_too_large"`,
 * `"unauthorized"`…), Node error codes (`"ECONNREFUSED"`, `"CERT_HAS_EXPIRED"`…), Node/`ws` `Error`s carrying such a
 * `code`, and an Effect `Cause` (its first failure is explained). Neither function ever throws. URLs in the words
 * have their secrets (query tokens, userinfo) masked.
 *
 * The words live in `internal/explain.ts`, the advice tables in `internal/errorTables.ts` and the verdict in
 * `internal/recoverable.ts`.
 *
 * @since 0.1.0
 */
import type * as tables from "./internal/errorTables.js"
import * as internalExplain from "./internal/explain.js"
import { explainAt, unknown } from "./internal/explain.js"
import { recoverableAt } from "./internal/recoverable.js"

/**
 * What went wrong, in words, and what to do about it.
 *
 * @since 0.1.0
 * @category models
 */
export type Explanation = tables.Explanation

/**
 * The key under which an error carries its own explanation: a method returning `{ message, suggestion }`. Packages
 * outside the core (venue adapters) make their errors explainable this way, and `explain` uses it, also for such an
 * error found as the cause of a core error (e.g. a restore hook's failure inside `ConnectError`). A method that
 * throws or returns something else is ignored.
 *
 * @example
 * ```ts
 * import * as ErrorHandler from "@zen-websocket/core/ErrorHandler"
 *
 * class VenueError extends Error {
 *   [ErrorHandler.ExplainId]() {
 *     return { message: `The venue refused: ${this.message}`, suggestion: "Check the API key's permissions" }
 *   }
 * }
 * ErrorHandler.explain(new VenueError("forbidden")).suggestion // "Check the API key's permissions"
 * ```
 *
 * @since 0.3.0
 * @category explain
 */
export const ExplainId: typeof internalExplain.ExplainId = internalExplain.ExplainId

/**
 * @since 0.3.0
 * @category explain
 */
export type ExplainId = typeof ExplainId

/**
 * An error that explains itself (see {@link ExplainId}).
 *
 * @since 0.3.0
 * @category models
 */
export interface Explainable {
  readonly [ExplainId]: () => Explanation
}

/**
 * Explains any error: an error carrying its own explanation ({@link ExplainId}), every `WebSocketError`, the original library's raw reasons (`"econnrefused"`, `"timeout"`,
 * `"nxdomain"`, `"invalid_frame"`, `"frame_too_large"`, `"unauthorized"`, `"invalid_credentials"`, `"token_expired"`,
 * `"connection_failed"`…), Node error codes as strings or as the `code` of an `Error`, and an Effect `Cause`.
 *
 * Anything else gives `{ message: "Unknown error: <short inspect>", suggestion: "Check the logs for more details" }`.
 * Never throws, not even for `null`, `undefined`, symbols or circular objects.
 *
 * @example
 * ```ts
 * import * as ErrorHandler from "@zen-websocket/core/ErrorHandler"
 * import { ConnectError } from "@zen-websocket/core/WebSocketError"
 *
 * ErrorHandler.explain(new ConnectError({ reason: "http", url: "wss://x.test/ws", status: 401 }))
 * // { message: "The server at wss://x.test/ws rejected the WebSocket upgrade with HTTP 401 Unauthorized…",
 * //   suggestion: "Check your credentials or token…" }
 * ```
 *
 * @since 0.1.0
 * @category explain
 */
export const explain = (error: unknown): Explanation => {
  try {
    return explainAt(error, 0) ?? unknown(error)
  } catch {
    return unknown(error)
  }
}

/**
 * Whether retrying automatically (reconnecting, re-sending) is worth it: `true` for transient trouble, `false` when
 * the same attempt would fail the same way until someone changes the code, the configuration or the server.
 *
 * - `ConnectError`: `timeout`, `refused`, `dns`, `network` → `true`; `http` → `true` only for 408, 429 and 5xx
 *   (not 401/403/404/426…); `tls`, `protocol`, `max-attempts` → `false`.
 * - `Disconnected`: `true`, except the close codes that say "this session is not allowed": 1008 (policy
 *   violation), 1010 (missing extension), 1015 (TLS failure), 3000 (unauthorized) and 3003 (forbidden). A malformed
 *   or oversized frame (1002, 1003, 1007, 1009) is one bad frame, not a bad session: the client reconnects and stays
 *   usable. Application-defined 4000–4999 codes are retried since their meaning is unknown; use the
 *   `shouldReconnect` option to refine that.
 * - `NotConnected`, `RequestTimeout`, `RateLimited`, `SendError` `socket` → `true`.
 * - `RpcError`, `DuplicateRequestId`, `InvalidOptions`, `SendError` `encode` → `false`.
 * - Node codes `ECONNREFUSED`, `ETIMEDOUT`, `ENOTFOUND`, `EHOSTUNREACH`, `ENETUNREACH`, `ECONNRESET`, `EAI_AGAIN`,
 *   `EPIPE`, `ECONNABORTED` (as strings or as the `code` of an `Error`) and the original's `"timeout"`, `"nxdomain"`,
 *   `"connection_failed"` → `true`. Unlike the original, a bare `"econnrefused"` counts as recoverable too.
 * - TLS certificate codes, `ws` protocol codes, the original's `"invalid_frame"`, `"frame_too_large"`,
 *   `"unauthorized"`, `"invalid_credentials"`, `"token_expired"` → `false`.
 * - An Effect `Cause` is judged by its first failure. Anything unknown → `false`.
 *
 * @example
 * ```ts
 * import * as ErrorHandler from "@zen-websocket/core/ErrorHandler"
 * import { ConnectError, Disconnected } from "@zen-websocket/core/WebSocketError"
 *
 * ErrorHandler.isRecoverable(new ConnectError({ reason: "http", url: "wss://x.test/ws", status: 503 })) // true
 * ErrorHandler.isRecoverable(new Disconnected({ code: 1008, reason: "policy" })) // false
 * ErrorHandler.isRecoverable("econnrefused") // true
 * ```
 *
 * @since 0.1.0
 * @category explain
 */
export const isRecoverable = (error: unknown): boolean => {
  try {
    return recoverableAt(error, 0)
  } catch {
    return false
  }
}
