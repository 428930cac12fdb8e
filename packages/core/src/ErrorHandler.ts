/**
 * Human explanations and a retry verdict for every error zen-websocket produces.
 *
 * `explain` turns an error into a `{ message, suggestion }` pair that names the concrete problem (the URL, the HTTP
 * status, the close code, the request id and method, the option field and rule…) and says what to do about it.
 * `isRecoverable` says whether retrying the same thing automatically is worth it.
 *
 * Both also accept the raw reasons of the original Elixir library (`"econnrefused"`, `"nxdomain"`, `"frame_too_large"`,
 * `"unauthorized"`…), Node error codes (`"ECONNREFUSED"`, `"CERT_HAS_EXPIRED"`…), Node/`ws` `Error`s carrying such a
 * `code`, and an Effect `Cause` (its first failure is explained). Neither function ever throws.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { redactUrl } from "./internal/redact.js"
import type {
  ConnectError,
  Disconnected,
  InvalidOptions,
  NotConnected,
  RequestTimeout,
  RpcError,
  SendError
} from "./WebSocketError.js"
import { isWebSocketError } from "./WebSocketError.js"

/**
 * What went wrong, in words, and what to do about it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Explanation {
  readonly message: string
  readonly suggestion: string
}

// -----------------------------------------------------------------------------
// explain
// -----------------------------------------------------------------------------

/**
 * Explains any error: every `WebSocketError`, the original library's raw reasons (`"econnrefused"`, `"timeout"`,
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

const maxDepth = 4

const explainAt = (error: unknown, depth: number): Explanation | undefined => {
  if (depth > maxDepth) return undefined
  if (Cause.isCause(error)) return explainAt(causeError(error), depth + 1)
  if (isWebSocketError(error)) {
    switch (error._tag) {
      case "ConnectError":
        return explainConnect(error, depth)
      case "NotConnected":
        return explainNotConnected(error)
      case "Disconnected":
        return explainDisconnected(error)
      case "RequestTimeout":
        return explainRequestTimeout(error)
      case "RpcError":
        return explainRpc(error)
      case "DuplicateRequestId":
        return {
          message: `Request id ${String(error.id)} is already in flight; the frame was not sent`,
          suggestion:
            "Let the client assign request ids (omit `id`), or wait for the earlier request with this id to " +
            "complete before reusing it"
        }
      case "RateLimited":
        return {
          message:
            `Rate limited: ${error.queueSize} sends already wait for tokens, so this send (cost ${error.cost}) ` +
            "was refused",
          suggestion: "Send less often or in smaller batches, raise the RateLimiter's `maxQueue` (or `capacity` / " +
            "`refillRate` if the server allows it), or retry after `RateLimiter.status`'s `suggestedDelayMs`"
        }
      case "InvalidOptions":
        return explainInvalidOptions(error)
      case "SendError":
        return explainSend(error)
      case "NoConnections":
        return {
          message: error.message,
          suggestion: "Start clients with `ClientSupervisor.startClient`, check `clientDiscovery`, and watch the " +
            "supervisor's events for clients that reached their restart limit"
        }
      case "OfflineQueueFull":
        return {
          message: error.message,
          suggestion: "Raise `offlineQueue.capacity`, send less while the connection is down, or watch " +
            "`client.events` (Reconnecting/Connected) and pause producers during outages"
        }
    }
  }
  const raw = rawEntry(error)
  if (raw === undefined) return undefined
  const detail = error instanceof Error ? ` (${error.message})` : ""
  return { message: raw.message + detail, suggestion: raw.suggestion }
}

const unknown = (error: unknown): Explanation => ({
  message: `Unknown error: ${show(error)}`,
  suggestion: "Check the logs for more details"
})

const causeError = (cause: Cause.Cause<unknown>): unknown =>
  Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause))

// -----------------------------------------------------------------------------
// ConnectError
// -----------------------------------------------------------------------------

const explainConnect = (error: ConnectError, depth: number): Explanation => {
  const url = error.url
  const detail = causeDetail(error.cause)
  switch (error.reason) {
    case "timeout":
      return {
        message: `Connection to ${url} timed out: TCP, TLS and the WebSocket upgrade did not complete in time${detail}`,
        suggestion: "Check network connectivity and that the server answers on that host and port, or increase the " +
          "`timeout` option (ms per attempt, default 5000)"
      }
    case "refused":
      return {
        message: `Connection refused by server at ${url}: nothing accepts connections on that host and port${detail}`,
        suggestion: "Check that the server is running and verify the URL is correct (host, port, ws:// vs wss://)"
      }
    case "dns":
      return explainDns(url, error.cause)
    case "tls":
      return explainTls(url, error.cause)
    case "http":
      return explainHttp(url, error.status, error.cause)
    case "protocol":
      return {
        message: `The server at ${url} did not complete a valid WebSocket handshake${detail}`,
        suggestion:
          "Check that the URL points to a WebSocket endpoint (not a plain HTTP page, and not behind a proxy " +
          "that strips the Upgrade header) and that the server accepts the subprotocols of the `protocols` option"
      }
    case "network":
      return explainNetwork(url, error.cause)
    case "max-attempts":
      return explainMaxAttempts(url, error.cause, depth)
    case "restore": {
      const inner = explainAt(error.cause, depth + 1)
      return {
        message: `Connected to ${url}, but a restore hook failed${inner ? `: ${inner.message}` : detail}`,
        suggestion: inner?.suggestion ?? "Check the restore hook (e.g. re-authentication credentials)"
      }
    }
    default:
      return {
        message: `Could not connect to ${url}: ${show(error.reason)}${detail}`,
        suggestion: "Verify the URL and check network connectivity"
      }
  }
}

const explainDns = (url: string, cause: unknown): Explanation => {
  const host = hostOf(url)
  if (codeOf(cause) === "EAI_AGAIN") {
    return {
      message: `DNS lookup for ${host} failed temporarily (EAI_AGAIN) while connecting to ${url}`,
      suggestion: "The DNS server did not answer in time: check this machine's network and DNS settings; the lookup " +
        "is worth retrying"
    }
  }
  return {
    message: `DNS lookup failed - host ${host} not found (${url})${causeDetail(cause)}`,
    suggestion: "Verify the hostname spelling in the URL is correct and that it resolves from this machine " +
      "(VPN, /etc/hosts, internal DNS)"
  }
}

const explainNetwork = (url: string, cause: unknown): Explanation => {
  const code = codeOf(cause)
  const raw = code === undefined ? undefined : rawTable[normalize(code)]
  if (raw !== undefined) {
    return { message: `${raw.message} while connecting to ${url}${causeDetail(cause)}`, suggestion: raw.suggestion }
  }
  return {
    message: `Network error while connecting to ${url}${causeDetail(cause)}`,
    suggestion: "Check network connectivity and the server's status; the connection is worth retrying"
  }
}

const explainMaxAttempts = (url: string, cause: unknown, depth: number): Explanation => {
  const more = "allow more attempts with the `retryCount` option (Infinity is allowed) or a longer `reconnectSchedule`"
  const last = cause === undefined ? undefined : explainAt(cause, depth + 1)
  if (last === undefined) {
    return {
      message: `Gave up connecting to ${url}: the retries ran out${causeDetail(cause)}`,
      suggestion: `Check that the server is reachable and the URL is correct; if outages are expected to last, ${more}`
    }
  }
  return {
    message: `Gave up connecting to ${url}: the retries ran out. Last attempt: ${last.message}`,
    suggestion: `${last.suggestion}. If the outage is expected to pass, ${more}`
  }
}

// -----------------------------------------------------------------------------
// TLS
// -----------------------------------------------------------------------------

const caHint = "pass the certificate of the CA that signed it, e.g. `tls: { ca: fs.readFileSync(\"ca.pem\") }` " +
  "(or add it to NODE_EXTRA_CA_CERTS)"

const tlsTable: Record<string, (host: string) => Explanation> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: (host) => ({
    message: `The TLS certificate of ${host} is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT) and not trusted`,
    suggestion: `To trust it, ${caHint}`
  }),
  SELF_SIGNED_CERT_IN_CHAIN: (host) => ({
    message: `The TLS certificate chain of ${host} ends in a self-signed root that is not trusted ` +
      "(SELF_SIGNED_CERT_IN_CHAIN), e.g. a private CA or a TLS-inspecting proxy",
    suggestion: `To trust that root, ${caHint}`
  }),
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: (host) => ({
    message: `The TLS certificate of ${host} could not be verified (UNABLE_TO_VERIFY_LEAF_SIGNATURE): ` +
      "its issuer is unknown or the server does not send the intermediate certificates",
    suggestion: "Fix the server to send its full certificate chain, or pass the issuing CA / intermediate " +
      "certificate with `tls: { ca }`"
  }),
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: (host) => ({
    message: `The issuer of the TLS certificate of ${host} is not trusted locally (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)`,
    suggestion: `If the server uses a private or corporate CA, ${caHint}`
  }),
  CERT_HAS_EXPIRED: (host) => ({
    message: `The TLS certificate of ${host} has expired (CERT_HAS_EXPIRED)`,
    suggestion: "The server must renew its certificate; also check that this machine's clock is correct"
  }),
  CERT_NOT_YET_VALID: (host) => ({
    message: `The TLS certificate of ${host} is not valid yet (CERT_NOT_YET_VALID)`,
    suggestion: "Check that this machine's clock is correct"
  }),
  ERR_TLS_CERT_ALTNAME_INVALID: (host) => ({
    message: `The TLS certificate does not match the host name ${host} (ERR_TLS_CERT_ALTNAME_INVALID)`,
    suggestion: "Connect with a host name listed in the certificate; if you connect through an IP address or an " +
      "alias, set the expected name with `tls: { servername }`"
  }),
  CERT_REVOKED: (host) => ({
    message: `The TLS certificate of ${host} has been revoked (CERT_REVOKED)`,
    suggestion: "The server must install a new certificate; do not connect until it does"
  }),
  ERR_SSL_WRONG_VERSION_NUMBER: (host) => ({
    message: `The TLS handshake with ${host} failed (ERR_SSL_WRONG_VERSION_NUMBER): the port probably does not ` +
      "speak TLS",
    suggestion: "Use ws:// if the server is not TLS-enabled on that port, or check the port number"
  })
}
tlsTable.UNABLE_TO_GET_ISSUER_CERT = tlsTable.UNABLE_TO_GET_ISSUER_CERT_LOCALLY

const explainTls = (url: string, cause: unknown): Explanation => {
  const code = codeOf(cause)
  const entry = code === undefined ? undefined : tlsTable[code]
  if (entry !== undefined) return entry(hostOf(url))
  return {
    message: `TLS/SSL handshake with ${url} failed${causeDetail(cause)}`,
    suggestion: "Check certificate validity and TLS configuration (the `tls` option: ca, cert, key, servername)"
  }
}

// -----------------------------------------------------------------------------
// HTTP upgrade refusals
// -----------------------------------------------------------------------------

const statusText: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  426: "Upgrade Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

const explainHttp = (url: string, status: number | undefined, cause: unknown): Explanation => {
  if (status === undefined) {
    return {
      message: `The server at ${url} answered the WebSocket upgrade with an unexpected HTTP response${
        causeDetail(cause)
      }`,
      suggestion: "Check that the URL points to a WebSocket endpoint"
    }
  }
  const base = `The server at ${url} rejected the WebSocket upgrade with HTTP ${status}${
    statusText[status] ? ` ${statusText[status]}` : ""
  }`
  const [more, suggestion] = httpAdvice(status, cause)
  return { message: base + more, suggestion }
}

const httpAdvice = (status: number, cause: unknown): readonly [more: string, suggestion: string] => {
  switch (status) {
    case 400:
      return [
        "",
        "Check the URL's query string and the upgrade headers (`headers` and `protocols` options) against the " +
        "server's documentation"
      ]
    case 401:
      return [
        ": the credentials are missing or invalid",
        "Check your credentials or token (e.g. the Authorization header in the `headers` option, or a token in the " +
        "URL) are valid and not expired"
      ]
    case 403:
      return [
        ": access is forbidden",
        "Forbidden: check the account's permissions, whether the server's IP allow-list includes this machine, and " +
        "whether it accepts the Origin header you send"
      ]
    case 404:
      return [
        ": there is no WebSocket endpoint at this path",
        "Wrong path: check the URL's path (e.g. /ws/api/v2) against the server's documentation"
      ]
    case 408:
      return [
        ": the server timed out waiting for the upgrade request",
        "Check network latency to the server; the connection is worth retrying"
      ]
    case 426:
      return [
        ": the server wants a different protocol",
        "Use wss:// if the server requires TLS, and check that it supports WebSocket version 13 (RFC 6455)"
      ]
    case 429: {
      const retryAfter = retryAfterOf(cause)
      return [
        `: rate limited by the server${retryAfter !== undefined ? ` (Retry-After: ${retryAfter})` : ""}`,
        "Back off before reconnecting: honour the Retry-After header if the server sends one, open fewer " +
        "connections, and keep the jittered backoff (`retryDelay`, `maxBackoff`) enabled"
      ]
    }
  }
  if (status >= 500 && status <= 599) {
    return [
      ": server-side trouble",
      "The problem is on the server (or a proxy in front of it): retry later - automatic reconnection with backoff " +
      "does this - and check the service's status page"
    ]
  }
  if (status >= 300 && status <= 399) {
    return [
      ": a redirect, which WebSocket clients do not follow",
      "Connect to the final URL directly (see the Location header of the response)"
    ]
  }
  return ["", "Check the URL, credentials and upgrade headers against the server's documentation"]
}

const retryAfterOf = (cause: unknown): string | undefined => {
  for (const holder of [cause, prop(cause, "response"), prop(cause, "res")]) {
    const headers = prop(holder, "headers")
    if (headers === undefined) continue
    const getter = prop(headers, "get")
    const value = typeof getter === "function" ? getter.call(headers, "retry-after") : prop(headers, "retry-after")
    if (typeof value === "string" || typeof value === "number") return String(value)
  }
  return undefined
}

// -----------------------------------------------------------------------------
// Disconnected, NotConnected, RequestTimeout, RpcError, InvalidOptions, SendError
// -----------------------------------------------------------------------------

const explainDisconnected = (error: Disconnected): Explanation => {
  const code = error.code
  const reason = error.reason ? `: ${error.reason}` : ""
  const [what, suggestion] = closeAdvice(code)
  return { message: `Disconnected with close code ${code} (${what})${reason}${causeDetail(error.cause)}`, suggestion }
}

const retried = "automatic reconnection retries it"

const closeAdvice = (code: number): readonly [what: string, suggestion: string] => {
  switch (code) {
    case 1000:
      return [
        "normal closure",
        "The connection was ended on purpose; if you did not close it, the server ended the session (idle timeout, " +
        `session limit, logout): reconnect if you still need it`
      ]
    case 1001:
      return ["going away: the server is shutting down or restarting", `Reconnect after a short delay; ${retried}`]
    case 1002:
      return [
        "protocol error",
        "One side sent frames that break the WebSocket protocol: check the server implementation and any proxy in " +
        "between"
      ]
    case 1003:
      return [
        "unsupported data",
        "The peer does not accept this kind of frame (e.g. binary instead of text): send the data type the server " +
        "expects"
      ]
    case 1005:
      return ["closed without a status code", `Reconnect if you still need the connection; ${retried}`]
    case 1006:
      return [
        "abnormal closure: no close frame was received",
        "The link died: a network drop, a server crash, or a heartbeat that detected a dead connection. Check " +
        "network connectivity; enable `heartbeatConfig` to detect half-open links early; " + retried
      ]
    case 1007:
      return [
        "invalid payload data, e.g. a text frame that is not valid UTF-8",
        "Send text frames as valid UTF-8 and binary data as binary frames"
      ]
    case 1008:
      return [
        "policy violation",
        "The server refused the session by policy: check authentication, permissions, and that your messages comply " +
        "with its rules (see the close reason); reconnecting as-is will likely be refused again"
      ]
    case 1009:
      return [
        "message too big",
        "A frame exceeded the size limit: if larger messages are expected, raise the `maxPayload` option (default " +
        "16 MiB); if the server closed it, send smaller messages"
      ]
    case 1010:
      return [
        "a required extension was not negotiated",
        "Check the extensions (e.g. permessage-deflate) the client requires and the server supports"
      ]
    case 1011:
      return [
        "internal server error",
        `The server hit an unexpected condition: retry later (${retried}) and report it if it persists`
      ]
    case 1012:
      return ["service restart", `The server is restarting: reconnect after a short delay; ${retried}`]
    case 1013:
      return ["try again later: the server is overloaded", `Try again later with backoff; ${retried}`]
    case 1014:
      return [
        "bad gateway: a proxy got an invalid response upstream",
        `The problem is behind the proxy: retry later; ${retried}`
      ]
    case 1015:
      return ["TLS handshake failure", "Check certificate validity and TLS configuration (the `tls` option)"]
    case 3000:
      return ["unauthorized", "Check your credentials or token are valid and not expired"]
    case 3003:
      return ["forbidden", "Check the account's permissions for this endpoint"]
    case 3008:
      return ["timeout", `The server timed the session out; ${retried}`]
  }
  if (code >= 4000 && code <= 4999) {
    return [
      "application-defined by the server",
      `Close code ${code} is specific to the server's protocol: look it up in the server's API documentation ` +
      "(the close reason may say more)"
    ]
  }
  return ["unexpected close code", "Check the close reason and the server's logs; reconnect if it is transient"]
}

const explainNotConnected = (error: NotConnected): Explanation =>
  error.state === "connecting" ?
    {
      message: "Not connected yet (state: connecting): the client is still (re)connecting, so nothing was sent",
      suggestion: "Wait for the `Connected` event on `client.events` before sending, or configure `offlineQueue` to " +
        "buffer sends while reconnecting"
    } :
    {
      message:
        `Not connected (state: ${String(error.state)}): the retries ran out or the client was closed, so nothing ` +
        "was sent",
      suggestion: "Check `client.events` for the `GaveUp` or `Closed` event and its cause; raise `retryCount` or let " +
        "a ClientSupervisor restart the client"
    }

const explainRequestTimeout = (error: RequestTimeout): Explanation => ({
  message: `Request ${String(error.id)} (${error.method}) got no response within ${error.timeoutMs} ms`,
  suggestion: "The server may be slow or may have ignored the request: check the method name and params, raise " +
    "`requestTimeout` if the call is legitimately slow, and check the server's status"
})

const rpcAdvice = (code: number): string => {
  switch (code) {
    case -32700:
      return "Parse error: the server could not parse the request as JSON; check how the payload is encoded"
    case -32600:
      return "Invalid request: the request object is not valid JSON-RPC 2.0 for this server"
    case -32601:
      return "Method not found: check the method name's spelling and the server's API version"
    case -32602:
      return "Invalid params: check the params against the method's documentation"
    case -32603:
      return "Internal JSON-RPC error on the server: retry later and report it if it persists"
  }
  if (code <= -32000 && code >= -32099) {
    return `Server error ${code} is implementation-defined: look it up in the server's API documentation`
  }
  return `Error code ${code} is defined by the server's API: look it up in its documentation (see \`data\` for details)`
}

const explainRpc = (error: RpcError): Explanation => {
  const request = error.id !== undefined || error.method !== undefined ?
    `request ${error.id !== undefined ? String(error.id) : "?"}${
      error.method !== undefined ? ` (${error.method})` : ""
    }` :
    "a request"
  const data = error.data !== undefined ? ` - data: ${show(error.data)}` : ""
  return {
    message: `The server answered ${request} with JSON-RPC error ${error.code}: ${error.message}${data}`,
    suggestion: rpcAdvice(error.code)
  }
}

const explainInvalidOptions = (error: InvalidOptions): Explanation => ({
  message: `Invalid option "${error.field}" = ${show(error.value)}: ${error.rule}`,
  suggestion: error.field === "url" ?
    "Pass an absolute ws:// or wss:// URL, e.g. \"wss://example.com/ws\"" :
    `Change \`${error.field}\` to a value that satisfies "${error.rule}"; see the ClientOptions documentation for its ` +
    "type and default"
})

const explainSend = (error: SendError): Explanation =>
  error.reason === "encode" ?
    {
      message: `The payload could not be encoded into a frame${causeDetail(error.cause)}`,
      suggestion: "Send a string, a Uint8Array, or a JSON-serialisable value (no BigInt, functions or circular " +
        "references)"
    } :
    {
      message: `The socket refused the frame${causeDetail(error.cause)}`,
      suggestion: "The connection probably closed while sending: wait for the reconnection (or configure " +
        "`offlineQueue`) and send again"
    }

// -----------------------------------------------------------------------------
// Raw reasons: the original library's atoms and Node / ws error codes
// -----------------------------------------------------------------------------

interface RawEntry extends Explanation {
  readonly recoverable: boolean
}

const entry = (message: string, suggestion: string, recoverable: boolean): RawEntry => ({
  message,
  suggestion,
  recoverable
})

const invalidFrame = entry(
  "Invalid WebSocket frame received",
  "Server sent malformed data - this may indicate a server bug",
  false
)
const frameTooLarge = entry(
  "Frame exceeds maximum size limit",
  "Increase `maxPayload` in the client options (default 16 MiB) if larger frames are expected",
  false
)
const timedOut = entry(
  "Connection timed out",
  "Check network connectivity or increase the timeout configuration",
  true
)

// Keys are normalised: lower case, `-` as `_`.
const rawTable: Record<string, RawEntry> = {
  // the original's table, verbatim (except the `frame_too_large` suggestion, which named a non-existent option)
  econnrefused: entry(
    "Connection refused by server",
    "Check that the server is running and verify the URL is correct",
    true
  ),
  timeout: timedOut,
  etimedout: timedOut,
  nxdomain: entry("DNS lookup failed - domain not found", "Verify the hostname spelling is correct", true),
  enotfound: entry("Host not found", "Verify the hostname is correct", true),
  ehostunreach: entry("Host unreachable", "Check network connectivity to the target host", true),
  enetunreach: entry("Network unreachable", "Check your network connection or VPN status", true),
  connection_failed: entry("Connection failed", "Verify the URL and check network connectivity", true),
  invalid_frame: invalidFrame,
  bad_frame: entry("Malformed frame received", "Protocol error - check server implementation", false),
  frame_too_large: frameTooLarge,
  tls_alert: entry("TLS/SSL handshake failed", "Check certificate validity and TLS configuration", false),
  unauthorized: entry("Authentication failed", "Check your API credentials are valid and not expired", false),
  invalid_credentials: entry("Invalid credentials provided", "Verify your API key and secret are correct", false),
  token_expired: entry("Authentication token has expired", "Re-authenticate to obtain a fresh token", false),
  // Node codes the original did not list
  econnreset: entry(
    "Connection reset by peer",
    "The server or a proxy/firewall in between dropped the connection: check the server's logs and that the scheme " +
      "(ws:// vs wss://) matches the port; the connection is worth retrying",
    true
  ),
  eai_again: entry(
    "DNS lookup failed temporarily",
    "The DNS server did not answer in time: check this machine's network and DNS settings; retry",
    true
  ),
  epipe: entry(
    "The connection was closed while writing",
    "The peer closed the connection: reconnect and send again",
    true
  ),
  econnaborted: entry(
    "The connection was aborted",
    "Check network connectivity; the connection is worth retrying",
    true
  ),
  // `ws` codes
  ws_err_unsupported_message_length: frameTooLarge,
  // the original's own reasons, which it left unexplained
  max_reconnection_attempts: entry(
    "Gave up reconnecting: the maximum number of reconnection attempts was reached",
    "Check that the server is reachable and the URL is correct; if outages are expected to last, allow more attempts " +
      "with the `retryCount` option (Infinity is allowed) or a longer `reconnectSchedule`",
    false
  ),
  duplicate_request_id: entry(
    "A request with this id is already in flight; the frame was not sent",
    "Let the client assign request ids (omit `id`), or wait for the earlier request with this id to complete",
    false
  ),
  disconnected: entry(
    "The connection was lost while the operation was pending",
    "The client reconnects automatically if configured to; retry the operation once it is connected again",
    true
  ),
  not_connected: entry(
    "Not connected: nothing was sent",
    "Wait for the `Connected` event before sending, or configure `offlineQueue` to buffer sends while reconnecting",
    true
  ),
  rate_limited: entry(
    "Rate limited: not enough tokens for this request",
    "Send less often, or retry after the rate limiter's suggested delay",
    true
  )
}

const normalize = (key: string): string => key.toLowerCase().replace(/-/g, "_")

const rawEntry = (error: unknown): RawEntry | undefined => {
  const key = typeof error === "string" ? error : codeOf(error)
  if (key === undefined) return undefined
  const found = rawTable[normalize(key)]
  if (found !== undefined) return found
  const tls = tlsTable[key.toUpperCase()]
  if (tls !== undefined) return { ...tls("the server"), recoverable: false }
  if (key.toUpperCase().startsWith("WS_ERR_")) return invalidFrame
  return undefined
}

// -----------------------------------------------------------------------------
// isRecoverable
// -----------------------------------------------------------------------------

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

const recoverableAt = (error: unknown, depth: number): boolean => {
  if (depth > maxDepth) return false
  if (Cause.isCause(error)) return recoverableAt(causeError(error), depth + 1)
  if (isWebSocketError(error)) {
    switch (error._tag) {
      case "ConnectError":
        return connectRecoverable(error)
      case "Disconnected":
        return !fatalCloseCodes.has(error.code)
      case "NotConnected":
      case "RequestTimeout":
      case "RateLimited":
      case "OfflineQueueFull":
      case "NoConnections":
        return true
      case "SendError":
        return error.reason === "socket"
      case "RpcError":
      case "DuplicateRequestId":
      case "InvalidOptions":
        return false
    }
  }
  return rawEntry(error)?.recoverable ?? false
}

const connectRecoverable = (error: ConnectError): boolean => {
  switch (error.reason) {
    case "timeout":
    case "refused":
    case "dns":
    case "network":
      return true
    case "restore":
      return recoverableAt(error.cause, 1)
    case "http":
      return error.status !== undefined && (error.status === 408 || error.status === 429 || error.status >= 500)
    default:
      return false
  }
}

const fatalCloseCodes: ReadonlySet<number> = new Set([1008, 1010, 1015, 3000, 3003])

// -----------------------------------------------------------------------------
// helpers
// -----------------------------------------------------------------------------

const prop = (u: unknown, key: string): unknown =>
  Predicate.isObject(u) && key in u ? (u as Record<string, unknown>)[key] : undefined

/** The Node error `code` of an error, its `cause` chain, or the first of its `errors` (AggregateError). */
const codeOf = (u: unknown, depth = 0): string | undefined => {
  if (depth > maxDepth || !Predicate.isObject(u)) return undefined
  const code = prop(u, "code")
  if (typeof code === "string") return code
  const nested = codeOf(prop(u, "cause"), depth + 1)
  if (nested !== undefined) return nested
  const errors = prop(u, "errors")
  if (Array.isArray(errors)) {
    for (const e of errors) {
      const c = codeOf(e, depth + 1)
      if (c !== undefined) return c
    }
  }
  return undefined
}

const causeDetail = (cause: unknown): string => {
  if (typeof cause === "string") return cause ? ` (${cause})` : ""
  const message = prop(cause, "message")
  return typeof message === "string" && message ? ` (${message})` : ""
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).hostname || url
  } catch {
    return url
  }
}

const maxShow = 200

/** A short, never-throwing rendering of any value. */
const show = (u: unknown): string => {
  let out: string
  try {
    out = render(u)
  } catch {
    out = "<uninspectable>"
  }
  const masked = redactUrl(out)
  return masked.length > maxShow ? `${masked.slice(0, maxShow)}…` : masked
}

const render = (u: unknown): string => {
  switch (typeof u) {
    case "string":
      return JSON.stringify(u)
    case "symbol":
      return u.toString()
    case "bigint":
      return `${u}n`
    case "function":
      return `<function ${u.name || "anonymous"}>`
    case "object":
      if (u === null) return "null"
      if (u instanceof Error) {
        const code = prop(u, "code")
        return `${u.name}: ${u.message}${typeof code === "string" ? ` [${code}]` : ""}`
      }
      return JSON.stringify(u, circularReplacer()) ?? Object.prototype.toString.call(u)
    default:
      return String(u)
  }
}

const circularReplacer = () => {
  const seen = new WeakSet<object>()
  return (_key: string, value: unknown): unknown => {
    if (typeof value === "bigint") return `${value}n`
    if (typeof value === "symbol") return value.toString()
    if (typeof value === "function") return `<function ${value.name || "anonymous"}>`
    if (Predicate.isObject(value)) {
      if (seen.has(value)) return "[Circular]"
      seen.add(value)
    }
    return value
  }
}
