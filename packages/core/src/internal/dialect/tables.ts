/**
 * The error tables of the built-in dialects, as data: which venue errors are transient (worth another attempt after
 * the reconnect backoff). Anything not listed is fatal for the attempt's cause (bad credentials, forbidden, invalid
 * requests). Sources: docs.deribit.com "Error Codes", OKX v5 WebSocket error codes, Kraken's `E<Category>:<Reason>`
 * error strings, EIP-1474 (JSON-RPC codes of Ethereum nodes).
 */

/** Deribit (and JSON-RPC 2.0): rate limits, maintenance, temporary unavailability, time-outs, internal errors. */
export const jsonRpcTransient: ReadonlySet<number> = new Set([
  10028, // too_many_requests
  10040, // retry
  10041, // settlement_in_progress
  10047, // matching_engine_queue_full
  10066, // too_many_concurrent_requests
  11051, // system_maintenance
  11056, // unauthenticated_public_requests_temporarily_disabled
  13025, // method_switched_off_by_admin
  13028, // temporarily_unavailable
  13888, // timed_out
  -32603 // JSON-RPC internal error
])

/** OKX v5. */
export const okxTransient: ReadonlySet<number> = new Set([
  50001, // service temporarily unavailable
  50004, // endpoint request timeout
  50011, // rate limit reached
  50013, // system busy
  60006, // timestamp request expired (the next login signs a fresh one)
  60014, // requests too frequent
  63999 // internal system error
])

/** Bybit v5 (`ret_msg` text only). */
export const bybitTransient: ReadonlyArray<RegExp> = [/too many/i, /rate limit/i, /timeout/i, /busy/i, /try again/i]

/** Coinbase Advanced Trade (`message` text only). */
export const coinbaseTransient: ReadonlyArray<RegExp> = [/rate limit/i, /too many/i, /unavailable/i, /timeout/i]

/** Kraken v2 error strings. */
export const krakenTransient: ReadonlyArray<RegExp> = [
  /^EGeneral:Too many requests/,
  /^EGeneral:Temporary lockout/,
  /^EService:Unavailable/,
  /^EService:Busy/,
  /^EService:Deadline elapsed/,
  /^EAPI:Rate limit exceeded/
]

/** Ethereum nodes and providers (EIP-1474 limit exceeded, internal error; 429 used by some providers). */
export const ethTransient: ReadonlySet<number> = new Set([-32005, -32603, 429])
