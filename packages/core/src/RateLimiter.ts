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
 *   cost. While a `pressureChanges` subscriber runs and the level is above `low`, one watcher fiber (owned by the
 *   limiter's scope) wakes at each refill so that the way down is reported on time.
 * - **Costs** are clamped to `[0, C]` (a cost above the capacity waits for a full bucket and empties it; `NaN` counts
 *   as `C`). Tokens never go below 0.
 * - **Interruption.** An interrupted waiter leaves the queue and takes no token (tokens are only taken in the
 *   uninterruptible step that ends the acquire, so nothing is ever given back).
 * - **Pressure** is the share of the capacity in use, `(C - tokens) / C`: `low` < 25 %, `medium` < 50 %, `high` <
 *   75 %, `critical` ≥ 75 % (the seed's table); and `critical` whenever sends wait in the queue (a new send would
 *   wait too), so a refill that the queue consumes at once is not reported as a drop. `pressureChanges` emits only
 *   when the level changes.
 *
 * @since 0.1.0
 */
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { InvalidOptions, RateLimited } from "./WebSocketError.js"

/**
 * The cost in tokens of one outbound frame.
 *
 * @since 0.1.0
 * @category models
 */
export type CostFunction = (frame: string | Uint8Array) => number

/**
 * @since 0.1.0
 * @category models
 */
export interface RateLimiterOptions {
  /** maximum number of tokens, a positive integer; the bucket starts full */
  readonly capacity: number
  /** tokens added every `refillInterval`, a positive integer */
  readonly refillRate: number
  /** milliseconds between refills, a positive integer (default 1000) */
  readonly refillInterval?: number | undefined
  /** the cost of a frame: a function or a preset (default `"simple"`, every frame costs 1) */
  readonly cost?: CostFunction | "deribit" | "binance" | "simple" | undefined
  /** how many sends may wait for tokens, a non-negative integer (default 100; 0 = never wait) */
  readonly maxQueue?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type PressureLevel = "low" | "medium" | "high" | "critical"

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
export interface PressureChange {
  readonly level: PressureLevel
  readonly queueSize: number
}

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
 * @since 0.1.0
 * @category accessors
 */
export const status = (limiter: RateLimiter): Effect.Effect<Status> => limiter.status

/**
 * The pressure level of `tokens` out of `capacity`: low < 25 % in use, medium < 50 %, high < 75 %, critical ≥ 75 %.
 * (The limiter reports `critical` whenever sends wait, whatever its tokens.)
 *
 * @since 0.1.0
 * @category utils
 */
export const pressureLevel = (tokens: number, capacity: number): PressureLevel => {
  const used4 = (capacity - tokens) * 4
  return used4 < capacity ? "low" : used4 < capacity * 2 ? "medium" : used4 < capacity * 3 ? "high" : "critical"
}

// -----------------------------------------------------------------------------
// cost presets
// -----------------------------------------------------------------------------

/** the JSON-RPC `method`s of a text frame (several for a batch), or undefined when it has none */
const methodsOf = (frame: string | Uint8Array): ReadonlyArray<{ method: string; params: unknown }> | undefined => {
  if (typeof frame !== "string" || !frame.includes("\"method\"")) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(frame)
  } catch {
    return undefined
  }
  const items = Array.isArray(parsed) ? parsed : [parsed]
  const methods: Array<{ method: string; params: unknown }> = []
  for (const item of items) {
    if (Predicate.isObject(item) && typeof (item as any).method === "string") {
      methods.push({ method: (item as any).method, params: (item as any).params })
    }
  }
  return methods.length === 0 ? undefined : methods
}

const sumBy = (frame: string | Uint8Array, cost: (method: string, params: unknown) => number): number => {
  const methods = methodsOf(frame)
  if (methods === undefined) return 1
  let total = 0
  for (const { method, params } of methods) total += cost(method, params)
  return total
}

const deribitMethodCost = (method: string): number =>
  method.startsWith("public/")
    ? 1
    : method === "private/buy" || method === "private/sell"
    ? 15
    : method.startsWith("private/get_")
    ? 5
    : method.startsWith("private/set_")
    ? 10
    : 5

const binanceWeights: Readonly<Record<string, number>> = {
  "ping": 1,
  "time": 1,
  "exchangeInfo": 20,
  "trades.recent": 25,
  "trades.historical": 25,
  "trades.aggregate": 4,
  "klines": 2,
  "uiKlines": 2,
  "avgPrice": 2,
  "ticker.24hr": 2,
  "ticker.price": 2,
  "ticker.book": 2,
  "session.logon": 2,
  "order.place": 1,
  "order.test": 1,
  "order.cancel": 1,
  "order.cancelReplace": 1,
  "order.status": 4,
  "openOrders.status": 6,
  "openOrders.cancelAll": 1,
  "allOrders": 20,
  "myTrades": 20,
  "account.status": 20,
  "userDataStream.start": 2,
  "userDataStream.ping": 2,
  "userDataStream.stop": 2
}

const binanceDepthWeight = (params: unknown): number => {
  const limit = Predicate.isObject(params) && typeof (params as any).limit === "number" ? (params as any).limit : 100
  return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250
}

const binanceMethodCost = (method: string, params: unknown): number =>
  method === "depth" ? binanceDepthWeight(params) : (binanceWeights[method] ?? 1)

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
 * @since 0.1.0
 * @category cost functions
 */
export const costs: {
  readonly deribit: CostFunction
  readonly binance: CostFunction
  readonly simple: CostFunction
} = {
  deribit: (frame) => sumBy(frame, deribitMethodCost),
  binance: (frame) => sumBy(frame, binanceMethodCost),
  simple: () => 1
}

// -----------------------------------------------------------------------------
// options
// -----------------------------------------------------------------------------

const message = (rule: string) => ({ message: () => rule })

const integer = (min: number, rule: string) =>
  Schema.Number.pipe(Schema.filter((n) => Number.isInteger(n) && n >= min, message(rule)))

const PositiveInt = integer(1, "must be a positive integer")

const OptionsSchema = Schema.Struct({
  capacity: PositiveInt,
  refillRate: PositiveInt,
  refillInterval: Schema.optional(integer(1, "must be a positive integer number of milliseconds")),
  cost: Schema.optional(
    Schema.Union(
      Schema.Literal("deribit", "binance", "simple"),
      Schema.declare((u): u is CostFunction => typeof u === "function")
    ).annotations(message("must be \"deribit\", \"binance\", \"simple\" or a function (frame => number)"))
  ),
  maxQueue: Schema.optional(integer(0, "must be a non-negative integer"))
})

const decode = Schema.decodeUnknownEither(OptionsSchema, { errors: "first", onExcessProperty: "error" })

interface Config {
  readonly capacity: number
  readonly refillRate: number
  readonly refillInterval: number
  readonly costOf: CostFunction
  readonly maxQueue: number
}

const validate = (options: RateLimiterOptions): Either.Either<Config, InvalidOptions> => {
  if (!Predicate.isObject(options) || Array.isArray(options)) {
    return Either.left(new InvalidOptions({ field: "options", value: options, rule: "must be an object" }))
  }
  const decoded = decode(options)
  if (Either.isLeft(decoded)) {
    const [issue] = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
    const path = issue?.path ?? []
    const field = path.length === 0 ? "options" : path.map(String).join(".")
    const rule = issue?._tag === "Unexpected" ? "is not a known option" : (issue?.message ?? "is invalid")
    const value = path.length === 0 ? options : (options as any)[path[0]]
    return Either.left(new InvalidOptions({ field, value, rule }))
  }
  const cost = options.cost ?? "simple"
  return Either.right({
    capacity: options.capacity,
    refillRate: options.refillRate,
    refillInterval: options.refillInterval ?? 1000,
    costOf: typeof cost === "function" ? cost : costs[cost],
    maxQueue: options.maxQueue ?? 100
  })
}

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

/**
 * Builds a limiter. Options are validated with `Schema`: `InvalidOptions` names the field (`capacity`, `refillRate`,
 * `refillInterval`, `cost`, `maxQueue`; an unknown key is named too), the value and the rule. The scope owns the
 * pressure watcher and ends the `pressureChanges` streams when it closes; `acquire` and `status` keep working.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: RateLimiterOptions): Effect.Effect<RateLimiter, InvalidOptions, Scope.Scope> =>
  Effect.flatMap(Effect.suspend(() => validate(options)), (config) =>
    Effect.gen(function*() {
      const clock = yield* Effect.clock
      const bucket = new Bucket(config, clock)
      yield* Effect.addFinalizer(() => bucket.shutdown)
      yield* Effect.forkScoped(bucket.watcher)
      return bucket.service()
    }))

/**
 * A layer providing the {@link RateLimiter} service.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: RateLimiterOptions): Layer.Layer<RateLimiter, InvalidOptions> =>
  Layer.scoped(RateLimiter, make(options))

// -----------------------------------------------------------------------------
// internal
// -----------------------------------------------------------------------------

/** A queued acquire; `wake` completes when it becomes the head of the queue. */
class Waiter {
  prev: Waiter | undefined = undefined
  next: Waiter | undefined = undefined
  queued = true
  isHead = false
  readonly wake = Deferred.unsafeMake<void>(FiberId.none)
  constructor(readonly cost: number) {}
}

type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * The bucket's state. Every method is synchronous and runs inside one Effect step, so on the single JS thread the
 * state is never seen half-updated: no update is lost. Tokens are only ever taken by an acquire whose fiber returns
 * right after, in an uninterruptible step (the fast path, or the head of the queue), so nothing is ever refunded.
 */
class Bucket {
  tokens: number
  /** the time of the last refill (or of the first take from a full bucket); refills are due at `anchor + k × I` */
  anchor: number
  head: Waiter | undefined = undefined
  tail: Waiter | undefined = undefined
  size = 0
  level: PressureLevel = "low"
  readonly subscribers = new Set<Queue.Queue<PressureChange>>()
  readonly watch = Effect.unsafeMakeLatch(false)
  closed = false

  constructor(readonly config: Config, readonly clock: Clock.Clock) {
    this.tokens = config.capacity
    this.anchor = clock.unsafeCurrentTimeMillis()
  }

  now(): number {
    return this.clock.unsafeCurrentTimeMillis()
  }

  /** applies the refills due by `now` (idempotent: observing more or less often changes nothing) */
  refill(now: number): void {
    const { capacity, refillInterval, refillRate } = this.config
    const due = Math.floor((now - this.anchor) / refillInterval)
    if (due <= 0) return
    this.anchor += due * refillInterval
    this.tokens = Math.min(capacity, this.tokens + due * refillRate)
  }

  /** takes `cost` tokens (the caller checked they are there); taking from a full bucket starts the refill clock */
  take(cost: number, now: number): void {
    if (this.tokens >= this.config.capacity) this.anchor = now
    this.tokens -= cost
  }

  enqueue(waiter: Waiter): void {
    waiter.prev = this.tail
    if (this.tail === undefined) this.head = waiter
    else this.tail.next = waiter
    this.tail = waiter
    this.size++
  }

  unlink(waiter: Waiter): void {
    if (!waiter.queued) return
    waiter.queued = false
    if (waiter.prev === undefined) this.head = waiter.next
    else waiter.prev.next = waiter.next
    if (waiter.next === undefined) this.tail = waiter.prev
    else waiter.next.prev = waiter.prev
    waiter.prev = waiter.next = undefined
    this.size--
  }

  /** wakes the first waiter of the queue when it has not been woken yet */
  promote(): void {
    const head = this.head
    if (head !== undefined && !head.isHead) {
      head.isHead = true
      Deferred.unsafeDone(head.wake, Exit.void)
    }
  }

  /** the time of the refill that covers `cost` */
  readyAt(cost: number): number {
    const intervals = Math.ceil((cost - this.tokens) / this.config.refillRate)
    return this.anchor + Math.max(1, intervals) * this.config.refillInterval
  }

  clamp(cost: number): number {
    return Number.isNaN(cost) ? this.config.capacity : Math.min(Math.max(cost, 0), this.config.capacity)
  }

  notePressure(): void {
    const level = this.size > 0 ? "critical" : pressureLevel(this.tokens, this.config.capacity)
    if (level !== this.level) {
      this.level = level
      const change: PressureChange = { level, queueSize: this.size }
      for (const subscriber of this.subscribers) subscriber.unsafeOffer(change)
    }
    if (this.level !== "low" && this.subscribers.size > 0) this.watch.unsafeOpen()
    else this.watch.unsafeClose()
  }

  observe(now: number): void {
    this.refill(now)
    this.notePressure()
  }

  status(): Status {
    const now = this.now()
    this.observe(now)
    return {
      tokens: this.tokens,
      capacity: this.config.capacity,
      queueSize: this.size,
      pressureLevel: this.level,
      suggestedDelayMs: this.suggestedDelay(now)
    }
  }

  /** replays the queue in order against the refill schedule, then a cost-1 send */
  suggestedDelay(now: number): number {
    const { capacity, refillInterval, refillRate } = this.config
    let tokens = this.tokens
    let intervals = 0
    const serve = (cost: number) => {
      if (tokens >= cost) {
        tokens -= cost
        return
      }
      const needed = Math.ceil((cost - tokens) / refillRate)
      intervals += needed
      tokens = Math.min(capacity, tokens + needed * refillRate) - cost
    }
    for (let waiter = this.head; waiter !== undefined; waiter = waiter.next) serve(waiter.cost)
    serve(this.clamp(1))
    return intervals === 0 ? 0 : Math.max(0, this.anchor + intervals * refillInterval - now)
  }

  acquire(cost: number): Effect.Effect<void, RateLimited> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        const clamped = this.clamp(cost)
        const now = this.now()
        this.refill(now)
        if (this.size === 0 && this.tokens >= clamped) {
          this.take(clamped, now)
          this.notePressure()
          return Effect.void
        }
        this.notePressure()
        if (this.size >= this.config.maxQueue) {
          return Effect.fail(new RateLimited({ queueSize: this.size, cost: clamped }))
        }
        const waiter = new Waiter(clamped)
        this.enqueue(waiter)
        this.promote()
        const turn = waiter.isHead
          ? this.serveHead(waiter, restore)
          : Effect.zipRight(restore(Deferred.await(waiter.wake)), this.serveHead(waiter, restore))
        return Effect.onExit(turn, (exit) => Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => this.leave(waiter)))
      })
    )
  }

  /** the head of the queue: takes its tokens when they are there, else sleeps until the refill that covers them */
  serveHead(waiter: Waiter, restore: Restore): Effect.Effect<void> {
    return Effect.suspend(() => {
      const now = this.now()
      this.refill(now)
      if (this.tokens >= waiter.cost) {
        this.take(waiter.cost, now)
        this.unlink(waiter)
        this.promote()
        this.notePressure()
        return Effect.void
      }
      this.notePressure()
      return Effect.zipRight(
        restore(this.clock.sleep(Duration.millis(this.readyAt(waiter.cost) - now))),
        this.serveHead(waiter, restore)
      )
    })
  }

  /** an acquire ended without taking its tokens (interrupted): it leaves the queue, the next one becomes head */
  leave(waiter: Waiter): void {
    this.unlink(waiter)
    this.promote()
    this.observe(this.now())
  }

  /** while a subscriber listens and the level is above low: observe every refill so the way down is reported */
  get watcher(): Effect.Effect<never> {
    const step = Effect.zipRight(
      this.watch.await,
      Effect.suspend(() => {
        const now = this.now()
        this.observe(now)
        if (this.level === "low" || this.subscribers.size === 0) return Effect.void
        return Effect.zipRight(
          this.clock.sleep(Duration.millis(this.anchor + this.config.refillInterval - now)),
          Effect.sync(() => this.observe(this.now()))
        )
      })
    )
    return Effect.forever(step)
  }

  get pressureChanges(): Stream.Stream<PressureChange> {
    const subscribe = Effect.acquireRelease(
      Effect.tap(Queue.unbounded<PressureChange>(), (queue) =>
        Effect.sync(() => {
          if (this.closed) return
          this.subscribers.add(queue)
          this.observe(this.now())
        })),
      (queue) =>
        Effect.zipRight(
          Effect.sync(() => {
            this.subscribers.delete(queue)
            this.notePressure()
          }),
          Queue.shutdown(queue)
        )
    )
    return Stream.unwrapScoped(Effect.map(subscribe, (queue) => this.closed ? Stream.empty : Stream.fromQueue(queue)))
  }

  get shutdown(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.closed = true
      const subscribers = Array.from(this.subscribers)
      this.subscribers.clear()
      this.watch.unsafeClose()
      return Effect.forEach(subscribers, Queue.shutdown, { discard: true })
    })
  }

  service(): RateLimiter {
    return {
      acquire: (cost) => this.acquire(cost),
      costOf: (frame) => this.config.costOf(frame),
      status: Effect.sync(() => this.status()),
      pressureChanges: this.pressureChanges
    }
  }
}
