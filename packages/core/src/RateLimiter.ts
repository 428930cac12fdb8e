/**
 * A token bucket the client applies to every outbound frame (DESIGN §3.7). A send without enough tokens *waits* in a
 * bounded FIFO queue; when `maxQueue` sends already wait, it fails at once with `RateLimited` and costs nothing.
 *
 * Semantics, with `C` = `capacity`, `R` = `refillRate`, `I` = `refillInterval`:
 *
 * - **Refill.** The bucket starts full. While it is not full, `R` tokens are added every `I` ms (never above `C`):
 *   a discrete top-up, like the original's timer, computed lazily from the elapsed `Clock` time whenever the limiter
 *   is used, so there is no refill timer, no lost update and no refund. The refill clock of a full bucket stands
 *   still: the first interval starts when tokens are first taken from a full bucket (a burst of `C` at time `t` is
 *   followed by `R` more at `t + I`, `2R` at `t + 2I`…), so no burst rides on a refill that was due while the
 *   bucket was full.
 * - **FIFO.** `acquire(cost)` takes the tokens at once when nobody waits and the bucket holds `cost`. Otherwise it
 *   joins the queue; waiters are served strictly in arrival order, and a waiter is served as soon as the bucket
 *   holds its cost (a cheap send never overtakes an expensive one queued before it).
 * - **Timers.** None per limiter: only the head of the queue sleeps on the `Clock`, until the refill that covers its
 *   cost. While the level is above `low`, one watcher fiber (owned by the limiter's scope) wakes at each refill so
 *   that the way down is reported on time (to `pressureChanges` and to telemetry).
 * - **Costs** are clamped to `[0, C]` (a cost above the capacity waits for a full bucket and empties it; `NaN` counts
 *   as `C`). Tokens never go below 0.
 * - **Interruption.** An interrupted waiter leaves the queue and takes no token (tokens are only taken in the
 *   uninterruptible step that ends the acquire, so nothing is ever given back).
 * - **Pressure** is the share of the capacity in use, `(C - tokens) / C`: `low` < 25 %, `medium` < 50 %, `high` <
 *   75 %, `critical` ≥ 75 % (the seed's table); and `critical` whenever sends wait in the queue (a new send would
 *   wait too), so a refill that the queue consumes at once is not reported as a drop. `pressureChanges` emits only
 *   when the level changes; so does telemetry: each change is a `pressure` event (`Telemetry.names.pressure`, through
 *   the `Telemetry` service in context at `make`, else metrics only) and sets the `rate_limiter_pressure` and
 *   `rate_limiter_queue_size` gauges (untagged: a limiter may serve many clients).
 *
 * The bucket lives in `internal/rateLimiter.ts`, the venue cost presets (data) in `internal/costPresets.ts`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/rateLimiter.js"
import type { InvalidOptions, RateLimited } from "./WebSocketError.js"

/**
 * The cost in tokens of one outbound frame.
 *
 * @since 0.1.0
 * @category models
 */
export type CostFunction = internal.CostFunction

/**
 * The limiter's options (the encoded side of its Schema, written once in `internal/rateLimiter.ts`):
 *
 * - `capacity`: maximum number of tokens, a positive integer; the bucket starts full.
 * - `refillRate`: tokens added every `refillInterval`, a positive integer.
 * - `refillInterval`: milliseconds between refills, a positive integer (default 1000).
 * - `cost`: the cost of a frame: a function or a preset (default `"simple"`, every frame costs 1).
 * - `maxQueue`: how many sends may wait for tokens, a non-negative integer (default 100; 0 = never wait).
 *
 * @since 0.1.0
 * @category models
 */
export type RateLimiterOptions = typeof internal.Options.Encoded

/**
 * @since 0.1.0
 * @category models
 */
export type PressureLevel = internal.PressureLevel

/**
 * A snapshot of the limiter, taken at the current `Clock` time (refills up to now are applied first).
 *
 * @since 0.1.0
 * @category models
 */
export interface Status {
  /** tokens in the bucket now */
  readonly tokens: number
  readonly capacity: number
  /** sends waiting for tokens */
  readonly queueSize: number
  /** from the share of the capacity in use: low < 25 %, medium < 50 %, high < 75 %, critical ≥ 75 % or sends wait */
  readonly pressureLevel: PressureLevel
  /**
   * Milliseconds a cost-1 send made now would wait: 0 when nobody waits and a token is available; otherwise the time
   * until the refill at which every send already queued (in order) and then this one are served, assuming no waiter
   * leaves. An estimate to back off by, not a reservation.
   */
  readonly suggestedDelayMs: number
}

/**
 * A pressure level change, with the number of sends waiting at that moment.
 *
 * @since 0.1.0
 * @category models
 */
export type PressureChange = internal.PressureChange

/**
 * @since 0.1.0
 * @category models
 */
export interface RateLimiter {
  /**
   * Waits (FIFO) until `cost` tokens are available and takes them. Fails at once with `RateLimited` when `maxQueue`
   * sends already wait (and takes no token). Interrupting a waiting acquire takes no token.
   */
  readonly acquire: (cost: number) => Effect.Effect<void, RateLimited>
  /** the cost of a frame by the configured cost function */
  readonly costOf: (frame: string | Uint8Array) => number
  /** tokens, queue size, pressure and suggested delay at the current `Clock` time */
  readonly status: Effect.Effect<Status>
  /**
   * Pressure level changes, from the moment the stream is run; it ends when the limiter's scope closes. While a
   * subscriber runs and the level is above `low`, the limiter checks at every refill, so the way down is reported on
   * time too.
   */
  readonly pressureChanges: Stream.Stream<PressureChange>
}

/**
 * The limiter service.
 *
 * @since 0.1.0
 * @category tags
 */
export const RateLimiter: Context.Tag<RateLimiter, RateLimiter> = Context.GenericTag<RateLimiter>(
  "@zen-websocket/core/RateLimiter"
)

/**
 * The limiter's status (tokens after the refills due by now).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as RateLimiter from "@zen-websocket/core/RateLimiter"
 *
 * const program = Effect.gen(function*() {
 *   const limiter = yield* RateLimiter.RateLimiter
 *   const { pressureLevel, suggestedDelayMs } = yield* RateLimiter.status(limiter)
 * }).pipe(Effect.provide(RateLimiter.layer({ capacity: 20, refillRate: 5 })))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const status = (limiter: RateLimiter): Effect.Effect<Status> => limiter.status

/**
 * The pressure level of `tokens` out of `capacity`: low < 25 % in use, medium < 50 %, high < 75 %, critical ≥ 75 %.
 * (The limiter reports `critical` whenever sends wait, whatever its tokens.)
 *
 * @example
 * ```ts
 * import * as RateLimiter from "@zen-websocket/core/RateLimiter"
 *
 * RateLimiter.pressureLevel(90, 100) // "low"
 * RateLimiter.pressureLevel(10, 100) // "critical"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const pressureLevel: (tokens: number, capacity: number) => PressureLevel = internal.pressureLevel

/**
 * Cost presets.
 *
 * - `deribit`: the seed's relative weights by the JSON-RPC `method`: `public/*` 1, `private/get_*` 5,
 *   `private/set_*` 10, `private/buy` and `private/sell` 15, any other method 5. A frame without a `method` (not
 *   JSON, binary, no JSON-RPC request) costs 1; a batch costs the sum of its requests. These are relative weights, not
 *   Deribit's credits (§6.6 of the research: 500 credits per non-matching-engine request, a 50 000 pool refilled at
 *   10 000/s); size `capacity` and `refillRate` in the same unit.
 * - `binance`: approximate request weights of the Binance Spot WebSocket API (`ping`/`time` 1, `exchangeInfo` 20,
 *   `depth` 5/25/50/250 by `params.limit` ≤ 100/500/1000/more, `trades.*` 25 (`trades.aggregate` 4), `klines`,
 *   `avgPrice`, single-symbol `ticker.*`, `session.logon`, `userDataStream.*` 2, `order.place`/`order.cancel`/
 *   `order.test` 1, `order.status` 4, `openOrders.status` 6, `allOrders`/`myTrades`/`account.status` 20; any other
 *   method and frames without one 1). Check the exchange's current `rateLimits` for exact values.
 * - `simple`: every frame costs 1.
 *
 * Only text frames containing `"method"` are parsed.
 *
 * @example
 * ```ts
 * import * as RateLimiter from "@zen-websocket/core/RateLimiter"
 *
 * RateLimiter.costs.deribit("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"private/buy\"}") // 15
 * RateLimiter.costs.binance("{\"method\":\"depth\",\"params\":{\"limit\":500}}") // 25
 * ```
 *
 * @since 0.1.0
 * @category cost functions
 */
export const costs: typeof internal.costs = internal.costs

/**
 * Builds a limiter. Options are validated with `Schema`: `InvalidOptions` names the field (`capacity`, `refillRate`,
 * `refillInterval`, `cost`, `maxQueue`; an unknown key is named too), the value and the rule. The scope owns the
 * pressure watcher and ends the `pressureChanges` streams when it closes; `acquire` and `status` keep working.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as RateLimiter from "@zen-websocket/core/RateLimiter"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const limiter = yield* RateLimiter.make({ capacity: 50, refillRate: 10, cost: "deribit" })
 *   yield* limiter.acquire(limiter.costOf("{\"method\":\"private/buy\"}"))
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: RateLimiterOptions): Effect.Effect<RateLimiter, InvalidOptions, Scope.Scope> =>
  internal.make(options)

/**
 * A layer providing the {@link RateLimiter} service.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as RateLimiter from "@zen-websocket/core/RateLimiter"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * // every client connected in this context waits for tokens before each send
 * const program = Effect.scoped(Effect.flatMap(Client.connect("wss://feed.example/ws"), (c) => Client.sendMessage(c, "x")))
 * const runnable = Effect.provide(program, RateLimiter.layer({ capacity: 20, refillRate: 20, refillInterval: 1000 }))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: RateLimiterOptions): Layer.Layer<RateLimiter, InvalidOptions> =>
  Layer.scoped(RateLimiter, make(options))
