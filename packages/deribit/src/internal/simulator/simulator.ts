/**
 * Assembles the simulator: the state on the caller's `Clock`, the background fibers in a `FiberSet` of the caller's
 * scope, the listener, and the public `DeribitSimulator` object.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import * as api from "./api.js"
import { bookState, makeInstrument } from "./market.js"
import * as server from "./server.js"
import type { Account, Connection, RunFork, State } from "./state.js"
import { accountOf, codEnabled, now, prng } from "./state.js"
import * as timers from "./timers.js"
import type { ConnectionInfo, FrameRecord, OrderRecord, ResolvedOptions } from "./types.js"
import * as wire from "./wire.js"

const makeState = (options: ResolvedOptions, clock: State["clock"], runFork: RunFork): State => {
  const at = clock.unsafeCurrentTimeMillis()
  const base = { options }
  const currencies = new Set(options.instruments.map((i) => i.baseCurrency))
  const accounts: Array<Account> = options.accounts.map((credentials, i) => ({
    id: i + 1,
    credentials,
    buckets: server.makeBuckets(base, at),
    balances: new Map(Array.from(currencies, (c) => [c, 10] as const)),
    positions: new Map(),
    codDefault: false
  }))
  return {
    options,
    clock,
    runFork,
    accounts,
    connections: new Map(),
    closedConnections: [],
    tokens: new Map(),
    usedNonces: new Set(),
    instruments: new Map(
      options.instruments.map((spec) => [spec.name, makeInstrument(spec, options.market.levels, at)])
    ),
    orders: new Map(),
    faults: [],
    frames: [],
    requests: [],
    outbox: [],
    dirtyPortfolios: new Set(),
    listeners: new Set(),
    random: prng(options.market.seed),
    wake: Effect.unsafeMakeLatch(false),
    nextConnectionId: 1,
    totalConnections: 0,
    nextOrderId: 1,
    nextTradeId: 1,
    ticks: 0
  }
}

const info = (connection: Connection): ConnectionInfo => ({
  id: connection.id,
  open: connection.open,
  clientId: accountOf(connection)?.credentials.clientId,
  authenticated: connection.auth !== undefined,
  cancelOnDisconnect: codEnabled(connection),
  heartbeatSeconds: connection.heartbeat === undefined ? undefined : connection.heartbeat.intervalMs / 1000,
  subscriptions: Array.from(connection.subscriptions.keys()),
  loggedOut: connection.loggedOut,
  closed: connection.closed
})

const timeoutOf = (ms: number | undefined) => ms ?? 2_000

const listenError = (failure: server.ListenFailure) => new api.SimulatorError(failure)
const timeoutError = (what: string) => new api.SimulatorError({ reason: `timed out waiting for ${what}` })
const unknownError = (what: string) => new api.SimulatorError({ reason: `unknown ${what}` })

/** @internal */
export const make = (
  options: ResolvedOptions
): Effect.Effect<api.DeribitSimulator, api.SimulatorError, Scope.Scope> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const runFork = yield* FiberSet.makeRuntime<never, unknown, unknown>()
    const state = makeState(options, clock, runFork)
    const listener = server.makeListener(options.port)
    yield* Effect.acquireRelease(
      Effect.mapError(server.listen(state, listener), listenError),
      () => server.stop(state, listener)
    )
    runFork(timers.marketLoop(state))
    const within = (what: string, done: () => boolean, timeoutMs: number | undefined) =>
      Effect.flatMap(
        server.waitUntil(state, done, timeoutOf(timeoutMs)),
        (ok) => ok ? Effect.void : Effect.fail(timeoutError(what))
      )
    const simulator: api.DeribitSimulator = {
      [api.TypeId]: api.TypeId,
      url: `ws://${server.host}:${listener.port}${options.path}`,
      port: listener.port,
      credentials: options.accounts[0],
      frames: (filter) =>
        Effect.sync(() =>
          state.frames.filter((f) =>
            (filter?.connectionId === undefined || f.connectionId === filter.connectionId) &&
            (filter?.direction === undefined || f.direction === filter.direction)
          )
        ),
      requests: (connectionId) =>
        Effect.sync(() => state.requests.filter((r) => connectionId === undefined || r.connectionId === connectionId)),
      clearLog: Effect.sync(() => {
        state.frames.length = 0
        state.requests.length = 0
      }),
      connectionCount: Effect.sync(() => state.connections.size),
      totalConnections: Effect.sync(() => state.totalConnections),
      connections: Effect.sync(() => [...state.closedConnections, ...state.connections.values()].map(info)),
      book: (instrument) =>
        Effect.suspend(() => {
          const i = state.instruments.get(instrument)
          return i === undefined
            ? Effect.fail(unknownError(`instrument ${instrument}`))
            : Effect.succeed(bookState(i))
        }),
      orders: (filter) =>
        Effect.sync(() =>
          Array.from(state.orders.values())
            .filter((o) =>
              (filter?.clientId === undefined || o.account.credentials.clientId === filter.clientId) &&
              (filter?.instrument === undefined || o.instrument.spec.name === filter.instrument) &&
              (filter?.state === undefined || o.state === filter.state)
            )
            .map((o): OrderRecord => ({
              ...wire.order(o),
              clientId: o.account.credentials.clientId,
              connectionId: o.connectionId
            }))
        ),
      awaitConnections: (n, timeoutMs) => within(`${n} connections`, () => state.totalConnections >= n, timeoutMs),
      awaitFrame: (predicate, timeoutMs) => {
        let found: FrameRecord | undefined
        const done = () => {
          found = state.frames.find(predicate)
          return found !== undefined
        }
        return Effect.map(within("a matching frame", done, timeoutMs), () => found as FrameRecord)
      },
      awaitClosed: (connectionId, timeoutMs) =>
        within(
          `connection ${connectionId} to close`,
          () => state.closedConnections.some((c) => c.id === connectionId),
          timeoutMs
        ).pipe(Effect.map(() => info(state.closedConnections.find((c) => c.id === connectionId) as Connection))),
      tick: (n) =>
        Effect.sync(() => {
          for (let i = 0; i < (n ?? 1); i++) timers.marketTick(state, true)
        }),
      skipChangeId: (instrument) =>
        Effect.sync(() => {
          for (const connection of state.connections.values()) {
            for (const sub of connection.subscriptions.values()) {
              if (sub._tag === "Book" && (instrument === undefined || sub.channel.instrument === instrument)) {
                sub.skipNext = true
              }
            }
          }
        }),
      drop: (dropOptions) =>
        server.drop(
          state,
          (c) => dropOptions?.connectionId === undefined || c.id === dropOptions.connectionId,
          dropOptions?.code,
          dropOptions?.reason ?? "dropped by the simulator"
        ),
      stop: server.stop(state, listener),
      restart: server.stop(state, listener).pipe(
        Effect.zipRight(Effect.mapError(server.listen(state, listener), listenError))
      ),
      failMethod: (method, fault) =>
        Effect.sync(() => {
          state.faults.push({
            method,
            code: fault.code,
            message: fault.message,
            data: fault.data,
            remaining: fault.times ?? Infinity
          })
        }),
      stallMethod: (method, stall) =>
        Effect.sync(() => {
          state.faults.push({
            method,
            stall: true,
            delayMs: stall?.delay === undefined ? undefined : Duration.toMillis(stall.delay),
            remaining: stall?.times ?? Infinity
          })
        }),
      loseInbound: (method, loss) =>
        Effect.sync(() => {
          state.faults.push({ method, lose: true, remaining: loss?.times ?? Infinity })
        }),
      clearFaults: Effect.sync(() => {
        state.faults.length = 0
      }),
      now: Effect.sync(() => now(state))
    }
    return simulator
  })
