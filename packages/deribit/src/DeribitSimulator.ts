/**
 * A Deribit JSON-RPC server on 127.0.0.1 that enforces Deribit's rules, for tests and demos without the internet:
 *
 * - framing as Deribit: responses carry `usIn`, `usOut`, `usDiff` (µs, from the Effect `Clock`) and `testnet`;
 *   a frame over 32 kB → `-32600`; not JSON → `-32700`; unknown method → `-32601`; bad params → `-32602`
 *   (`data: { param, reason }`, checked with the `DeribitMethods` Schemas);
 * - `public/auth` with `client_credentials`, `client_signature` (hex HMAC-SHA256 over
 *   `${timestamp}\n${nonce}\n${data}`, timestamp within 60 s, nonce single use) and `refresh_token` (rotated);
 *   wrong credentials → 13004; tokens are connection-scoped and expire after `tokenTtl`: a private method without a
 *   live token of *this* connection → 13009;
 * - `public/set_heartbeat` (≥ 10 s): every interval a `test_request` if the client was silent, else a `heartbeat`; a
 *   `test_request` not answered with `public/test` by the next interval closes the connection (1000);
 * - cancel-on-disconnect (`connection` or `account` scope): when a connection ends — any way but `private/logout` —
 *   the open orders created over it are cancelled (`cancel_reason: "cancel_on_disconnect"`);
 * - Deribit's credit model (`DeribitMethods.defaultBudgets`): an exhausted budget answers 10028 and closes the
 *   session;
 * - subscriptions: multi-channel `public|private/subscribe` answers the accepted channels; `.raw` without auth rejects
 *   the request with 13778 (or only drops that channel, `rawWithoutAuth: "dropChannel"`); ticker, trades, book
 *   (snapshot, then `new/change/delete` changes chained by `change_id` / `prev_change_id`), user orders, trades and
 *   portfolio notifications, from a seeded market generator ticking every 100 ms on the `Clock`;
 * - a tiny matching book: limit orders rest, crossing orders fill (resting user orders first), edit, cancel,
 *   cancel_all, open orders, positions and account summary follow.
 *
 * Faults: `skipChangeId`, `drop`, `stop` / `restart` (same port, state kept), `failMethod` (an error code, n times or
 * always; 10028 also ends the session), `stallMethod` (no answer, or a late one), `loseInbound` (a request lost on
 * its way in, e.g. the answer to a `test_request`). Observability: every frame in and
 * out per connection, the requests, connections (with how they closed), the book, the orders.
 *
 * Its time is the Effect `Clock` of the scope that starts it: under `TestClock`, heartbeats, token expiry, credit
 * refill and the market advance only when the test moves time. Waits (`awaitFrame`, `awaitConnections`…) time out on
 * real time, so they work under `TestClock` too.
 *
 * ```ts
 * import { DeribitSimulator } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sim = yield* DeribitSimulator.start()
 *   // connect a client to sim.url: private/get_positions answers 13009 until public/auth on that connection
 *   yield* sim.drop() // every connection lost: cancel-on-disconnect fires
 *   return yield* sim.orders({ state: "cancelled" })
 * }))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import * as DeribitMethods from "./DeribitMethods.js"
import * as api from "./internal/simulator/api.js"
import * as auth from "./internal/simulator/auth.js"
import * as internal from "./internal/simulator/simulator.js"
import type * as types from "./internal/simulator/types.js"

// -------------------------------------------------------------------------------------------------------------------
// models
// -------------------------------------------------------------------------------------------------------------------

/**
 * An API key of a simulated account.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials extends types.Credentials {}

/**
 * An instrument the simulator lists and trades (inverse perpetuals).
 *
 * @since 0.1.0
 * @category models
 */
export interface InstrumentSpec extends types.InstrumentSpec {}

/**
 * The market generator. The market ticks while some subscription needs it (a ticker, book or trades channel, or an
 * aggregated interval to flush) and idles otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export interface MarketOptions extends types.MarketOptions {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** default 0: a free port */
  readonly port?: number | undefined
  /** the endpoint path (default `/ws/api/v2`); upgrades elsewhere get 404 */
  readonly path?: string | undefined
  /** the `testnet` flag of responses (default true) */
  readonly testnet?: boolean | undefined
  /** `public/test`'s version (default `"1.2.26"`) */
  readonly version?: string | undefined
  /** the accounts (default: `defaultCredentials`) */
  readonly accounts?: ReadonlyArray<Credentials> | undefined
  /** access token lifetime, `expires_in` (default 15 minutes) */
  readonly tokenTtl?: Duration.DurationInput | undefined
  /** refresh token lifetime (default 1 hour) */
  readonly refreshTokenTtl?: Duration.DurationInput | undefined
  /** how far a `client_signature` timestamp may be from the server's clock (default 60 seconds) */
  readonly signatureWindow?: Duration.DurationInput | undefined
  /** `false` turns the credit model off; budgets override Deribit's defaults per class */
  readonly credits?: boolean | Partial<{ readonly [K in DeribitMethods.RateClass]: DeribitMethods.Budget }> | undefined
  /** the frame limit (default 32 768 bytes) */
  readonly maxFrameBytes?: number | undefined
  /** what a `.raw` channel without auth does to a subscribe request (default `"rejectRequest"`) */
  readonly rawWithoutAuth?: "rejectRequest" | "dropChannel" | undefined
  /** default: BTC-PERPETUAL and ETH-PERPETUAL */
  readonly instruments?: ReadonlyArray<InstrumentSpec> | undefined
  readonly market?: Partial<MarketOptions> | undefined
  /** frames and requests kept for observability, the newest (default 20 000) */
  readonly maxFrames?: number | undefined
}

/**
 * A frame the simulator received (`in`) or sent (`out`), with its connection and Clock time (ms).
 *
 * @since 0.1.0
 * @category models
 */
export interface FrameRecord extends types.FrameRecord {}

/**
 * A JSON-RPC request the simulator received, parsed, in arrival order.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestRecord extends types.RequestRecord {}

/**
 * How a connection ended: who closed it, the close code (1006 for a destroyed socket) and reason.
 *
 * @since 0.1.0
 * @category models
 */
export interface CloseRecord extends types.CloseRecord {}

/**
 * @since 0.1.0
 * @category models
 */
export interface ConnectionInfo extends types.ConnectionInfo {}

/**
 * The simulator's book of an instrument (generated liquidity plus resting orders), best levels first — the input of
 * `OrderBook.make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface BookState extends types.BookState {}

/**
 * An order as the wire shows it, with the account and connection that placed it.
 *
 * @since 0.1.0
 * @category models
 */
export interface OrderRecord extends types.OrderRecord {}

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof api.TypeId = api.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A running simulator. Every `Effect` here may run any number of times.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeribitSimulator extends api.DeribitSimulator {}

/**
 * @since 0.1.0
 * @category tags
 */
export const DeribitSimulator: Context.Tag<DeribitSimulator, DeribitSimulator> = Context.GenericTag<DeribitSimulator>(
  "@zen-websocket/deribit/DeribitSimulator"
)

/**
 * @example
 * ```ts
 * import { DeribitSimulator } from "@zen-websocket/deribit"
 *
 * const urlOf = (u: unknown) => DeribitSimulator.isDeribitSimulator(u) ? u.url : undefined
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isDeribitSimulator = (u: unknown): u is DeribitSimulator => Predicate.hasProperty(u, TypeId)

/**
 * The simulator could not start or listen again, an option is invalid, a wait timed out, or an instrument is unknown.
 *
 * @since 0.1.0
 * @category errors
 */
export const SimulatorError: typeof api.SimulatorError = api.SimulatorError

/**
 * @since 0.1.0
 * @category errors
 */
export type SimulatorError = api.SimulatorError

// -------------------------------------------------------------------------------------------------------------------
// defaults
// -------------------------------------------------------------------------------------------------------------------

/**
 * The default account.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultCredentials: Credentials = { clientId: "simulator-client", clientSecret: "simulator-secret" }

/**
 * BTC-PERPETUAL (tick 0.5, amount step 10 USD, around 50 000) and ETH-PERPETUAL (tick 0.05, step 1 USD, around 3 000).
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultInstruments: ReadonlyArray<InstrumentSpec> = [
  {
    name: "BTC-PERPETUAL",
    baseCurrency: "BTC",
    tickSize: 0.5,
    minTradeAmount: 10,
    contractSize: 10,
    startPrice: 50_000
  },
  { name: "ETH-PERPETUAL", baseCurrency: "ETH", tickSize: 0.05, minTradeAmount: 1, contractSize: 1, startPrice: 3_000 }
]

/**
 * The `client_signature` signature Deribit expects: hex HMAC-SHA256 keyed with the client secret over
 * `${timestamp}\n${nonce}\n${data}`.
 *
 * @example
 * ```ts
 * import { DeribitSimulator } from "@zen-websocket/deribit"
 *
 * const timestamp = Date.now()
 * const params = {
 *   grant_type: "client_signature",
 *   client_id: DeribitSimulator.defaultCredentials.clientId,
 *   timestamp,
 *   nonce: "n1",
 *   data: "",
 *   signature: DeribitSimulator.sign(DeribitSimulator.defaultCredentials.clientSecret, timestamp, "n1", "")
 * }
 * ```
 *
 * @since 0.1.0
 * @category auth
 */
export const sign: (secret: string, timestamp: number, nonce: string, data: string) => string = auth.sign

// -------------------------------------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------------------------------------

const resolve = (options: Options | undefined): types.ResolvedOptions | api.SimulatorError => {
  const credits = options?.credits ?? true
  const instruments = options?.instruments ?? defaultInstruments
  const maxFrameBytes = options?.maxFrameBytes ?? 32 * 1024
  const bad = instruments.length === 0
    ? "instruments: give at least one"
    : instruments.find((i) => !(i.tickSize > 0 && i.minTradeAmount > 0 && i.startPrice > 0)) !== undefined
    ? "instruments: tickSize, minTradeAmount and startPrice must be positive"
    : !(maxFrameBytes > 0)
    ? "maxFrameBytes: must be positive"
    : (options?.accounts ?? [defaultCredentials]).length === 0
    ? "accounts: give at least one"
    : undefined
  if (bad !== undefined) return new api.SimulatorError({ reason: `invalid options: ${bad}` })
  return {
    port: options?.port ?? 0,
    path: options?.path ?? "/ws/api/v2",
    testnet: options?.testnet ?? true,
    version: options?.version ?? "1.2.26",
    accounts: options?.accounts ?? [defaultCredentials],
    tokenTtlMs: Duration.toMillis(options?.tokenTtl ?? "15 minutes"),
    refreshTokenTtlMs: Duration.toMillis(options?.refreshTokenTtl ?? "1 hour"),
    signatureWindowMs: Duration.toMillis(options?.signatureWindow ?? "60 seconds"),
    credits: credits !== false,
    budgets: { ...DeribitMethods.defaultBudgets, ...(typeof credits === "object" ? credits : {}) },
    maxFrameBytes,
    rawWithoutAuth: options?.rawWithoutAuth ?? "rejectRequest",
    instruments,
    market: {
      generate: options?.market?.generate ?? true,
      seed: options?.market?.seed ?? 1,
      changesPerTick: options?.market?.changesPerTick ?? 2,
      tradeProbability: options?.market?.tradeProbability ?? 0.3,
      levels: options?.market?.levels ?? 10,
      tickMs: Math.max(1, Duration.toMillis(options?.market?.tick ?? "100 millis"))
    },
    maxFrames: options?.maxFrames ?? 20_000
  }
}

/**
 * Starts a simulator on 127.0.0.1; it stops when the scope closes. Its time is the scope's `Clock`.
 *
 * @example
 * ```ts
 * import { DeribitSimulator } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sim = yield* DeribitSimulator.start({ tokenTtl: "1 minute", rawWithoutAuth: "dropChannel" })
 *   yield* sim.failMethod("private/buy", { code: 10040, times: 1 }) // the next buy answers "retry"
 *   return sim.url // ws://127.0.0.1:<port>/ws/api/v2
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (options?: Options | undefined): Effect.Effect<DeribitSimulator, SimulatorError, Scope.Scope> => {
  const resolved = resolve(options)
  return resolved instanceof api.SimulatorError ? resolved : internal.make(resolved)
}

/**
 * Provides a `DeribitSimulator` for the life of the layer.
 *
 * @example
 * ```ts
 * import { DeribitSimulator } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const sim = yield* DeribitSimulator.DeribitSimulator
 *   return yield* sim.book("BTC-PERPETUAL")
 * }).pipe(Effect.provide(DeribitSimulator.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options | undefined): Layer.Layer<DeribitSimulator, SimulatorError> =>
  Layer.scoped(DeribitSimulator, start(options))
