/**
 * Deribit's RPC error codes (the "Complete RPC Error Codes Reference", as collected for the adapter) as data: what each
 * one means and what a client should do. `DeribitError` looks codes up here and the simulator answers with these
 * codes and messages.
 *
 * @since 0.1.0
 * @internal
 */

/** @internal */
export type Handling = "retry" | "backoff" | "reauth" | "resubscribe" | "split" | "surface" | "fail" | "fatal"

/** @internal */
export interface Entry {
  readonly code: number
  readonly name: string
  readonly message: string
  readonly handling: Handling
  readonly terminatesSession: boolean
  readonly explanation: string
  readonly suggestion: string
}

const entry = (
  code: number,
  name: string,
  handling: Handling,
  explanation: string,
  suggestion: string,
  extra?: { readonly message?: string; readonly terminatesSession?: boolean }
): Entry => ({
  code,
  name,
  message: extra?.message ?? name,
  handling,
  terminatesSession: extra?.terminatesSession ?? false,
  explanation,
  suggestion
})

/** @internal */
export const entries: ReadonlyArray<Entry> = [
  entry(
    10000,
    "authorization_required",
    "reauth",
    "The request needs authorization: the token or signature is missing or invalid.",
    "Authenticate with public/auth on this connection, then repeat the request."
  ),
  entry(
    10001,
    "error",
    "fail",
    "A general failure; Deribit gives no public detail.",
    "Do not retry blindly: log the request and the error data and check the request."
  ),
  entry(
    10004,
    "order_not_found",
    "fail",
    "No order with that id or label: it may already have been filled or cancelled.",
    "Read the order's state (private/get_order_state or user.orders) before acting on it again."
  ),
  entry(
    10009,
    "not_enough_funds",
    "fail",
    "The account has not enough funds for the operation.",
    "Reduce the order size or add funds; retrying the same order fails the same way."
  ),
  entry(
    10028,
    "too_many_requests",
    "backoff",
    "The credit budget is exhausted; Deribit answers too_many_requests and terminates the session.",
    "Pause sending, wait for the credits to refill, reconnect, and pace requests with the credit model.",
    { terminatesSession: true }
  ),
  entry(
    10040,
    "retry",
    "retry",
    "The request cannot be processed right now.",
    "Retry it with a backoff."
  ),
  entry(
    10041,
    "settlement_in_progress",
    "retry",
    "The daily settlement is running; trading pauses for a few seconds.",
    "Retry after a few seconds."
  ),
  entry(
    10047,
    "matching_engine_queue_full",
    "retry",
    "Too many matching-engine requests of this user are pending.",
    "Retry with a backoff and send fewer order requests at once."
  ),
  entry(
    10049,
    "cancel_on_disconnect_failed",
    "surface",
    "Enabling cancel-on-disconnect for the connection failed: orders would survive a disconnect.",
    "Treat the session as unsafe for trading: fail the connection attempt and alert; never continue silently."
  ),
  entry(
    10066,
    "too_many_concurrent_requests",
    "backoff",
    "Too many public requests are still being executed.",
    "Wait for pending requests to finish and send fewer at once (authenticated sessions get higher limits)."
  ),
  entry(
    11050,
    "bad_request",
    "fail",
    "The request could not be parsed properly.",
    "Check the JSON-RPC framing and the parameter types."
  ),
  entry(
    11051,
    "system_maintenance",
    "retry",
    "The system is under maintenance.",
    "Retry later, with a long backoff."
  ),
  entry(
    11052,
    "subscribe_error_unsubscribed",
    "resubscribe",
    "A subscription failed; subscriptions can also fail without this error.",
    "Diff the requested channels against the returned list and subscribe the missing ones again."
  ),
  entry(
    13004,
    "invalid_credentials",
    "fatal",
    "The client id or secret is wrong.",
    "Fix the API key (testnet and production keys differ); retrying or reconnecting does not help."
  ),
  entry(
    13009,
    "unauthorized",
    "reauth",
    "Wrong or expired token, or a bad signature; a 'connection' scoped token cannot be used on another connection.",
    "Refresh the token or authenticate again on this connection, then retry the request once."
  ),
  entry(
    13010,
    "value_required",
    "fail",
    "A required value is missing.",
    "Add the parameter named in the error data."
  ),
  entry(
    13011,
    "value_too_short",
    "fail",
    "A value is too short.",
    "Check the parameter named in the error data."
  ),
  entry(
    13020,
    "not_found",
    "fail",
    "Instrument not found: the instrument name is invalid.",
    "Check the name with public/get_instruments (names are case sensitive, expired instruments disappear)."
  ),
  entry(
    13021,
    "forbidden",
    "fatal",
    "Not enough permissions for this request.",
    "Give the API key the scope the method needs; retrying this method with this key fails the same way."
  ),
  entry(
    13025,
    "method_switched_off_by_admin",
    "retry",
    "The method is temporarily switched off by Deribit.",
    "Retry later."
  ),
  entry(
    13028,
    "temporarily_unavailable",
    "retry",
    "The service is not responding or takes too long.",
    "Retry with a backoff."
  ),
  entry(
    13042,
    "cod_not_enabled",
    "surface",
    "Cancel-on-disconnect is not enabled for the connection.",
    "Enable it with private/enable_cancel_on_disconnect if orders must not outlive the connection."
  ),
  entry(
    13778,
    "raw_subscriptions_not_available_for_unauthorized",
    "fail",
    "`.raw` channels need an authenticated connection.",
    "Authenticate first, or subscribe the 100ms interval; keep such channels out of batches with other channels."
  ),
  entry(
    13888,
    "timed_out",
    "retry",
    "The server did not process the request while it was valid.",
    "Retry only if the request is idempotent (check an order's state before sending it again)."
  ),
  entry(
    -32600,
    "request_entity_too_large",
    "split",
    "A single WebSocket frame exceeded the 32 kB limit.",
    "Split the request (e.g. subscribe fewer channels per call).",
    { message: "request entity too large" }
  ),
  entry(
    -32601,
    "method_not_found",
    "fail",
    "No such method.",
    "Check the method name (public/... or private/...).",
    { message: "Method not found" }
  ),
  entry(
    -32602,
    "invalid_params",
    "fail",
    "A parameter is missing or has the wrong type or value.",
    "Fix the parameter named in the error data.",
    { message: "Invalid params" }
  ),
  entry(
    -32700,
    "parse_error",
    "fail",
    "The frame is not a valid JSON-RPC request.",
    "Send a JSON object with jsonrpc, id, method and params.",
    { message: "Parse error" }
  ),
  entry(
    -32000,
    "missing_params",
    "fail",
    "The request has no params.",
    "Send params (an empty object when the method takes none).",
    { message: "Missing params" }
  )
]

/** @internal */
export const byCode: ReadonlyMap<number, Entry> = new Map(entries.map((e) => [e.code, e]))
