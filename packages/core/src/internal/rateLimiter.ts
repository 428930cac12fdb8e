/**
 * The body of `RateLimiter`: the options Schema, and the token bucket with its FIFO wait queue, its lazy refill and
 * its pressure watcher (the semantics are documented on the `RateLimiter` page).
 */
import type * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as EffectRuntime from "effect/Runtime"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Telemetry from "../Telemetry.js"
import { type InvalidOptions, RateLimited } from "../WebSocketError.js"
import * as presets from "./costPresets.js"
import { bounded, decodeOptions, maxItems, maxTimerMs, PositiveInt, rule } from "./schemaRules.js"

/** The cost in tokens of one outbound frame. */
export type CostFunction = (frame: string | Uint8Array) => number

export type PressureLevel = "low" | "medium" | "high" | "critical"

/** The pressure level of `tokens` out of `capacity`: low < 25 % in use, medium < 50 %, high < 75 %, critical ≥ 75 %. */
export const pressureLevel = (tokens: number, capacity: number): PressureLevel => {
  const used4 = (capacity - tokens) * 4
  return used4 < capacity ? "low" : used4 < capacity * 2 ? "medium" : used4 < capacity * 3 ? "high" : "critical"
}

/** A pressure level change, with the number of sends waiting at that moment. */
export interface PressureChange {
  readonly level: PressureLevel
  readonly queueSize: number
}

/** The cost presets. */
export const costs: {
  readonly deribit: CostFunction
  readonly binance: CostFunction
  readonly simple: CostFunction
} = {
  deribit: presets.frameCost(presets.deribit),
  binance: presets.frameCost(presets.binance),
  simple: () => 1
}

/** The limiter's options: what users write, and resolved. */
export const Options = Schema.Struct({
  capacity: PositiveInt,
  refillRate: PositiveInt,
  refillInterval: Schema.optionalWith(
    bounded(1, maxTimerMs, `must be a positive integer number of milliseconds, at most ${maxTimerMs}`),
    {
      default: () => 1000
    }
  ),
  cost: Schema.optionalWith(
    Schema.Union(
      Schema.Literal("deribit", "binance", "simple"),
      Schema.declare((u): u is CostFunction => typeof u === "function")
    ).annotations(rule("must be \"deribit\", \"binance\", \"simple\" or a function (frame => number)")),
    { default: () => "simple" as const }
  ),
  maxQueue: Schema.optionalWith(bounded(0, maxItems, `must be a non-negative integer, at most ${maxItems}`), {
    default: () => 100
  })
})

interface Config {
  readonly capacity: number
  readonly refillRate: number
  readonly refillInterval: number
  readonly costOf: CostFunction
  readonly maxQueue: number
}

const decode = decodeOptions(Options)

const validate = (options: typeof Options.Encoded): Either.Either<Config, InvalidOptions> =>
  Either.map(decode(options), (resolved) => ({
    ...resolved,
    costOf: typeof resolved.cost === "function" ? resolved.cost : costs[resolved.cost]
  }))

/** Builds a limiter in the current scope (which owns the pressure watcher). */
export const make = (options: typeof Options.Encoded) =>
  Effect.flatMap(Effect.suspend(() => validate(options)), (config) =>
    Effect.gen(function*() {
      const clock = yield* Effect.clock
      const telemetry = Option.getOrUndefined(yield* Effect.serviceOption(Telemetry.Telemetry))
      const report: Report = telemetry === undefined
        ? Telemetry.unsafeRecord
        : reportThrough(telemetry, yield* Effect.runtime<never>())
      const bucket = new Bucket(config, clock, report)
      yield* Effect.addFinalizer(() => bucket.shutdown)
      yield* Effect.forkScoped(bucket.watcher)
      return bucket.service()
    })) as Effect.Effect<ReturnType<Bucket["service"]>, InvalidOptions, Scope.Scope>

/** How a level change reaches the metrics (and the `Telemetry` service that was in context at `make`, if any). */
type Report = (event: Telemetry.TelemetryEvent) => void

/** a level change is rare (never per send): one fiber for its event is fine */
const reportThrough = (telemetry: Telemetry.Telemetry, runtime: EffectRuntime.Runtime<never>): Report => (event) => {
  EffectRuntime.runFork(runtime)(telemetry.emit(event))
}

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

  constructor(readonly config: Config, readonly clock: Clock.Clock, readonly report: Report) {
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
      this.report(
        Telemetry.event(Telemetry.names.pressure, { level: Telemetry.pressureLevels[level], queue_size: this.size })
      )
    }
    // above low, the watcher observes every refill, so the way down is reported (the gauge) on time
    if (this.level !== "low") this.watch.unsafeOpen()
    else this.watch.unsafeClose()
  }

  observe(now: number): void {
    this.refill(now)
    this.notePressure()
  }

  status() {
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

  /** while the level is above low: observe every refill so the way down is reported */
  get watcher(): Effect.Effect<never> {
    const step = Effect.zipRight(
      this.watch.await,
      Effect.suspend(() => {
        const now = this.now()
        this.observe(now)
        if (this.level === "low") return Effect.void
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

  service() {
    return {
      acquire: (cost: number) => this.acquire(cost),
      costOf: (frame: string | Uint8Array) => this.config.costOf(frame),
      status: Effect.sync(() => this.status()),
      pressureChanges: this.pressureChanges
    }
  }
}
