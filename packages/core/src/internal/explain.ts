/**
 * The words of `ErrorHandler.explain`: one function per error, each naming the concrete problem (the URL, the HTTP
 * status, the close code, the request id and method, the option field and rule…) and reading its advice from the
 * tables (`errorTables.ts`). Never throws; unknown input is `explainAt`'s `undefined`.
 */
import * as Cause from "effect/Cause"
import * as Predicate from "effect/Predicate"
import type {
  ConnectError,
  Disconnected,
  HeartbeatTimeout,
  InvalidOptions,
  NotConnected,
  RecorderError,
  RequestTimeout,
  RpcError,
  SendError
} from "../WebSocketError.js"
import { isZenWebSocketError } from "../WebSocketError.js"
import { causeDetail, causeError, codeOf, hostOf, maxDepth, normalize, prop, rawEntry, show } from "./errorDetails.js"
import type { Explanation } from "./errorTables.js"
import * as tables from "./errorTables.js"

/** The key of an error's own explanation (`ErrorHandler.ExplainId`): venue packages explain their errors this way. */
export const ExplainId: unique symbol = Symbol.for("@zen-websocket/core/ErrorHandler/Explain")

const ownExplanation = (error: unknown): Explanation | undefined => {
  const own = Predicate.hasProperty(error, ExplainId) ? error[ExplainId] : undefined
  if (typeof own !== "function") return undefined
  const explained: unknown = own.call(error)
  return Predicate.hasProperty(explained, "message") && typeof explained.message === "string" &&
      Predicate.hasProperty(explained, "suggestion") && typeof explained.suggestion === "string"
    ? { message: explained.message, suggestion: explained.suggestion }
    : undefined
}

export const explainAt = (error: unknown, depth: number): Explanation | undefined => {
  if (depth > maxDepth) return undefined
  if (Cause.isCause(error)) return explainAt(causeError(error), depth + 1)
  const own = ownExplanation(error)
  if (own !== undefined) return own
  if (isZenWebSocketError(error)) {
    // every member of the family (a new one that is not handled here fails to compile: the switch is exhaustive)
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
      case "HeartbeatTimeout":
        return explainHeartbeat(error)
      case "RecorderError":
        return explainRecorder(error)
      case "MockAssertionError":
        return {
          message: `Mock server assertion failed: ${error.message} (${error.received.length} frame(s) received)`,
          suggestion: "Check the matcher (a string, RegExp, partial object or predicate) against `received`, make " +
            "sure the client sent the frame to this server, or raise the assertion's timeout"
        }
      case "MockServerError":
        return {
          message: `${error.message}${causeDetail(error.cause)}`,
          suggestion: "Let the mock server pick a free port (port 0, the default), check that no other server " +
            "holds the port you asked for, and see `cause` for the underlying error"
        }
      default:
        return absurd(error)
    }
  }
  const raw = rawEntry(error)
  if (raw === undefined) return undefined
  const detail = error instanceof Error ? ` (${error.message})` : ""
  return { message: raw.message + detail, suggestion: raw.suggestion }
}

const absurd = (error: never): Explanation => unknown(error)

export const unknown = (error: unknown): Explanation => ({
  message: `Unknown error: ${show(error)}`,
  suggestion: "Check the logs for more details"
})

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
        message: `Connected to ${url}, but restoring the session (restore hooks, then subscriptions) failed${
          inner ? `: ${inner.message}` : detail
        }`,
        suggestion: inner?.suggestion ??
          "Check the restore hooks (e.g. re-authentication credentials) and the channels being restored"
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
  const raw = code === undefined ? undefined : tables.raw[normalize(code)]
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

const explainTls = (url: string, cause: unknown): Explanation => {
  const code = codeOf(cause)
  const entry = code === undefined ? undefined : tables.tls[code]
  if (entry !== undefined) return entry(hostOf(url))
  return {
    message: `TLS/SSL handshake with ${url} failed${causeDetail(cause)}`,
    suggestion: "Check certificate validity and TLS configuration (the `tls` option: ca, cert, key, servername)"
  }
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
  const text = tables.statusText[status]
  const base = `The server at ${url} rejected the WebSocket upgrade with HTTP ${status}${text ? ` ${text}` : ""}`
  const { detail, suggestion } = tables.lookup(tables.httpStatuses, status)
  const retryAfter = status === 429 ? retryAfterOf(cause) : undefined
  return { message: base + detail + (retryAfter !== undefined ? ` (Retry-After: ${retryAfter})` : ""), suggestion }
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
  const { suggestion, what } = tables.lookup(tables.closeCodes, code)
  return { message: `Disconnected with close code ${code} (${what})${reason}${causeDetail(error.cause)}`, suggestion }
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

const explainRpc = (error: RpcError): Explanation => {
  const request = error.id !== undefined || error.method !== undefined ?
    `request ${error.id !== undefined ? String(error.id) : "?"}${
      error.method !== undefined ? ` (${error.method})` : ""
    }` :
    "a request"
  const data = error.data !== undefined ? ` - data: ${show(error.data)}` : ""
  return {
    message: `The server answered ${request} with JSON-RPC error ${error.code}: ${error.message}${data}`,
    suggestion: tables.lookup(tables.rpcCodes, error.code)
  }
}

const explainInvalidOptions = (error: InvalidOptions): Explanation => ({
  message: `Invalid option "${error.field}" = ${show(error.value)}: ${error.rule}`,
  suggestion: error.field === "url" ?
    "Pass an absolute ws:// or wss:// URL, e.g. \"wss://example.com/ws\"" :
    `Change \`${error.field}\` to a value that satisfies "${error.rule}"; see the ClientOptions documentation for its ` +
    "type and default"
})

const explainHeartbeat = (error: HeartbeatTimeout): Explanation => ({
  message: `The ${error.type} heartbeat declared the link dead: ${error.missed} beat(s) missed, no sign of life ` +
    `for ${error.silentMs} ms (the client terminates the socket and reconnects)`,
  suggestion: tables.heartbeatAdvice[error.type]
})

const explainRecorder = (error: RecorderError): Explanation => ({
  message: `${error.message}${error.cause instanceof Error ? "" : causeDetail(error.cause)}`,
  suggestion: tables.recorderAdvice[error.reason]
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
