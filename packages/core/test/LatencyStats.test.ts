import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as LatencyStats from "../src/LatencyStats.js"

const range = (from: number, to: number): Array<number> => Array.from({ length: to - from + 1 }, (_, i) => from + i)

const fill = (samples: ReadonlyArray<number>, bufferSize = 100) => {
  const stats = LatencyStats.make(bufferSize)
  for (const ms of samples) stats.add(ms)
  return stats
}

describe("LatencyStats", () => {
  it("a huge bufferSize is bounded: the first sample cannot fail to allocate (regression: 1e10 threw RangeError)", () => {
    const stats = LatencyStats.make(1e10)
    stats.add(5)
    assert.deepStrictEqual(stats.summary(), { p50: 5, p99: 5, last: 5, count: 1 })
  })

  describe("percentile (nearest rank: sorted[ceil(p × n / 100) - 1])", () => {
    it("1..100: p50 = 50, p99 = 99, p100 = 100, p0 = 1, p1 = 1, p7 = 7", () => {
      const sorted = range(1, 100)
      assert.strictEqual(LatencyStats.percentile(sorted, 50), 50)
      assert.strictEqual(LatencyStats.percentile(sorted, 99), 99)
      assert.strictEqual(LatencyStats.percentile(sorted, 100), 100)
      assert.strictEqual(LatencyStats.percentile(sorted, 0), 1)
      assert.strictEqual(LatencyStats.percentile(sorted, 1), 1)
      // 0.07 × 100 is 7.000000000000001 in floating point: the rank must still be 7
      assert.strictEqual(LatencyStats.percentile(sorted, 7), 7)
      assert.strictEqual(LatencyStats.percentile(sorted, 29), 29)
      assert.strictEqual(LatencyStats.percentile(sorted, 50.5), 51)
    })

    it("n = 1 gives the sample for every p; n = 2 gives the lower value up to p50 and the upper one above", () => {
      assert.strictEqual(LatencyStats.percentile([5], 0), 5)
      assert.strictEqual(LatencyStats.percentile([5], 50), 5)
      assert.strictEqual(LatencyStats.percentile([5], 99), 5)
      assert.strictEqual(LatencyStats.percentile([1, 2], 50), 1)
      assert.strictEqual(LatencyStats.percentile([1, 2], 51), 2)
      assert.strictEqual(LatencyStats.percentile([1, 2], 99), 2)
    })

    it("clamps p to [0, 100]; empty input or NaN p gives NaN", () => {
      assert.strictEqual(LatencyStats.percentile([1, 2, 3], -5), 1)
      assert.strictEqual(LatencyStats.percentile([1, 2, 3], 250), 3)
      assert.isNaN(LatencyStats.percentile([], 50))
      assert.isNaN(LatencyStats.percentile([1, 2, 3], Number.NaN))
    })
  })

  describe("summary", () => {
    it("1..100 → p50 50, p99 99, last 100, count 100", () => {
      assert.deepStrictEqual(fill(range(1, 100)).summary(), { p50: 50, p99: 99, last: 100, count: 100 })
    })

    it("[5] → everything 5, count 1", () => {
      assert.deepStrictEqual(fill([5]).summary(), { p50: 5, p99: 5, last: 5, count: 1 })
    })

    it("[1, 2] → p50 1, p99 2, last 2", () => {
      assert.deepStrictEqual(fill([1, 2]).summary(), { p50: 1, p99: 2, last: 2, count: 2 })
    })

    it("unsorted input is sorted for the percentiles, `last` is the last added", () => {
      // sorted: 3, 7, 12, 40, 95 → p50 at rank ceil(2.5) = 3 → 12; p99 at rank 5 → 95
      assert.deepStrictEqual(fill([40, 3, 95, 12, 7]).summary(), { p50: 12, p99: 95, last: 7, count: 5 })
      // 1..100 added in reverse: same percentiles, last = 1
      assert.deepStrictEqual(fill(range(1, 100).reverse()).summary(), { p50: 50, p99: 99, last: 1, count: 100 })
    })

    it("duplicates count as separate samples", () => {
      // sorted: 1, 10, 10, 10, 10, 10, 10, 10, 10, 500 → p50 rank 5 → 10, p99 rank 10 → 500
      const samples = [10, 10, 500, 10, 10, 1, 10, 10, 10, 10]
      assert.deepStrictEqual(fill(samples).summary(), { p50: 10, p99: 500, last: 10, count: 10 })
      assert.deepStrictEqual(fill([7, 7, 7]).summary(), { p50: 7, p99: 7, last: 7, count: 3 })
    })

    it("fractional samples are kept as they are", () => {
      assert.deepStrictEqual(fill([0.25, 1.5, 0.75]).summary(), { p50: 0.75, p99: 1.5, last: 0.75, count: 3 })
    })

    it("is undefined when empty", () => {
      assert.isUndefined(LatencyStats.make(10).summary())
    })
  })

  describe("ring buffer", () => {
    it("bufferSize 3 keeps only the last 3 samples, through several wrap-arounds", () => {
      const stats = LatencyStats.make(3)
      stats.add(100)
      stats.add(200)
      stats.add(300)
      assert.deepStrictEqual(stats.summary(), { p50: 200, p99: 300, last: 300, count: 3 })
      stats.add(1) // drops 100 → {200, 300, 1}
      assert.deepStrictEqual(stats.summary(), { p50: 200, p99: 300, last: 1, count: 3 })
      stats.add(2) // drops 200 → {300, 1, 2}
      stats.add(3) // drops 300 → {1, 2, 3}
      assert.deepStrictEqual(stats.summary(), { p50: 2, p99: 3, last: 3, count: 3 })
      for (const ms of [50, 60, 70, 80]) stats.add(ms) // → {60, 70, 80}
      assert.deepStrictEqual(stats.summary(), { p50: 70, p99: 80, last: 80, count: 3 })
    })

    it("1..250 into a buffer of 100 keeps 151..250", () => {
      assert.deepStrictEqual(fill(range(1, 250), 100).summary(), { p50: 200, p99: 249, last: 250, count: 100 })
    })

    it("bufferSize 1 keeps the last sample; sizes below 1 or not finite mean 1; fractions round down", () => {
      assert.deepStrictEqual(fill([9, 4], 1).summary(), { p50: 4, p99: 4, last: 4, count: 1 })
      assert.deepStrictEqual(fill([9, 4], 0).summary(), { p50: 4, p99: 4, last: 4, count: 1 })
      assert.deepStrictEqual(fill([9, 4], Number.NaN).summary(), { p50: 4, p99: 4, last: 4, count: 1 })
      assert.deepStrictEqual(fill([1, 2, 3], 2.9).summary(), { p50: 2, p99: 3, last: 3, count: 2 })
    })

    it("ignores non-finite samples and counts negative ones as 0", () => {
      const stats = fill([5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      assert.deepStrictEqual(stats.summary(), { p50: 5, p99: 5, last: 5, count: 1 })
      stats.add(-3)
      assert.deepStrictEqual(stats.summary(), { p50: 0, p99: 5, last: 0, count: 2 })
    })
  })

  describe("clear", () => {
    it("empties the buffer; later samples start afresh (also after a wrap-around)", () => {
      const stats = fill([1, 2, 3, 4, 5], 3)
      stats.clear()
      assert.isUndefined(stats.summary())
      stats.add(42)
      assert.deepStrictEqual(stats.summary(), { p50: 42, p99: 42, last: 42, count: 1 })
      stats.add(8)
      stats.add(9)
      stats.add(10) // wraps: drops 42
      assert.deepStrictEqual(stats.summary(), { p50: 9, p99: 10, last: 10, count: 3 })
    })
  })

  describe("shared collector", () => {
    it.effect("layer provides a shared buffer (default size 100) that `summary` reads", () =>
      Effect.gen(function*() {
        assert.isUndefined(yield* LatencyStats.summary)
        const shared = yield* LatencyStats.LatencyStats
        for (let ms = 1; ms <= 150; ms++) shared.add(ms)
        assert.deepStrictEqual(yield* LatencyStats.summary, { p50: 100, p99: 149, last: 150, count: 100 })
      }).pipe(Effect.provide(LatencyStats.layer())))

    it.effect("layer honours bufferSize", () =>
      Effect.gen(function*() {
        const shared = yield* LatencyStats.LatencyStats
        for (const ms of [1, 2, 3, 4]) shared.add(ms)
        assert.deepStrictEqual(yield* LatencyStats.summary, { p50: 3, p99: 4, last: 4, count: 2 })
      }).pipe(Effect.provide(LatencyStats.layer({ bufferSize: 2 }))))

    it.effect("makeForClient feeds the shared collector from every client; each client summarises only its own", () =>
      Effect.gen(function*() {
        const a = yield* LatencyStats.makeForClient(10)
        const b = yield* LatencyStats.makeForClient(10)
        a.add(10)
        a.add(20)
        b.add(30)
        assert.deepStrictEqual(a.summary(), { p50: 10, p99: 20, last: 20, count: 2 })
        assert.deepStrictEqual(b.summary(), { p50: 30, p99: 30, last: 30, count: 1 })
        assert.deepStrictEqual(yield* LatencyStats.summary, { p50: 20, p99: 30, last: 30, count: 3 })
        // clearing a client leaves the shared view alone
        a.clear()
        assert.isUndefined(a.summary())
        assert.strictEqual((yield* LatencyStats.summary)?.count, 3)
      }).pipe(Effect.provide(LatencyStats.layer({ bufferSize: 50 }))))

    it.effect("makeForClient without a shared collector is a plain buffer of that size", () =>
      Effect.gen(function*() {
        const stats = yield* LatencyStats.makeForClient(2)
        for (const ms of [1, 2, 3]) stats.add(ms)
        assert.deepStrictEqual(stats.summary(), { p50: 2, p99: 3, last: 3, count: 2 })
      }))
  })
})
