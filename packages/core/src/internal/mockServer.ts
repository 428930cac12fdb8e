/**
 * The mechanics of the shipped mock server: the `node:http(s)` listener, the `ws` upgrade, the per-connection state,
 * the faults and the waits. `Testing.ts` wraps this into the typed public `MockServer`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Queue from "effect/Queue"
import * as Runtime from "effect/Runtime"
import { createServer as createHttpServer, STATUS_CODES } from "node:http"
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import type { Duplex } from "node:stream"
import type { RawData, WebSocket } from "ws"
import { WebSocketServer } from "ws"
import type {
  DisconnectMode,
  Frame,
  Handler,
  Matcher,
  MockConnection,
  ReceivedFrame,
  Reply,
  UpgradeRequest
} from "../Testing.js"

// -------------------------------------------------------------------------------------------------------------------
// models
// -------------------------------------------------------------------------------------------------------------------

/** @internal */
export interface ResolvedOptions {
  readonly port: number
  readonly path: string
  readonly tls: boolean
  readonly handler: Handler
  readonly maxReceived: number
}

/** @internal */
export interface AssertionFailure {
  readonly message: string
  readonly received: ReadonlyArray<ReceivedFrame>
}

/** @internal */
export interface StartFailure {
  readonly reason: string
  readonly cause?: unknown
}

interface Credentials {
  readonly key: string
  readonly cert: string
}

interface Faults {
  stalling: boolean
  rejectStatus: number | undefined
  rejectBody: string | undefined
  silent: boolean
  droppingPongs: boolean
  delayMs: number
}

type Outgoing =
  | { readonly kind: "data"; readonly data: string | Uint8Array; readonly dueAt: number }
  | { readonly kind: "ping" | "pong"; readonly data: string | Uint8Array | undefined; readonly dueAt: number }

type OutgoingRequest = Outgoing extends infer O ? O extends Outgoing ? Omit<O, "dueAt"> : never : never

interface Connection {
  readonly id: number
  readonly ws: WebSocket
  readonly inbox: Queue.Queue<Frame>
  readonly outbox: Array<Outgoing>
  readonly api: MockConnection
  flushTimer: ReturnType<typeof setTimeout> | undefined
  handlerFiber: Fiber.RuntimeFiber<never> | undefined
}

type Listeners<A> = Set<(value: A) => void>

interface State {
  readonly options: ResolvedOptions
  readonly credentials: Credentials | undefined
  readonly runtime: Runtime.Runtime<never>
  readonly wss: WebSocketServer
  readonly faults: Faults
  readonly servers: Set<HttpServer>
  readonly sockets: Set<Duplex>
  readonly connections: Map<number, Connection>
  readonly upgradeRequests: Array<UpgradeRequest>
  readonly onFrame: Listeners<ReceivedFrame>
  readonly onConnectionOpened: Listeners<number>
  readonly onConnectionClosed: Listeners<number>
  port: number
  listener: HttpServer | undefined
  received: Array<ReceivedFrame>
  nextConnectionId: number
  totalConnections: number
  pingsReceived: number
  pongsReceived: number
}

/**
 * The untyped-error driver that `Testing.startMockServer` turns into a `MockServer`.
 *
 * @internal
 */
export interface Driver {
  readonly url: string
  readonly port: number
  readonly ca: string | undefined
  readonly injectMessage: (message: string | Uint8Array) => Effect.Effect<void>
  readonly findOrAwaitFrame: (matcher: Matcher, timeoutMs: number) => Effect.Effect<ReceivedFrame, AssertionFailure>
  readonly receivedMessages: Effect.Effect<ReadonlyArray<ReceivedFrame>>
  readonly clearReceived: Effect.Effect<void>
  readonly connectionCount: Effect.Effect<number>
  readonly totalConnections: Effect.Effect<number>
  readonly upgradeRequests: Effect.Effect<ReadonlyArray<UpgradeRequest>>
  readonly awaitConnections: (n: number, timeoutMs: number) => Effect.Effect<void, AssertionFailure>
  readonly simulateDisconnect: (how: DisconnectMode, reason?: string | undefined) => Effect.Effect<void>
  readonly stopServer: Effect.Effect<void>
  readonly restart: Effect.Effect<void, StartFailure>
  readonly refuseConnections: (on: boolean) => Effect.Effect<void, StartFailure>
  readonly stallHandshake: (on: boolean) => Effect.Effect<void>
  readonly rejectUpgrade: (status: number | undefined, body?: string | undefined) => Effect.Effect<void>
  readonly goSilent: (on: boolean) => Effect.Effect<void>
  readonly dropPongs: (on: boolean) => Effect.Effect<void>
  readonly delayFrames: (ms: number) => Effect.Effect<void>
  readonly pingClients: (payload?: string | Uint8Array | undefined) => Effect.Effect<void>
  readonly pingsReceived: Effect.Effect<number>
  readonly pongsReceived: Effect.Effect<number>
}

/** How long a close handshake may take before the connection is terminated. */
const closeGraceMs = 1_000

const host = "127.0.0.1"

// -------------------------------------------------------------------------------------------------------------------
// start
// -------------------------------------------------------------------------------------------------------------------

/**
 * Starts listening and returns the driver. The caller owns the lifecycle (`stopServer`).
 *
 * @internal
 */
export const start = (options: ResolvedOptions): Effect.Effect<Driver, StartFailure> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const credentials = options.tls ? yield* selfSignedCredentials : undefined
    const state = makeState(options, credentials, runtime)
    yield* listen(state)
    return makeDriver(state)
  })

const makeState = (
  options: ResolvedOptions,
  credentials: Credentials | undefined,
  runtime: Runtime.Runtime<never>
): State => ({
  options,
  credentials,
  runtime,
  wss: new WebSocketServer({ noServer: true, autoPong: false, clientTracking: false }),
  faults: noFaults(),
  servers: new Set(),
  sockets: new Set(),
  connections: new Map(),
  upgradeRequests: [],
  onFrame: new Set(),
  onConnectionOpened: new Set(),
  onConnectionClosed: new Set(),
  port: options.port,
  listener: undefined,
  received: [],
  nextConnectionId: 1,
  totalConnections: 0,
  pingsReceived: 0,
  pongsReceived: 0
})

const noFaults = (): Faults => ({
  stalling: false,
  rejectStatus: undefined,
  rejectBody: undefined,
  silent: false,
  droppingPongs: false,
  delayMs: 0
})

const makeDriver = (state: State): Driver => ({
  url: `${state.credentials ? "wss" : "ws"}://${host}:${state.port}${state.options.path}`,
  port: state.port,
  ca: state.credentials?.cert,
  injectMessage: (message) => Effect.sync(() => forEachConnection(state, (c) => send(state, c, message))),
  findOrAwaitFrame: (matcher, timeoutMs) => findOrAwaitFrame(state, matcher, timeoutMs),
  receivedMessages: Effect.sync(() => keptFrames(state)),
  clearReceived: Effect.sync(() => {
    state.received = []
  }),
  connectionCount: Effect.sync(() => state.connections.size),
  totalConnections: Effect.sync(() => state.totalConnections),
  upgradeRequests: Effect.sync(() => state.upgradeRequests.slice()),
  awaitConnections: (n, timeoutMs) => awaitConnections(state, n, timeoutMs),
  simulateDisconnect: (how, reason) => simulateDisconnect(state, how, reason),
  stopServer: stop(state),
  restart: Effect.zipRight(stop(state), Effect.suspend(() => restartListening(state))),
  refuseConnections: (on) => refuseConnections(state, on),
  stallHandshake: (on) => setFault(() => state.faults.stalling = on),
  rejectUpgrade: (status, body) =>
    setFault(() => {
      state.faults.rejectStatus = status
      state.faults.rejectBody = body
    }),
  goSilent: (on) => goSilent(state, on),
  dropPongs: (on) => setFault(() => state.faults.droppingPongs = on),
  delayFrames: (ms) => setFault(() => state.faults.delayMs = Math.max(0, ms)),
  pingClients: (payload) =>
    Effect.sync(() => forEachConnection(state, (c) => enqueue(state, c, { kind: "ping", data: payload }))),
  pingsReceived: Effect.sync(() => state.pingsReceived),
  pongsReceived: Effect.sync(() => state.pongsReceived)
})

const setFault = (apply: () => void): Effect.Effect<void> => Effect.sync(apply)

const forEachConnection = (state: State, f: (connection: Connection) => void): void => {
  for (const connection of Array.from(state.connections.values())) f(connection)
}

// -------------------------------------------------------------------------------------------------------------------
// listening
// -------------------------------------------------------------------------------------------------------------------

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

// -------------------------------------------------------------------------------------------------------------------
// upgrade
// -------------------------------------------------------------------------------------------------------------------

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

const rejectHandshake = (socket: Duplex, status: number, body: string | undefined): void => {
  const statusText = STATUS_CODES[status] ?? "Unknown"
  const payload = body ?? statusText
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\n` +
      "Connection: close\r\n" +
      "Content-Type: text/plain; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n` +
      payload
  )
}

// -------------------------------------------------------------------------------------------------------------------
// connections
// -------------------------------------------------------------------------------------------------------------------

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

/** `received` may hold up to twice `maxReceived` frames (it is trimmed in bulk): this is the window users see. */
const keptFrames = (state: State): Array<ReceivedFrame> => state.received.slice(-state.options.maxReceived)

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
  notify(state.onConnectionClosed, connection.id)
}

const closeQuietly = (ws: WebSocket, code: number | undefined, reason: string | undefined): void => {
  if (ws.readyState === ws.CLOSED) return
  ws.close(code, reason)
}

const goSilent = (state: State, on: boolean): Effect.Effect<void> =>
  Effect.sync(() => {
    state.faults.silent = on
    forEachConnection(state, (c) => on ? c.ws.pause() : c.ws.resume())
  })

// -------------------------------------------------------------------------------------------------------------------
// handler
// -------------------------------------------------------------------------------------------------------------------

const runHandlerLoop = (state: State, connection: Connection): Effect.Effect<never> =>
  Effect.forever(Effect.flatMap(Queue.take(connection.inbox), (frame) => handleFrame(state, connection, frame)))

const handleFrame = (state: State, connection: Connection, frame: Frame): Effect.Effect<void> =>
  Effect.suspend(() => toReplyEffect(state.options.handler(frame, connection.api))).pipe(
    Effect.flatMap((reply) => Effect.sync(() => sendReply(state, connection, reply))),
    Effect.catchAllCause((cause) =>
      Effect.logWarning(`zen-websocket mock server: handler failed on connection ${connection.id}`, cause)
    )
  )

const toReplyEffect = (reply: Reply | Effect.Effect<Reply>): Effect.Effect<Reply> =>
  Effect.isEffect(reply) ? reply as Effect.Effect<Reply> : Effect.succeed(reply as Reply)

const sendReply = (state: State, connection: Connection, reply: Reply): void => {
  if (reply === undefined) return
  if (typeof reply === "string" || reply instanceof Uint8Array) return send(state, connection, reply)
  for (const frame of reply) send(state, connection, frame)
}

// -------------------------------------------------------------------------------------------------------------------
// outbound: silence, delay, order
// -------------------------------------------------------------------------------------------------------------------

const send = (state: State, connection: Connection, data: string | Uint8Array): void =>
  enqueue(state, connection, { kind: "data", data })

/** Every outbound frame goes through here so `delayFrames` keeps order across data, pings and pongs. */
const enqueue = (state: State, connection: Connection, request: OutgoingRequest): void => {
  if (state.faults.silent) return
  const delayMs = state.faults.delayMs
  if (delayMs === 0 && connection.outbox.length === 0) return transmit(state, connection, request)
  connection.outbox.push({ ...request, dueAt: Date.now() + delayMs } as Outgoing)
  scheduleFlush(state, connection)
}

const scheduleFlush = (state: State, connection: Connection): void => {
  const head = connection.outbox[0]
  if (connection.flushTimer !== undefined || head === undefined) return
  connection.flushTimer = setTimeout(() => {
    connection.flushTimer = undefined
    flushDue(state, connection)
  }, Math.max(0, head.dueAt - Date.now()))
}

const flushDue = (state: State, connection: Connection): void => {
  const now = Date.now()
  while (connection.outbox.length > 0 && connection.outbox[0].dueAt <= now) {
    transmit(state, connection, connection.outbox.shift()!)
  }
  scheduleFlush(state, connection)
}

const transmit = (state: State, connection: Connection, outgoing: OutgoingRequest): void => {
  const ws = connection.ws
  if (state.faults.silent || ws.readyState !== ws.OPEN) return
  switch (outgoing.kind) {
    case "data":
      return ws.send(outgoing.data)
    case "ping":
      return ws.ping(outgoing.data)
    case "pong":
      return ws.pong(outgoing.data)
  }
}

// -------------------------------------------------------------------------------------------------------------------
// disconnects
// -------------------------------------------------------------------------------------------------------------------

const simulateDisconnect = (state: State, how: DisconnectMode, reason: string | undefined): Effect.Effect<void> =>
  Effect.suspend(() => {
    const connections = Array.from(state.connections.values())
    for (const connection of connections) {
      if (how === "abnormal") connection.ws.terminate()
      else connection.ws.close(closeCodeOf(how), reason ?? defaultCloseReason(how))
    }
    return awaitClosedOrTerminate(state, connections)
  })

const closeCodeOf = (how: "normal" | "going_away" | number): number =>
  how === "normal" ? 1000 : how === "going_away" ? 1001 : how

const defaultCloseReason = (how: "normal" | "going_away" | number): string =>
  how === "normal" ? "Normal closure" : how === "going_away" ? "Server going away" : "Custom close"

/** Waits for the close handshakes (up to `closeGraceMs`, real time), then terminates what is left. */
const awaitClosedOrTerminate = (state: State, connections: ReadonlyArray<Connection>): Effect.Effect<void> => {
  const stillOpen = () => connections.filter((c) => state.connections.has(c.id))
  return awaitCondition(state.onConnectionClosed, () => stillOpen().length === 0 ? true : undefined, closeGraceMs)
    .pipe(
      Effect.catchAll(() =>
        Effect.suspend(() => {
          const left = stillOpen()
          for (const connection of left) connection.ws.terminate()
          return awaitCondition(
            state.onConnectionClosed,
            () => stillOpen().length === 0 ? true : undefined,
            closeGraceMs
          )
        })
      ),
      Effect.ignore
    )
}

// -------------------------------------------------------------------------------------------------------------------
// waits (signalled, never polled; timeouts in real time so they also work under TestClock)
// -------------------------------------------------------------------------------------------------------------------

const notify = <A>(listeners: Listeners<A>, value: A): void => {
  for (const listener of Array.from(listeners)) listener(value)
}

/**
 * Succeeds with `probe()` as soon as it is defined: now, or after a signal on `listeners`. Fails with `undefined`
 * after `timeoutMs` of real time (a `setTimeout`, not the Effect `Clock`, so a `TestClock` cannot freeze it).
 */
const awaitCondition = <A, T>(
  listeners: Listeners<T>,
  probe: (signal: T | undefined) => A | undefined,
  timeoutMs: number
): Effect.Effect<A, undefined> =>
  Effect.async<A, undefined>((resume) => {
    const found = probe(undefined)
    if (found !== undefined) return resume(Effect.succeed(found))
    const cleanup = () => {
      clearTimeout(timer)
      listeners.delete(listener)
    }
    const listener = (signal: T) => {
      const value = probe(signal)
      if (value === undefined) return
      cleanup()
      resume(Effect.succeed(value))
    }
    const timer = setTimeout(() => {
      cleanup()
      resume(Effect.fail(undefined))
    }, Math.max(0, timeoutMs))
    listeners.add(listener)
    return Effect.sync(cleanup)
  })

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

// -------------------------------------------------------------------------------------------------------------------
// matchers
// -------------------------------------------------------------------------------------------------------------------

/** @internal */
export const matches = (matcher: Matcher, frame: ReceivedFrame): boolean => {
  if (typeof matcher === "string") return frame._tag === "Text" && frame.data === matcher
  if (typeof matcher === "function") return matcher(frame)
  if (matcher instanceof RegExp) {
    matcher.lastIndex = 0
    return frame._tag === "Text" && matcher.test(frame.data)
  }
  if (matcher instanceof Uint8Array) return frame._tag === "Binary" && bytesEqual(matcher, frame.data)
  if (frame._tag !== "Text") return false
  const json = parseJsonObject(frame.data)
  return json !== undefined && Object.keys(matcher).every((key) => jsonEqual(matcher[key], json[key]))
}

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i])

const parseJsonObject = (text: string): Record<string, unknown> | undefined => {
  if (!text.startsWith("{")) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return isPlainObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const jsonEqual = (expected: unknown, actual: unknown): boolean => {
  if (expected === actual) return true
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length &&
      expected.every((item, i) => jsonEqual(item, actual[i]))
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return false
    const keys = Object.keys(expected)
    return keys.length === Object.keys(actual).length && keys.every((key) => jsonEqual(expected[key], actual[key]))
  }
  return false
}

const describeMatcher = (matcher: Matcher): string => {
  if (typeof matcher === "string") return JSON.stringify(matcher)
  if (typeof matcher === "function") return `predicate ${matcher.name || "(anonymous)"}`
  if (matcher instanceof RegExp) return String(matcher)
  if (matcher instanceof Uint8Array) return describeBytes(matcher)
  return `partial JSON ${JSON.stringify(matcher)}`
}

const shownFrames = 5

const describeReceived = (received: ReadonlyArray<ReceivedFrame>): string => {
  if (received.length === 0) return "no frames were received"
  const last = received.slice(-shownFrames)
  const lines = last.map((f) => `  [connection ${f.connectionId}] ${describeFrame(f)}`)
  return `received ${received.length} frame(s), the last ${last.length}:\n${lines.join("\n")}`
}

const describeFrame = (frame: Frame): string =>
  frame._tag === "Text" ? JSON.stringify(truncate(frame.data, 200)) : describeBytes(frame.data)

const describeBytes = (bytes: Uint8Array): string =>
  `<binary ${bytes.byteLength} bytes: ${truncate(Buffer.from(bytes).toString("hex"), 64)}>`

const truncate = (text: string, max: number): string => text.length <= max ? text : `${text.slice(0, max)}…`

// -------------------------------------------------------------------------------------------------------------------
// TLS
// -------------------------------------------------------------------------------------------------------------------

let cachedCredentials: Promise<Credentials> | undefined

/** A self-signed certificate for 127.0.0.1 and localhost, generated on first use and kept for the process. */
const selfSignedCredentials: Effect.Effect<Credentials, StartFailure> = Effect.tryPromise({
  try: () => {
    cachedCredentials ??= generateCredentials()
    cachedCredentials.catch(() => {
      cachedCredentials = undefined
    })
    return cachedCredentials
  },
  catch: (cause) => ({ reason: "cannot generate a self-signed certificate", cause })
})

const generateCredentials = async (): Promise<Credentials> => {
  const selfsigned = await import("selfsigned")
  return new Promise<Credentials>((resolve, reject) => {
    selfsigned.generate(
      [{ name: "commonName", value: host }],
      {
        days: 30,
        keySize: 2048,
        algorithm: "sha256",
        extensions: [
          { name: "basicConstraints", cA: true },
          { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true },
          { name: "extKeyUsage", serverAuth: true },
          { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: host }] }
        ]
      },
      (error, pems) => error ? reject(error) : resolve({ key: pems.private, cert: pems.cert })
    )
  })
}

// -------------------------------------------------------------------------------------------------------------------
// misc
// -------------------------------------------------------------------------------------------------------------------

const ignore = (): void => {}

const logWarning = (state: State, message: string, cause: unknown): void => {
  Runtime.runFork(state.runtime)(Effect.logWarning(`zen-websocket mock server: ${message}`, cause))
}
