/**
 * The one place that touches `ws`: open a connection in a scope, frames in, frames out, ping, close.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import type * as Http from "node:http"
import type * as Net from "node:net"
import type * as Tls from "node:tls"
import WebSocket from "ws"
import type { ConnectErrorReason } from "../WebSocketError.js"
import { ConnectError, InvalidOptions } from "../WebSocketError.js"

/** What the transport needs to open one connection. */
export interface OpenOptions {
  readonly url: string
  /** the URL as errors show it (`ClientOptions.showUrl`: secrets masked, a `Redacted` one as `<redacted>`) */
  readonly shownUrl: string
  readonly timeout: number
  /** the longest close handshake (ours or the peer's), then the socket is destroyed */
  readonly closeTimeout: number
  readonly headers: Readonly<Record<string, string>>
  readonly protocols: ReadonlyArray<string>
  readonly maxPayload: number
  readonly tls: Tls.ConnectionOptions | undefined
}

/** Synchronous listeners installed before the socket opens, so no frame is ever missed. */
export interface Listeners {
  readonly onMessage: (data: Buffer, isBinary: boolean) => void
  readonly onPong: (data: Buffer) => void
  readonly onPing: (data: Buffer) => void
  readonly onClose: (code: number, reason: string, cause: unknown) => void
  readonly onError: (error: Error) => void
}

/** The details of a refused upgrade, kept as the `cause` of a `ConnectError` with reason `http`. */
export interface UpgradeResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: Http.IncomingHttpHeaders
}

/**
 * Opens one WebSocket and waits for the upgrade. The socket is closed (1000) when the scope closes. A close handshake
 * never lasts longer than `closeTimeout`, whoever started it (a peer that sends a close frame or a bad frame and then
 * ignores ours included): `ws` then destroys the socket, and its `close` ends the connection. A socket `ws` refuses
 * to create (a header or subprotocol Node rejects) fails with `InvalidOptions` instead of throwing.
 */
export const open = (
  options: OpenOptions,
  listeners: Listeners
): Effect.Effect<WebSocket, ConnectError | InvalidOptions, Scope.Scope> =>
  Effect.flatMap(Effect.scope, (scope) =>
    // `Scope.addFinalizer`, not `acquireRelease`: that would keep a copy of the fiber's FiberRefs per connection
    Effect.uninterruptible(Effect.suspend(() => {
      const ws = create(options, listeners)
      if (!(ws instanceof WebSocket)) return Effect.fail(ws)
      return Effect.as(Scope.addFinalizer(scope, closeGracefully(ws, options.closeTimeout)), ws)
    })).pipe(
      Effect.tap((ws) => awaitOpen(ws, options.shownUrl)),
      Effect.timeoutFail({
        duration: Duration.millis(options.timeout),
        onTimeout: () =>
          new ConnectError({
            reason: "timeout",
            url: options.shownUrl,
            cause: `no WebSocket upgrade within ${options.timeout} ms`
          })
      })
    ))

const create = (options: OpenOptions, listeners: Listeners): WebSocket | InvalidOptions => {
  let ws: WebSocket
  try {
    ws = new WebSocket(options.url, [...options.protocols], {
      headers: { ...options.headers },
      maxPayload: options.maxPayload,
      // ws 8.23 honours `closeTimeout` (its default is 30 s); @types/ws 8.18 does not declare it yet
      ...({ closeTimeout: options.closeTimeout } as object),
      perMessageDeflate: false,
      followRedirects: false,
      ...options.tls
    })
  } catch (cause) {
    return refused(cause)
  }
  let lastError: unknown = undefined
  // an 'error' without listener would crash the process: keep one for the socket's whole life
  ws.on("error", (error) => {
    lastError = error
    if (ws.readyState !== WebSocket.CONNECTING) listeners.onError(error)
  })
  ws.on("message", listeners.onMessage)
  ws.on("pong", listeners.onPong)
  ws.on("ping", listeners.onPing)
  ws.on("close", (code, reason) => listeners.onClose(closeCodeOf(code, lastError), reason.toString(), lastError))
  return ws
}

/** What `ws` (or Node's HTTP client under it) threw at construction, as the option it names. */
const refused = (cause: unknown): InvalidOptions => {
  const code = (cause as { readonly code?: unknown } | undefined)?.code
  const message = cause instanceof Error ? cause.message : String(cause)
  const field =
    code === "ERR_INVALID_HTTP_TOKEN" || code === "ERR_INVALID_CHAR" || code === "ERR_HTTP_INVALID_HEADER_VALUE"
      ? "headers"
      : /subprotocol/i.test(message)
      ? "protocols"
      : /tls|cert|key|ca\b/i.test(message)
      ? "tls"
      : "url"
  return new InvalidOptions({ field, value: undefined, rule: `was refused by the WebSocket client: ${message}` })
}

/**
 * When `ws` rejects an inbound frame (too large, invalid UTF-8, bad opcode) it sends the matching close code (1009,
 * 1007, 1002) but reports 1006 locally because it stops reading: surface the code it sent.
 */
const closeCodeOf = (code: number, error: unknown): number => {
  if (code !== 1006 || !(error instanceof Error)) return code
  const key = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === "status-code")
  const sent = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key]
  return typeof sent === "number" ? sent : code
}

/** The `ws` error for an inbound frame over `maxPayload`. */
export const isFrameTooLarge = (error: unknown): boolean =>
  error instanceof Error && (error as { code?: unknown }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"

/** Waits for the upgrade; whichever listener fires first removes all three (none may outlive the wait). */
const awaitOpen = (ws: WebSocket, url: string): Effect.Effect<void, ConnectError> =>
  Effect.async<void, ConnectError>((resume) => {
    const settle = (result: Effect.Effect<void, ConnectError>) => {
      removeListeners()
      resume(result)
    }
    const onOpen = () => settle(Effect.void)
    const onError = (error: Error) => settle(Effect.fail(classify(url, error)))
    const onResponse = (_request: Http.ClientRequest, response: Http.IncomingMessage) => {
      const status = response.statusCode ?? 0
      const cause: UpgradeResponse = { status, statusText: response.statusMessage ?? "", headers: response.headers }
      response.resume()
      ws.terminate()
      settle(Effect.fail(new ConnectError({ reason: "http", url, status, cause })))
    }
    const removeListeners = () => {
      ws.off("open", onOpen)
      ws.off("error", onError)
      ws.off("unexpected-response", onResponse)
    }
    ws.once("open", onOpen)
    ws.once("error", onError)
    ws.once("unexpected-response", onResponse)
    return Effect.sync(removeListeners)
  })

const tlsCodes = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_TLS_HANDSHAKE_TIMEOUT",
  "EPROTO"
])

const reasonOf = (error: Error & { code?: unknown }): ConnectErrorReason => {
  const code = typeof error.code === "string" ? error.code : ""
  if (code === "ECONNREFUSED") return "refused"
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || code === "EAI_FAIL") return "dns"
  if (code === "ETIMEDOUT") return "timeout"
  if (tlsCodes.has(code) || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return "tls"
  if (code === "") return "protocol"
  return "network"
}

const classify = (url: string, error: Error): ConnectError =>
  new ConnectError({ reason: reasonOf(error), url, cause: error })

/** Sends a close frame with `code` and waits up to `graceMs` for the close handshake, then terminates. */
export const closeGracefully = (ws: WebSocket, graceMs: number, code = 1000, reason = ""): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (ws.readyState === WebSocket.CLOSED) return resume(Effect.void)
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate()
      return resume(Effect.void)
    }
    // a real timer on purpose: the close handshake happens on the wire, not on the (possibly test) Clock
    const timer = setTimeout(() => ws.terminate(), graceMs)
    ws.once("close", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    if (ws.readyState === WebSocket.OPEN) ws.close(code, reason)
  })

/** Sends one frame; false when the socket is not open. */
export const send = (ws: WebSocket, data: string | Uint8Array): boolean => {
  if (ws.readyState !== WebSocket.OPEN) return false
  if (typeof data === "string") ws.send(data)
  else ws.send(data, { binary: true })
  return true
}

/** @internal */
export const isOpen = (ws: WebSocket): boolean => ws.readyState === WebSocket.OPEN

/** Waits until the socket flushed its write buffer (or closed). */
export const awaitDrain = (ws: WebSocket): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const raw = (ws as unknown as { _socket?: Net.Socket })._socket
    if (raw === undefined || ws.readyState !== WebSocket.OPEN) return resume(Effect.void)
    const done = () => {
      raw.off("drain", done)
      ws.off("close", done)
      resume(Effect.void)
    }
    raw.once("drain", done)
    ws.once("close", done)
    return Effect.sync(() => {
      raw.off("drain", done)
      ws.off("close", done)
    })
  })
