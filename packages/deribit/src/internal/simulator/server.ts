/**
 * The listener: `node:http` + `ws` on 127.0.0.1, the upgrade on the endpoint path, the connection lifecycle (and
 * cancel-on-disconnect when one ends), stop and listen again on the same port.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import { createServer } from "node:http"
import type { IncomingMessage, Server as HttpServer } from "node:http"
import type { Duplex } from "node:stream"
import type { RawData, WebSocket } from "ws"
import { WebSocketServer } from "ws"
import * as credits from "./credits.js"
import * as dispatch from "./dispatch.js"
import * as io from "./io.js"
import * as matching from "./matching.js"
import type { Buckets, Connection, State } from "./state.js"
import { codEnabled, now, signal, trim } from "./state.js"
import * as timers from "./timers.js"

/** @internal */
export const host = "127.0.0.1"

/** @internal */
export interface Listener {
  readonly wss: WebSocketServer
  readonly sockets: Set<Duplex>
  http: HttpServer | undefined
  port: number
}

/** @internal */
export interface ListenFailure {
  readonly reason: string
  readonly cause?: unknown
}

/** @internal */
export const makeListener = (port: number): Listener => ({
  // frames up to 1 MiB are read, so oversized requests get Deribit's -32600 answer instead of a 1009 close
  wss: new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    perMessageDeflate: false,
    clientTracking: false
  }),
  sockets: new Set(),
  http: undefined,
  port
})

/** @internal */
export const makeBuckets = (state: Pick<State, "options">, at: number): Buckets => ({
  nonMatching: credits.full(state.options.budgets.nonMatching, at),
  subscribe: credits.full(state.options.budgets.subscribe, at),
  matching: credits.full(state.options.budgets.matching, at)
})

const ended = (state: State, connection: Connection, code: number, reason: string): void => {
  if (connection.closed === undefined) connection.closed = { by: "client", code, reason }
  connection.open = false
  timers.stopHeartbeat(connection)
  if (!state.connections.delete(connection.id)) return
  state.closedConnections.push(connection)
  trim(state.closedConnections, 1_000)
  for (const [value, token] of state.tokens) if (token.connectionId === connection.id) state.tokens.delete(value)
  if (codEnabled(connection) && !connection.loggedOut) {
    matching.cancelWhere(state, (o) => o.connectionId === connection.id, "cancel_on_disconnect")
  }
  io.flush(state)
  signal(state)
}

const accept = (state: State, ws: WebSocket): void => {
  const connection: Connection = {
    id: state.nextConnectionId++,
    ws,
    buckets: makeBuckets(state, now(state)),
    subscriptions: new Map(),
    auth: undefined,
    cod: undefined,
    heartbeat: undefined,
    loggedOut: false,
    open: true,
    closed: undefined
  }
  state.connections.set(connection.id, connection)
  state.totalConnections++
  ws.on(
    "message",
    (data: RawData) =>
      dispatch.receive(state, connection, Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer))
  )
  ws.on("close", (code: number, reason: Buffer) => ended(state, connection, code, reason.toString()))
  ws.on("error", () => {
    // the close event follows
  })
  signal(state)
}

const onUpgrade = (state: State, listener: Listener, request: IncomingMessage, socket: Duplex, head: Buffer) => {
  const path = (request.url ?? "/").split("?")[0]
  if (path !== state.options.path) {
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    return
  }
  listener.wss.handleUpgrade(request, socket, head, (ws) => accept(state, ws))
}

/** Listens on `listener.port` (the port it got is kept, so a restart takes the same one). @internal */
export const listen = (state: State, listener: Listener): Effect.Effect<void, ListenFailure> =>
  Effect.async<void, ListenFailure>((resume) => {
    const http = createServer((_request, response) => {
      response.writeHead(426, { "content-type": "text/plain" })
      response.end("WebSocket only: connect to " + state.options.path)
    })
    http.on("connection", (socket: Duplex) => {
      listener.sockets.add(socket)
      socket.on("close", () => listener.sockets.delete(socket))
    })
    http.on("upgrade", (request, socket, head) => onUpgrade(state, listener, request, socket, head))
    const onError = (cause: unknown) =>
      resume(Effect.fail({ reason: `cannot listen on ${host}:${listener.port}`, cause }))
    http.once("error", onError)
    http.listen(listener.port, host, () => {
      http.off("error", onError)
      const address = http.address()
      if (address !== null && typeof address === "object") listener.port = address.port
      listener.http = http
      resume(Effect.void)
    })
  })

/** Waits (real time, so `TestClock` does not stall it) until `done()` holds. @internal */
export const waitUntil = (
  state: State,
  done: () => boolean,
  timeoutMs: number
): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    if (done()) return resume(Effect.succeed(true))
    const listener = () => {
      if (!done()) return
      cleanup()
      resume(Effect.succeed(true))
    }
    const timer = setTimeout(() => {
      cleanup()
      resume(Effect.succeed(done()))
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      state.listeners.delete(listener)
    }
    state.listeners.add(listener)
    return Effect.sync(cleanup)
  })

const closeGraceMs = 1_000

/** Ends the chosen connections (a close code, or `undefined` to destroy the socket) and waits until they are gone. @internal */
export const drop = (
  state: State,
  select: (connection: Connection) => boolean,
  code: number | undefined,
  reason: string
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const chosen = Array.from(state.connections.values()).filter(select)
    for (const connection of chosen) {
      if (code === undefined) io.terminate(state, connection, reason)
      else io.close(state, connection, code, reason)
    }
    const gone = () => chosen.every((c) => !state.connections.has(c.id))
    return waitUntil(state, gone, closeGraceMs).pipe(
      Effect.flatMap((ok) =>
        ok ? Effect.void : Effect.sync(() => {
          for (const c of chosen) c.ws.terminate()
        }).pipe(Effect.zipRight(waitUntil(state, gone, closeGraceMs)))
      ),
      Effect.asVoid
    )
  })

/** Closes every connection with 1001 and stops listening. Idempotent. @internal */
export const stop = (state: State, listener: Listener): Effect.Effect<void> =>
  drop(state, () => true, 1001, "server shutting down").pipe(
    Effect.zipRight(Effect.async<void>((resume) => {
      const http = listener.http
      listener.http = undefined
      if (http === undefined) return resume(Effect.void)
      for (const socket of listener.sockets) socket.destroy()
      http.close(() => resume(Effect.void))
    }))
  )
