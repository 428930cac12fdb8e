import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as RateLimiter from "../src/RateLimiter.js"
import { InvalidOptions, RateLimited } from "../src/WebSocketError.js"
import { at } from "./utils/clock.js"

/** moves the TestClock to `ms` (absolute) and waits until every forked fiber is suspended or done */
/** waits until every forked fiber is suspended or done, without moving the clock */
const settle = TestClock.adjust(0)

const tokens = (limiter: RateLimiter.RateLimiter) => Effect.map(limiter.status, (s) => s.tokens)

const isDone = <A, E>(fiber: Fiber.Fiber<A, E>) => Effect.map(Fiber.poll(fiber), Option.isSome)

/** forks `acquire(cost)` and waits until it has joined the queue */
const enqueue = (limiter: RateLimiter.RateLimiter, cost: number, onDone?: () => void) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(
      Effect.tap(limiter.acquire(cost), () => Effect.sync(() => onDone?.()))
    )
    yield* settle
    return fiber
  })

describe("RateLimiter", () => {
  describe("refill", () => {
    it.scoped("follows the TestClock exactly and never exceeds the capacity", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 10, refillRate: 2, refillInterval: 1000 })
        assert.strictEqual(yield* tokens(limiter), 10)
        yield* limiter.acquire(10)
        const seen: Array<[number, number]> = []
        for (const ms of [0, 999, 1000, 1999, 2500, 3000, 4999, 5000, 6000, 60_000]) {
          yield* at(ms)
          seen.push([ms, yield* tokens(limiter)])
        }
        assert.deepStrictEqual(seen, [
          [0, 0],
          [999, 0],
          [1000, 2],
          [1999, 2],
          [2500, 4],
          [3000, 6],
          [4999, 8],
          [5000, 10],
          [6000, 10],
          [60_000, 10]
        ])
      }))

    it.scoped("a full bucket's refill clock starts at the first take, so no burst rides on a refill due while full", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 10, refillRate: 5, refillInterval: 1000 })
        yield* at(10_500)
        yield* limiter.acquire(10)
        yield* at(11_000) // a grid-based bucket would refill here
        assert.strictEqual(yield* tokens(limiter), 0)
        yield* at(11_499)
        assert.strictEqual(yield* tokens(limiter), 0)
        yield* at(11_500)
        assert.strictEqual(yield* tokens(limiter), 5)
        yield* at(12_500)
        assert.strictEqual(yield* tokens(limiter), 10)
      }))

    it.scoped("refillInterval defaults to 1000 ms and observing more often changes nothing", () =>
      Effect.gen(function*() {
        const a = yield* RateLimiter.make({ capacity: 4, refillRate: 1 })
        const b = yield* RateLimiter.make({ capacity: 4, refillRate: 1 })
        yield* a.acquire(4)
        yield* b.acquire(4)
        for (let ms = 0; ms <= 3700; ms += 100) {
          yield* at(ms)
          yield* a.status // observed every 100 ms, b never
        }
        assert.strictEqual(yield* tokens(a), 3)
        assert.strictEqual(yield* tokens(b), 3)
      }))
  })

  describe("waiting", () => {
    it.scoped("a send without tokens waits and proceeds exactly when the refill makes room", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 5, refillRate: 1, refillInterval: 1000 })
        yield* limiter.acquire(5)
        const fiber = yield* enqueue(limiter, 3)
        assert.strictEqual((yield* limiter.status).queueSize, 1)
        yield* at(2999)
        assert.isFalse(yield* isDone(fiber))
        assert.strictEqual(yield* tokens(limiter), 2)
        yield* at(3000)
        assert.isTrue(yield* isDone(fiber))
        const status = yield* limiter.status
        assert.strictEqual(status.tokens, 0)
        assert.strictEqual(status.queueSize, 0)
      }))

    it.scoped("waiters are served in arrival order: a cheap send never overtakes an expensive one", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 10, refillRate: 1, refillInterval: 100, maxQueue: 10 })
        yield* limiter.acquire(10)
        const served: Array<string> = []
        for (const [label, cost] of [["A", 5], ["B", 1], ["C", 3], ["D", 1], ["E", 0]] as const) {
          yield* enqueue(limiter, cost, () => served.push(label))
        }
        assert.strictEqual((yield* limiter.status).queueSize, 5)
        const times: Array<[number, string]> = []
        for (let ms = 0; ms <= 1200; ms += 100) {
          yield* at(ms)
          while (times.length < served.length) times.push([ms, served[times.length]])
        }
        assert.deepStrictEqual(times, [[500, "A"], [600, "B"], [900, "C"], [1000, "D"], [1000, "E"]])
        assert.strictEqual(yield* tokens(limiter), 2)
      }))

    it.scoped("a send arriving while others wait queues behind them even when tokens are there", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 10, refillRate: 1, refillInterval: 1000 })
        yield* limiter.acquire(8)
        const big = yield* enqueue(limiter, 5) // 2 tokens: waits for 3 refills
        const small = yield* enqueue(limiter, 1) // 2 tokens would cover it, but FIFO
        assert.isFalse(yield* isDone(small))
        assert.strictEqual(yield* tokens(limiter), 2)
        yield* at(2999)
        assert.isFalse(yield* isDone(big))
        assert.isFalse(yield* isDone(small))
        yield* at(3000)
        assert.isTrue(yield* isDone(big))
        assert.isFalse(yield* isDone(small))
        yield* at(4000)
        assert.isTrue(yield* isDone(small))
      }))

    it.scoped("costs above the capacity wait for a full bucket; NaN counts as the capacity", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 4, refillRate: 1, refillInterval: 1000 })
        yield* limiter.acquire(1)
        const huge = yield* enqueue(limiter, 1_000)
        yield* at(999)
        assert.isFalse(yield* isDone(huge))
        yield* at(1000)
        assert.isTrue(yield* isDone(huge))
        assert.strictEqual(yield* tokens(limiter), 0)
        const nan = yield* enqueue(limiter, Number.NaN)
        yield* at(4999)
        assert.isFalse(yield* isDone(nan))
        yield* at(5000)
        assert.isTrue(yield* isDone(nan))
        assert.strictEqual(yield* tokens(limiter), 0)
      }))
  })

  describe("queue limit", () => {
    it.scoped("a full queue fails at once with RateLimited and the rejected send costs no token", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 10, refillRate: 1, refillInterval: 1000, maxQueue: 1 })
        yield* limiter.acquire(8)
        const waiter = yield* enqueue(limiter, 5)
        const before = yield* limiter.status
        const rejected = yield* Effect.either(limiter.acquire(1))
        const after = yield* limiter.status
        assert.isTrue(Either.isLeft(rejected))
        assert.deepStrictEqual(Either.getLeft(rejected), Option.some(new RateLimited({ queueSize: 1, cost: 1 })))
        assert.deepStrictEqual(after, before)
        assert.strictEqual(after.tokens, 2)
        // had the rejected send taken a token, the waiter would need a 4th refill
        yield* at(2999)
        assert.isFalse(yield* isDone(waiter))
        yield* at(3000)
        assert.isTrue(yield* isDone(waiter))
        assert.strictEqual(yield* tokens(limiter), 0)
      }))

    it.scoped("maxQueue 0 never waits", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 2, refillRate: 1, maxQueue: 0 })
        yield* limiter.acquire(2)
        const error = yield* Effect.flip(limiter.acquire(1))
        assert.deepStrictEqual(error, new RateLimited({ queueSize: 0, cost: 1 }))
        yield* at(1000)
        yield* limiter.acquire(1)
        assert.strictEqual(yield* tokens(limiter), 0)
      }))
  })

  describe("interruption", () => {
    it.scoped("an interrupted head leaves the queue, costs nothing and the next waiter takes its place", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 5, refillRate: 1, refillInterval: 1000 })
        yield* limiter.acquire(5)
        const head = yield* enqueue(limiter, 3)
        const next = yield* enqueue(limiter, 1)
        yield* at(500)
        yield* Fiber.interrupt(head)
        assert.strictEqual((yield* limiter.status).queueSize, 1)
        yield* at(999)
        assert.isFalse(yield* isDone(next))
        yield* at(1000)
        assert.isTrue(yield* isDone(next))
        yield* at(3000)
        assert.strictEqual(yield* tokens(limiter), 2)
      }))

    it.scoped("an interrupted waiter in the middle leaves the queue and costs nothing", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 5, refillRate: 1, refillInterval: 1000 })
        yield* limiter.acquire(5)
        const a = yield* enqueue(limiter, 2)
        const b = yield* enqueue(limiter, 2)
        const c = yield* enqueue(limiter, 1)
        yield* Fiber.interrupt(b)
        assert.strictEqual((yield* limiter.status).queueSize, 2)
        yield* at(2000)
        assert.isTrue(yield* isDone(a))
        assert.isFalse(yield* isDone(c))
        yield* at(3000) // with b still queued, c would wait until 5000
        assert.isTrue(yield* isDone(c))
        assert.strictEqual(yield* tokens(limiter), 0)
      }))

    it.scoped("a send timing out while it waits takes no token", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 3, refillRate: 1, refillInterval: 1000 })
        yield* limiter.acquire(3)
        const fiber = yield* Effect.fork(Effect.either(Effect.timeout(limiter.acquire(3), "2500 millis")))
        yield* at(2500)
        const result = yield* Fiber.join(fiber)
        assert.isTrue(Either.isLeft(result))
        const status = yield* limiter.status
        assert.strictEqual(status.queueSize, 0)
        assert.strictEqual(status.tokens, 2)
        yield* at(3000)
        assert.strictEqual(yield* tokens(limiter), 3)
      }))
  })

  describe("concurrency", () => {
    it.scoped("4 000 concurrent acquires never overspend: completions follow the tokens the clock allowed", () =>
      Effect.gen(function*() {
        const capacity = 100
        const rate = 50
        const limiter = yield* RateLimiter.make({ capacity, refillRate: rate, refillInterval: 1000, maxQueue: 4000 })
        let completed = 0
        const all = yield* Effect.fork(
          Effect.forEach(
            Array.from({ length: 4000 }, (_, i) => i),
            () => Effect.tap(limiter.acquire(1), () => Effect.sync(() => completed++)),
            { concurrency: "unbounded", discard: true }
          )
        )
        yield* settle
        assert.strictEqual(completed, capacity)
        let status = yield* limiter.status
        assert.strictEqual(status.tokens, 0)
        assert.strictEqual(status.queueSize, 4000 - capacity)
        for (let k = 1; k <= 80; k++) {
          yield* at(k * 1000)
          status = yield* limiter.status
          const allowed = capacity + k * rate
          assert.strictEqual(completed, Math.min(4000, allowed), `after ${k} refills`)
          assert.strictEqual(status.tokens, Math.max(0, allowed - 4000))
          assert.isAtLeast(status.tokens, 0)
          assert.strictEqual(status.queueSize, 4000 - completed)
        }
        yield* Fiber.join(all)
      }))

    it.scoped("mixed costs under unbounded concurrency: spent + tokens always equals what the clock allowed", () =>
      Effect.gen(function*() {
        const capacity = 20
        const rate = 13
        const limiter = yield* RateLimiter.make({ capacity, refillRate: rate, refillInterval: 100, maxQueue: 1000 })
        let spent = 0
        let completed = 0
        const all = yield* Effect.fork(
          Effect.forEach(
            Array.from({ length: 1000 }, (_, i) => (i % 5) + 1),
            (cost) =>
              Effect.tap(limiter.acquire(cost), () =>
                Effect.sync(() => {
                  spent += cost
                  completed++
                })),
            { concurrency: "unbounded", discard: true }
          )
        )
        let ms = 0
        while (completed < 1000) {
          yield* at(ms)
          const status = yield* limiter.status
          const allowed = capacity + Math.floor(ms / 100) * rate
          assert.isAtLeast(status.tokens, 0)
          assert.isAtMost(spent, allowed)
          if (status.queueSize > 0) {
            // the head waits for at most 5: tokens stay below 5 + 13 ≤ capacity, so the cap never applies here
            assert.strictEqual(spent + status.tokens, allowed, `at ${ms} ms`)
            assert.isBelow(status.tokens, 5)
          }
          ms += 300
        }
        yield* Fiber.join(all)
        assert.strictEqual(spent, 1000 * 3)
      }))
  })

  describe("pressure", () => {
    it("levels at the exact 25/50/75 % boundaries", () => {
      const level = (t: number) => RateLimiter.pressureLevel(t, 100)
      assert.deepStrictEqual(
        [100, 76, 75, 74, 51, 50, 49, 26, 25, 24, 0].map(level),
        ["low", "low", "medium", "medium", "medium", "high", "high", "high", "critical", "critical", "critical"]
      )
      assert.deepStrictEqual(
        [4, 3, 2, 1, 0].map((t) => RateLimiter.pressureLevel(t, 4)),
        ["low", "medium", "high", "critical", "critical"]
      )
    })

    it.scoped("status reports the level and pressureChanges emits only on a level change", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 100, refillRate: 25, refillInterval: 1000 })
        const changes: Array<RateLimiter.PressureChange> = []
        yield* Effect.forkScoped(Stream.runForEach(limiter.pressureChanges, (c) => Effect.sync(() => changes.push(c))))
        yield* settle
        const levels: Array<RateLimiter.PressureLevel> = []
        for (const cost of [24, 1, 24, 1, 24, 1, 25]) {
          yield* limiter.acquire(cost)
          yield* settle
          levels.push((yield* limiter.status).pressureLevel)
        }
        assert.deepStrictEqual(levels, ["low", "medium", "medium", "high", "high", "critical", "critical"])
        assert.deepStrictEqual(changes, [
          { level: "medium", queueSize: 0 },
          { level: "high", queueSize: 0 },
          { level: "critical", queueSize: 0 }
        ])
        // the way down is reported at the refill itself, without anyone calling status or acquire
        const timeline: Array<[number, number]> = []
        for (let ms = 500; ms <= 5000; ms += 500) {
          yield* at(ms)
          timeline.push([ms, changes.length])
        }
        assert.deepStrictEqual(changes.slice(3), [
          { level: "high", queueSize: 0 },
          { level: "medium", queueSize: 0 },
          { level: "low", queueSize: 0 }
        ])
        assert.deepStrictEqual(timeline, [
          [500, 3],
          [1000, 3], // 25 tokens: still critical
          [1500, 3],
          [2000, 4], // 50 tokens: 50 % in use → high
          [2500, 4],
          [3000, 5], // 75 tokens → medium
          [3500, 5],
          [4000, 6], // full → low
          [4500, 6],
          [5000, 6]
        ])
      }))

    it.scoped("waiting sends mean critical; a change carries its queue size; the stream ends with the scope", () =>
      Effect.gen(function*() {
        const collected = yield* Effect.scoped(Effect.gen(function*() {
          const limiter = yield* RateLimiter.make({ capacity: 4, refillRate: 1, refillInterval: 1000 })
          const fiber = yield* Effect.fork(Stream.runCollect(limiter.pressureChanges))
          yield* settle
          yield* limiter.acquire(1) // 3 tokens: medium
          yield* enqueue(limiter, 4) // waits: critical although 3 of 4 tokens are there
          const waiting = yield* limiter.status
          assert.strictEqual(waiting.tokens, 3)
          assert.strictEqual(waiting.pressureLevel, "critical")
          yield* at(1000) // the refill is consumed at once: no drop is reported
          yield* at(2000) // 1 token: still critical
          yield* at(3000) // 2 tokens: high
          return fiber
        }))
        const changes = Chunk.toReadonlyArray(yield* Fiber.join(collected))
        assert.deepStrictEqual(changes, [
          { level: "medium", queueSize: 0 },
          { level: "critical", queueSize: 1 },
          { level: "high", queueSize: 0 }
        ])
      }))

    it.scoped("suggestedDelayMs is the wait of a cost-1 send made now, behind the queue", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 10, refillRate: 2, refillInterval: 1000 })
        assert.strictEqual((yield* limiter.status).suggestedDelayMs, 0)
        yield* limiter.acquire(10)
        assert.strictEqual((yield* limiter.status).suggestedDelayMs, 1000)
        yield* at(400)
        assert.strictEqual((yield* limiter.status).suggestedDelayMs, 600)
        yield* enqueue(limiter, 4) // served at 2000, then a cost-1 send at 3000
        const { suggestedDelayMs } = yield* limiter.status
        assert.strictEqual(suggestedDelayMs, 2600)
        // check the definition against a real send made now
        const probe = yield* enqueue(limiter, 1)
        yield* at(400 + suggestedDelayMs - 1)
        assert.isFalse(yield* isDone(probe))
        yield* at(400 + suggestedDelayMs)
        assert.isTrue(yield* isDone(probe))
        assert.strictEqual((yield* limiter.status).suggestedDelayMs, 0)
      }))

    it.scoped("suggestedDelayMs accounts for the capacity cap", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ capacity: 10, refillRate: 8, refillInterval: 1000 })
        yield* limiter.acquire(9)
        yield* enqueue(limiter, 10) // 1 + 8 + 8 capped to 10 at 2000; then 0 left
        const { suggestedDelayMs } = yield* limiter.status
        assert.strictEqual(suggestedDelayMs, 3000)
        const probe = yield* enqueue(limiter, 1)
        yield* at(2999)
        assert.isFalse(yield* isDone(probe))
        yield* at(3000)
        assert.isTrue(yield* isDone(probe))
      }))
  })

  describe("costs", () => {
    const rpc = (method: string, params: unknown = {}) => JSON.stringify({ jsonrpc: "2.0", id: 7, method, params })

    it("deribit", () => {
      const cost = RateLimiter.costs.deribit
      assert.strictEqual(cost(rpc("public/subscribe", { channels: ["book.BTC-PERPETUAL.100ms"] })), 1)
      assert.strictEqual(cost(rpc("public/auth")), 1)
      assert.strictEqual(cost(rpc("private/get_positions", { currency: "BTC" })), 5)
      assert.strictEqual(cost(rpc("private/set_heartbeat")), 10)
      assert.strictEqual(cost(rpc("private/buy", { instrument_name: "BTC-PERPETUAL", amount: 10 })), 15)
      assert.strictEqual(cost(rpc("private/sell")), 15)
      assert.strictEqual(cost(rpc("private/cancel", { order_id: "x" })), 5)
      assert.strictEqual(cost(rpc("private/buy_something")), 5)
      assert.strictEqual(cost("not json at all"), 1)
      assert.strictEqual(cost("{\"method\": broken"), 1)
      assert.strictEqual(cost(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "ok" })), 1)
      assert.strictEqual(cost(new Uint8Array([0x7b, 0x22, 0x6d])), 1)
      assert.strictEqual(cost(JSON.stringify({ params: { method: "private/buy" }, method: "public/test" })), 1)
      assert.strictEqual(cost(JSON.stringify([JSON.parse(rpc("private/buy")), JSON.parse(rpc("public/test"))])), 16)
    })

    it("binance", () => {
      const cost = RateLimiter.costs.binance
      const req = (method: string, params?: unknown) => JSON.stringify({ id: "a", method, params })
      assert.strictEqual(cost(req("order.place", { symbol: "BTCUSDT" })), 1)
      assert.strictEqual(cost(req("order.cancel")), 1)
      assert.strictEqual(cost(req("depth", { symbol: "BTCUSDT" })), 5)
      assert.strictEqual(cost(req("depth", { symbol: "BTCUSDT", limit: 1000 })), 50)
      assert.strictEqual(cost(req("depth", { symbol: "BTCUSDT", limit: 5000 })), 250)
      assert.strictEqual(cost(req("klines")), 2)
      assert.strictEqual(cost(req("exchangeInfo")), 20)
      assert.strictEqual(cost(req("SUBSCRIBE", ["btcusdt@trade"])), 1)
      assert.strictEqual(cost(req("something.new")), 1)
      assert.strictEqual(cost(new Uint8Array(3)), 1)
    })

    it("simple", () => {
      assert.strictEqual(RateLimiter.costs.simple(rpc("private/buy")), 1)
      assert.strictEqual(RateLimiter.costs.simple(new Uint8Array(10)), 1)
    })

    it.scoped("costOf uses the configured cost function (default simple)", () =>
      Effect.gen(function*() {
        const byDefault = yield* RateLimiter.make({ capacity: 1, refillRate: 1 })
        const deribit = yield* RateLimiter.make({ capacity: 1, refillRate: 1, cost: "deribit" })
        const custom = yield* RateLimiter.make({
          capacity: 1,
          refillRate: 1,
          cost: (frame) => (typeof frame === "string" ? frame.length : 100)
        })
        assert.strictEqual(byDefault.costOf(rpc("private/buy")), 1)
        assert.strictEqual(deribit.costOf(rpc("private/buy")), 15)
        assert.strictEqual(custom.costOf("abc"), 3)
        assert.strictEqual(custom.costOf(new Uint8Array(1)), 100)
      }))
  })

  describe("options", () => {
    const invalid = (options: unknown) =>
      Effect.scoped(Effect.flip(RateLimiter.make(options as RateLimiter.RateLimiterOptions)))

    it.effect("invalid options fail with InvalidOptions naming the field", () =>
      Effect.gen(function*() {
        const cases: Array<[unknown, string, unknown]> = [
          [{ capacity: 0, refillRate: 1 }, "capacity", 0],
          [{ capacity: 1.5, refillRate: 1 }, "capacity", 1.5],
          [{ capacity: Number.NaN, refillRate: 1 }, "capacity", Number.NaN],
          [{ refillRate: 1 }, "capacity", undefined],
          [{ capacity: 10, refillRate: -1 }, "refillRate", -1],
          [{ capacity: 10, refillRate: 1, refillInterval: 0 }, "refillInterval", 0],
          [{ capacity: 10, refillRate: 1, maxQueue: -1 }, "maxQueue", -1],
          [{ capacity: 10, refillRate: 1, maxQueue: 1e10 }, "maxQueue", 1e10],
          [{ capacity: 10, refillRate: 1, refillInterval: 2 ** 31 }, "refillInterval", 2 ** 31],
          [{ capacity: 10, refillRate: 1, cost: "kraken" }, "cost", "kraken"],
          [{ capacity: 10, refillRate: 1, burst: 5 }, "burst", 5],
          [null, "options", null]
        ]
        for (const [options, field, value] of cases) {
          const error = yield* invalid(options)
          assert.instanceOf(error, InvalidOptions)
          assert.strictEqual(error.field, field, JSON.stringify(options))
          assert.deepStrictEqual(error.value, value)
          assert.isTrue(error.rule.length > 0)
        }
        const error = yield* invalid({ capacity: 10, refillRate: 1, refillInterval: 2.5 })
        assert.strictEqual(error.rule, "must be a positive integer number of milliseconds, at most 2147483647")
        assert.include(error.message, "refillInterval")
      }))

    it.effect("layer provides the service and fails on invalid options", () =>
      Effect.gen(function*() {
        const status = yield* Effect.provide(
          Effect.flatMap(RateLimiter.RateLimiter, (limiter) =>
            Effect.zipRight(limiter.acquire(3), RateLimiter.status(limiter))),
          RateLimiter.layer({ capacity: 5, refillRate: 1 })
        )
        assert.deepStrictEqual(status, {
          tokens: 2,
          capacity: 5,
          queueSize: 0,
          pressureLevel: "high",
          suggestedDelayMs: 0
        })
        const error = yield* Effect.flip(
          Effect.provide(RateLimiter.RateLimiter, RateLimiter.layer({ capacity: 5, refillRate: 0 }))
        )
        assert.strictEqual(error.field, "refillRate")
      }))
  })
})
