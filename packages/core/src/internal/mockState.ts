/**
 * The mock server's state and the waits on it: what every part of the server reads and writes (listeners, live
 * connections, received frames, faults, counters), and `awaitCondition`, the signalled wait (never a poll) whose
 * timeout runs on real time so assertions also work in tests that use `TestClock`.
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Queue from "effect/Queue"
import * as Runtime from "effect/Runtime"
import type { Server as HttpServer } from "node:http"
import type { Duplex } from "node:stream"
import type { WebSocket } from "ws"
import { WebSocketServer } from "ws"
import type { Frame, MockConnection, ReceivedFrame, ResolvedOptions, UpgradeRequest } from "./mockModels.js"
import type { Credentials } from "./mockTls.js"

/** How long a close handshake may take before the connection is terminated. */
export const closeGraceMs = 1_000

export const host = "127.0.0.1"

export interface Faults {
  stalling: boolean
  rejectStatus: number | undefined
  rejectBody: string | undefined
  silent: boolean
  droppingPongs: boolean
  delayMs: number
}

export type Outgoing =
  | { readonly kind: "data"; readonly data: string | Uint8Array; readonly dueAt: number }
  | { readonly kind: "ping" | "pong"; readonly data: string | Uint8Array | undefined; readonly dueAt: number }

export type OutgoingRequest = Outgoing extends infer O ? O extends Outgoing ? Omit<O, "dueAt"> : never : never

export interface Connection {
  readonly id: number
  readonly ws: WebSocket
  readonly inbox: Queue.Queue<Frame>
  readonly outbox: Array<Outgoing>
  readonly api: MockConnection
  flushTimer: ReturnType<typeof setTimeout> | undefined
  handlerFiber: Fiber.RuntimeFiber<never> | undefined
  scriptFiber: Fiber.RuntimeFiber<void> | undefined
}

export type Listeners<A> = Set<(value: A) => void>

export interface State {
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

export const makeState = (
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

export const noFaults = (): Faults => ({
  stalling: false,
  rejectStatus: undefined,
  rejectBody: undefined,
  silent: false,
  droppingPongs: false,
  delayMs: 0
})

export const forEachConnection = (state: State, f: (connection: Connection) => void): void => {
  for (const connection of Array.from(state.connections.values())) f(connection)
}

/** `received` may hold up to twice `maxReceived` frames (it is trimmed in bulk): this is the window users see. */
export const keptFrames = (state: State): Array<ReceivedFrame> => state.received.slice(-state.options.maxReceived)

export const closeQuietly = (ws: WebSocket, code: number | undefined, reason: string | undefined): void => {
  if (ws.readyState === ws.CLOSED) return
  ws.close(code, reason)
}

export const notify = <A>(listeners: Listeners<A>, value: A): void => {
  for (const listener of Array.from(listeners)) listener(value)
}

/**
 * Succeeds with `probe()` as soon as it is defined: now, or after a signal on `listeners`. Fails with `undefined`
 * after `timeoutMs` of real time (a `setTimeout`, not the Effect `Clock`, so a `TestClock` cannot freeze it).
 */
export const awaitCondition = <A, T>(
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

/** Waits for the close handshakes (up to `closeGraceMs`, real time), then terminates what is left. */
export const awaitClosedOrTerminate = (state: State, connections: ReadonlyArray<Connection>): Effect.Effect<void> => {
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

export const ignore = (): void => {}

export const logWarning = (state: State, message: string, cause: unknown): void => {
  Runtime.runFork(state.runtime)(Effect.logWarning(`zen-websocket mock server: ${message}`, cause))
}
