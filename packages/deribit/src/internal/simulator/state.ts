/**
 * The simulator's mutable state: accounts, connections, tokens, instruments with their books, orders, and the outbox
 * of frames queued while one unit of work (a received frame, a market tick) runs.
 *
 * @since 0.1.0
 * @internal
 */
import type * as Clock from "effect/Clock"
import type * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type { WebSocket } from "ws"
import type * as DeribitChannels from "../../DeribitChannels.js"
import type * as DeribitMethods from "../../DeribitMethods.js"
import type { Bucket } from "./credits.js"
import type {
  CloseRecord,
  Credentials,
  FrameRecord,
  InstrumentSpec,
  MethodFault,
  RequestRecord,
  ResolvedOptions
} from "./types.js"

/** @internal */
export type Side = "bids" | "asks"

/** @internal */
export type Buckets = { [K in DeribitMethods.RateClass]: Bucket }

/** @internal */
export interface Position {
  size: number
  averagePrice: number
  realized: number
}

/** @internal */
export interface Account {
  readonly id: number
  readonly credentials: Credentials
  readonly buckets: Buckets
  readonly balances: Map<string, number>
  readonly positions: Map<string, Position>
  codDefault: boolean
}

/** @internal */
export interface Token {
  readonly value: string
  readonly kind: "access" | "refresh"
  readonly connectionId: number
  readonly account: Account
  readonly expiresAt: number
  revoked: boolean
}

/** @internal */
export interface OrderState {
  readonly id: string
  readonly account: Account
  readonly connectionId: number
  readonly instrument: Instrument
  readonly direction: "buy" | "sell"
  readonly type: "limit" | "market"
  readonly timeInForce: "good_til_cancelled" | "fill_or_kill" | "immediate_or_cancel"
  readonly label: string
  readonly postOnly: boolean
  readonly reduceOnly: boolean
  readonly createdAt: number
  /** in ticks; undefined for market orders */
  priceTicks: number | undefined
  amount: number
  filled: number
  /** sum of price × amount of the fills */
  notional: number
  state: "open" | "filled" | "cancelled" | "rejected"
  updatedAt: number
  replaced: boolean
  cancelReason: string | undefined
}

/** @internal */
export interface Level {
  liquidity: number
  readonly orders: Array<OrderState>
}

/** @internal */
export interface Instrument {
  readonly spec: InstrumentSpec
  readonly decimals: number
  readonly bids: Map<number, Level>
  readonly asks: Map<number, Level>
  changeId: number
  updatedAt: number
  /** amounts before the first change of the current batch, keyed `b:<ticks>` / `a:<ticks>` */
  readonly touched: Map<string, number>
  lastPrice: number | undefined
  lastTickDirection: number
  tradeSeq: number
  openInterest: number
  volume: number
  low: number | undefined
  high: number | undefined
}

/** @internal */
export type Subscription =
  | {
    readonly _tag: "Book"
    readonly name: string
    readonly channel: DeribitChannels.Channel & { readonly _tag: "Book" }
    readonly label: string | undefined
    lastChangeId: number
    readonly pending: Map<string, number>
    skipNext: boolean
  }
  | {
    readonly _tag: "Items"
    readonly name: string
    readonly channel: DeribitChannels.Channel
    readonly label: string | undefined
    readonly pending: Array<unknown>
  }
  | {
    readonly _tag: "Plain"
    readonly name: string
    readonly channel: DeribitChannels.Channel
    readonly label: string | undefined
  }

/** @internal */
export interface HeartbeatState {
  readonly intervalMs: number
  fiber: Fiber.RuntimeFiber<void, never> | undefined
  awaitingTest: boolean
  heard: boolean
}

/** @internal */
export interface Connection {
  readonly id: number
  readonly ws: WebSocket
  readonly buckets: Buckets
  readonly subscriptions: Map<string, Subscription>
  auth: { readonly account: Account; accessToken: Token } | undefined
  /** the connection-scope cancel-on-disconnect setting; undefined: the account's default */
  cod: boolean | undefined
  heartbeat: HeartbeatState | undefined
  loggedOut: boolean
  open: boolean
  closed: CloseRecord | undefined
}

/** @internal */
export type RunFork = <A, E>(effect: Effect.Effect<A, E>) => Fiber.RuntimeFiber<A, E>

/** @internal */
export interface State {
  readonly options: ResolvedOptions
  readonly clock: Clock.Clock
  readonly runFork: RunFork
  readonly accounts: ReadonlyArray<Account>
  readonly connections: Map<number, Connection>
  readonly closedConnections: Array<Connection>
  readonly tokens: Map<string, Token>
  readonly usedNonces: Set<string>
  readonly instruments: Map<string, Instrument>
  readonly orders: Map<string, OrderState>
  readonly faults: Array<MethodFault>
  readonly frames: Array<FrameRecord>
  readonly requests: Array<RequestRecord>
  readonly outbox: Array<readonly [Connection, string]>
  readonly dirtyPortfolios: Set<Account>
  readonly listeners: Set<() => void>
  readonly random: () => number
  /** opened when a subscription is added, so an idle market loop resumes */
  readonly wake: Effect.Latch
  nextConnectionId: number
  totalConnections: number
  nextOrderId: number
  nextTradeId: number
  ticks: number
}

/** @internal */
export const now = (state: State): number => state.clock.unsafeCurrentTimeMillis()

/** @internal */
export const nowMicros = (state: State): number => Number(state.clock.unsafeCurrentTimeNanos() / 1000n)

/** @internal */
export const accountOf = (connection: Connection): Account | undefined => connection.auth?.account

/** @internal */
export const codEnabled = (connection: Connection): boolean =>
  connection.cod ?? connection.auth?.account.codDefault ?? false

/** Wakes the waits (`awaitFrame`, `awaitConnections`). @internal */
export const signal = (state: State): void => {
  for (const listener of state.listeners) listener()
}

/** @internal */
export const trim = <A>(items: Array<A>, max: number): void => {
  if (items.length > max * 2) items.splice(0, items.length - max)
}

/** @internal */
export const ticksToPrice = (instrument: Instrument, ticks: number): number =>
  Number((ticks * instrument.spec.tickSize).toFixed(instrument.decimals))

/** @internal */
export const priceToTicks = (instrument: Instrument, price: number): number | undefined => {
  const ticks = Math.round(price / instrument.spec.tickSize)
  return Math.abs(ticks * instrument.spec.tickSize - price) < instrument.spec.tickSize * 1e-6 ? ticks : undefined
}

/** @internal */
export const decimalsOf = (tickSize: number): number => {
  const text = String(tickSize)
  const dot = text.indexOf(".")
  return dot < 0 ? 0 : text.length - dot - 1
}

/** Mulberry32: a small deterministic PRNG for the market generator. @internal */
export const prng = (seed: number): () => number => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
