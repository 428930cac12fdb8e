/**
 * The mock server's core: the `node:http(s)` listener, the `ws` upgrade, the per-connection handler loop, the waits
 * for frames and connections, and the server object `Testing.startMockServer` returns. Its faults, matchers, TLS
 * credentials and state live in the `mock*` modules beside it.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Queue from "effect/Queue"
import * as Runtime from "effect/Runtime"
import { createServer as createHttpServer } from "node:http"
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import type { Duplex } from "node:stream"
import type { RawData, WebSocket } from "ws"
import { MockAssertionError, MockServerError } from "../WebSocketError.js"
import { enqueue, goSilent, rejectHandshake, send, setFault, simulateDisconnect } from "./mockFaults.js"
import { describeMatcher, describeReceived, matches } from "./mockMatchers.js"
import type {
  DisconnectMode,
  Frame,
  Matcher,
  MockConnection,
  ReceivedFrame,
  Reply,
  ResolvedOptions,
  UpgradeRequest
} from "./mockModels.js"
import { TypeId } from "./mockModels.js"
import type { Connection, State } from "./mockState.js"
import {
  awaitClosedOrTerminate,
  awaitCondition,
  closeQuietly,
  forEachConnection,
  host,
  ignore,
  keptFrames,
  logWarning,
  makeState,
  noFaults,
  notify
} from "./mockState.js"
import { selfSignedCredentials } from "./mockTls.js"

interface StartFailure {
  readonly reason: string
  readonly cause?: unknown
}

interface AssertionFailure {
  readonly message: string
  readonly received: ReadonlyArray<ReceivedFrame>
}

/**
 * Starts listening and returns the server (the `Testing.MockServer` interface, checked where `Testing` assigns it).
 * The caller owns the lifecycle (`stopServer`).
 */
export const start = (options: ResolvedOptions) =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const credentials = options.tls ? yield* Effect.mapError(selfSignedCredentials, startError) : undefined
    const state = makeState(options, credentials, runtime)
    yield* Effect.mapError(listen(state), startError)
    return makeServer(state)
  })

const defaultTimeoutMs = 1_000

const startError = (failure: { readonly reason: string; readonly cause?: unknown }) => new MockServerError(failure)

const assertionError = (failure: { readonly message: string; readonly received: ReadonlyArray<ReceivedFrame> }) =>
  new MockAssertionError(failure)

/** The server's face: one object per server, every Effect safe to run any number of times. */
const makeServer = (state: State) => ({
  [TypeId]: TypeId as typeof TypeId,
  url: `${state.credentials ? "wss" : "ws"}://${host}:${state.port}${state.options.path}`,
  port: state.port,
  ca: state.credentials?.cert,
  injectMessage: (message: string | Uint8Array) =>
    Effect.sync(() => forEachConnection(state, (c) => send(state, c, message))),
  assertMessageSent: (matcher: Matcher, timeoutMs?: number | undefined) =>
    Effect.mapError(findOrAwaitFrame(state, matcher, timeoutMs ?? defaultTimeoutMs), assertionError),
  receivedMessages: Effect.sync(() => keptFrames(state)),
  clearReceived: Effect.sync(() => {
    state.received = []
  }),
  connectionCount: Effect.sync(() => state.connections.size),
  totalConnections: Effect.sync(() => state.totalConnections),
  upgradeRequests: Effect.sync(() => state.upgradeRequests.slice()),
  awaitConnections: (n: number, timeoutMs?: number | undefined) =>
    Effect.mapError(awaitConnections(state, n, timeoutMs ?? defaultTimeoutMs), assertionError),
  simulateDisconnect: (how: DisconnectMode, reason?: string | undefined) => simulateDisconnect(state, how, reason),
  stopServer: stop(state),
  restart: Effect.mapError(Effect.zipRight(stop(state), Effect.suspend(() => restartListening(state))), startError),
  refuseConnections: (on: boolean) => Effect.mapError(refuseConnections(state, on), startError),
  stallHandshake: (on: boolean) => setFault(() => state.faults.stalling = on),
  rejectUpgrade: (status: number | undefined, body?: string | undefined) =>
    setFault(() => {
      state.faults.rejectStatus = status
      state.faults.rejectBody = body
    }),
  goSilent: (on: boolean) => goSilent(state, on),
  dropPongs: (on: boolean) => setFault(() => state.faults.droppingPongs = on),
  delayFrames: (ms: number) => setFault(() => state.faults.delayMs = Math.max(0, ms)),
  pingClients: (payload?: string | Uint8Array | undefined) =>
    Effect.sync(() => forEachConnection(state, (c) => enqueue(state, c, { kind: "ping", data: payload }))),
  pingsReceived: Effect.sync(() => state.pingsReceived),
  pongsReceived: Effect.sync(() => state.pongsReceived)
})

// ---- listening ----

const listen = (state: State): Effect.Effect<void, StartFailure> =>
  Effect.async<void, StartFailure>((resume) => {
    const server = makeHttpServer(state)
    const onError = (cause: Error) => {
      state.servers.delete(server)
      resume(Effect.fail({ reason: `cannot listen on ${host}:${state.port}: ${cause.message}`, cause }))
    }
    server.once("error", onError)
    server.listen(state.port, host, () => {
      server.off("error", onError)
      server.on("error", (cause) => logWarning(state, "listener error", cause))
      const address = server.address()
      if (address !== null && typeof address === "object") state.port = address.port
      state.listener = server
      resume(Effect.void)
    })
  })

const makeHttpServer = (state: State): HttpServer => {
  const server: HttpServer = state.credentials
    ? createHttpsServer({ key: state.credentials.key, cert: state.credentials.cert })
    : createHttpServer()
  state.servers.add(server)
  server.on("close", () => state.servers.delete(server))
  server.on("connection", (socket: Duplex) => trackSocket(state, socket))
  server.on("secureConnection", (socket: Duplex) => trackSocket(state, socket))
  server.on("request", answerPlainRequest)
  server.on(
    "upgrade",
    (request: IncomingMessage, socket: Duplex, head: Buffer) => onUpgrade(state, request, socket, head)
  )
  return server
}

const trackSocket = (state: State, socket: Duplex): void => {
  state.sockets.add(socket)
  socket.on("error", ignore)
  socket.once("close", () => state.sockets.delete(socket))
}

const answerPlainRequest = (_request: IncomingMessage, response: ServerResponse): void => {
  response.writeHead(426, { "Content-Type": "text/plain", "Connection": "close" })
  response.end("Upgrade Required")
}

/** Stops accepting new connections (the port is released at once); live connections stay. */
const stopListening = (state: State): void => {
  const listener = state.listener
  if (listener === undefined) return
  state.listener = undefined
  listener.close()
}

const refuseConnections = (state: State, on: boolean): Effect.Effect<void, StartFailure> =>
  Effect.suspend(() => {
    if (on) return Effect.sync(() => stopListening(state))
    return state.listener === undefined ? listen(state) : Effect.void
  })

const restartListening = (state: State): Effect.Effect<void, StartFailure> => {
  Object.assign(state.faults, noFaults())
  return listen(state)
}

const stop = (state: State): Effect.Effect<void> =>
  Effect.suspend(() => {
    stopListening(state)
    const connections = Array.from(state.connections.values())
    for (const connection of connections) {
      if (state.faults.silent) connection.ws.terminate()
      else closeQuietly(connection.ws, 1001, "Server stopping")
    }
    return awaitClosedOrTerminate(state, connections)
  }).pipe(
    Effect.zipRight(Effect.sync(() => {
      for (const socket of Array.from(state.sockets)) socket.destroy()
    })),
    Effect.zipRight(awaitServersClosed(state))
  )

const awaitServersClosed = (state: State): Effect.Effect<void> =>
  Effect.forEach(
    Array.from(state.servers),
    (server) =>
      Effect.async<void>((resume) => {
        if (!state.servers.has(server)) return resume(Effect.void)
        server.once("close", () => resume(Effect.void))
      }),
    { discard: true }
  )

// ---- upgrade ----

const onUpgrade = (state: State, request: IncomingMessage, socket: Duplex, head: Buffer): void => {
  trackSocket(state, socket)
  const upgrade: UpgradeRequest = { url: request.url ?? "/", headers: request.headers }
  state.upgradeRequests.push(upgrade)
  const faults = state.faults
  if (faults.stalling) return
  if (faults.rejectStatus !== undefined) return rejectHandshake(socket, faults.rejectStatus, faults.rejectBody)
  if (pathOf(upgrade.url) !== state.options.path) return rejectHandshake(socket, 404, undefined)
  state.wss.handleUpgrade(request, socket, head, (ws) => acceptConnection(state, ws, upgrade))
}

const pathOf = (url: string): string => {
  const queryStart = url.indexOf("?")
  return queryStart === -1 ? url : url.slice(0, queryStart)
}

// ---- connections ----

const acceptConnection = (state: State, ws: WebSocket, request: UpgradeRequest): void => {
  const connection = makeConnection(state, ws, request)
  state.connections.set(connection.id, connection)
  state.totalConnections += 1
  if (state.faults.silent) ws.pause()
  ws.on("message", (data, isBinary) => onMessage(state, connection, data, isBinary))
  ws.on("ping", (data) => onPing(state, connection, data))
  ws.on("pong", () => {
    state.pongsReceived += 1
  })
  ws.on("error", (cause) => logWarning(state, `connection ${connection.id} error`, cause))
  ws.once("close", () => onClose(state, connection))
  connection.handlerFiber = Runtime.runFork(state.runtime)(runHandlerLoop(state, connection))
  const script = state.options.onConnection
  // interruptible: the runtime was captured in the server's (uninterruptible) acquire
  if (script !== undefined) {
    connection.scriptFiber = Runtime.runFork(state.runtime)(Effect.interruptible(runScript(connection, script)))
  }
  notify(state.onConnectionOpened, state.totalConnections)
}

const makeConnection = (state: State, ws: WebSocket, request: UpgradeRequest): Connection => {
  const id = state.nextConnectionId++
  const connection: Connection = {
    id,
    ws,
    inbox: Effect.runSync(Queue.unbounded<Frame>()),
    outbox: [],
    flushTimer: undefined,
    handlerFiber: undefined,
    scriptFiber: undefined,
    api: {
      id,
      request,
      send: (frame) => send(state, connection, frame),
      close: (code, reason) => closeQuietly(ws, code, reason),
      terminate: () => ws.terminate()
    }
  }
  return connection
}

const onMessage = (state: State, connection: Connection, data: RawData, isBinary: boolean): void => {
  const frame = toFrame(data, isBinary)
  record(state, { ...frame, connectionId: connection.id, at: Date.now() })
  Queue.unsafeOffer(connection.inbox, frame)
}

const toFrame = (data: RawData, isBinary: boolean): Frame => {
  const buffer = toBuffer(data)
  return isBinary ? { _tag: "Binary", data: new Uint8Array(buffer) } : { _tag: "Text", data: buffer.toString("utf8") }
}

const toBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(new Uint8Array(data))

const record = (state: State, frame: ReceivedFrame): void => {
  state.received.push(frame)
  const max = state.options.maxReceived
  if (state.received.length >= max * 2) state.received = state.received.slice(-max)
  notify(state.onFrame, frame)
}

const onPing = (state: State, connection: Connection, data: Buffer): void => {
  state.pingsReceived += 1
  if (state.faults.droppingPongs) return
  enqueue(state, connection, { kind: "pong", data: new Uint8Array(data) })
}

const onClose = (state: State, connection: Connection): void => {
  state.connections.delete(connection.id)
  if (connection.flushTimer !== undefined) clearTimeout(connection.flushTimer)
  connection.outbox.length = 0
  connection.handlerFiber?.unsafeInterruptAsFork(FiberId.none)
  connection.scriptFiber?.unsafeInterruptAsFork(FiberId.none)
  notify(state.onConnectionClosed, connection.id)
}

// ---- handler ----

const runHandlerLoop = (state: State, connection: Connection): Effect.Effect<never> =>
  Effect.forever(Effect.flatMap(Queue.take(connection.inbox), (frame) => handleFrame(state, connection, frame)))

const handleFrame = (state: State, connection: Connection, frame: Frame): Effect.Effect<void> =>
  Effect.suspend(() => toReplyEffect(state.options.handler(frame, connection.api))).pipe(
    Effect.flatMap((reply) => Effect.sync(() => sendReply(state, connection, reply))),
    Effect.catchAllCause((cause) =>
      Effect.logWarning(`zen-websocket mock server: handler failed on connection ${connection.id}`, cause)
    )
  )

const runScript = (
  connection: Connection,
  script: (connection: MockConnection) => Effect.Effect<void>
): Effect.Effect<void> =>
  Effect.suspend(() => script(connection.api)).pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : Effect.logWarning(`zen-websocket mock server: onConnection failed on connection ${connection.id}`, cause)
    )
  )

const toReplyEffect = (reply: Reply | Effect.Effect<Reply>): Effect.Effect<Reply> =>
  Effect.isEffect(reply) ? reply as Effect.Effect<Reply> : Effect.succeed(reply as Reply)

const sendReply = (state: State, connection: Connection, reply: Reply): void => {
  if (reply === undefined) return
  if (typeof reply === "string" || reply instanceof Uint8Array) return send(state, connection, reply)
  for (const frame of reply) send(state, connection, frame)
}

// ---- waits ----
const findOrAwaitFrame = (
  state: State,
  matcher: Matcher,
  timeoutMs: number
): Effect.Effect<ReceivedFrame, AssertionFailure> =>
  awaitCondition(
    state.onFrame,
    (frame: ReceivedFrame | undefined) =>
      frame === undefined
        ? keptFrames(state).find((f) => matches(matcher, f))
        : matches(matcher, frame)
        ? frame
        : undefined,
    timeoutMs
  ).pipe(Effect.mapError(() => {
    const received = keptFrames(state)
    return {
      message: `Expected a frame matching ${describeMatcher(matcher)} within ${timeoutMs} ms; ${
        describeReceived(received)
      }`,
      received
    }
  }))

const awaitConnections = (state: State, n: number, timeoutMs: number): Effect.Effect<void, AssertionFailure> =>
  awaitCondition(state.onConnectionOpened, () => state.totalConnections >= n ? true : undefined, timeoutMs).pipe(
    Effect.asVoid,
    Effect.mapError(() => ({
      message: `Expected at least ${n} accepted connection(s) within ${timeoutMs} ms; got ${state.totalConnections}`,
      received: []
    }))
  )
