/**
 * Latency statistics (DESIGN §3.7): a ring buffer of the last `bufferSize` round-trip samples in milliseconds, from
 * correlated request round trips and heartbeat ping RTTs, summarised as `{ p50, p99, last, count }`.
 *
 * Every client keeps its own buffer ({@link make}, sized by the `latencyBufferSize` option). An application that wants
 * one view over many clients provides the shared collector ({@link layer}): every client in its context feeds it too.
 *
 * `add` is synchronous, O(1) and allocation-free, so it can run in a socket listener; the sorting happens in `summary`,
 * which copies the retained samples.
 *
 * Percentiles use the **nearest-rank** definition (see {@link percentile}): p50 of 1..100 is 50 and p99 is 99. The
 * Elixir original (`Enum.at(sorted, round(p/100 × (n - 1)))`) gives 51 for that p50, although its doc claims 50.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * A summary of the retained samples, in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  /** the nearest-rank 50th percentile (the lower median for an even count) */
  readonly p50: number
  /** the nearest-rank 99th percentile (the maximum below 100 samples) */
  readonly p99: number
  /** the most recently added sample */
  readonly last: number
  /** the number of samples held (at most the buffer size), not a lifetime total */
  readonly count: number
}

/**
 * A bounded buffer of latency samples. Not an Effect service by itself: {@link make} builds one per client, and the
 * {@link LatencyStats} tag holds the shared collector.
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencyStats {
  /**
   * Records a sample in ms: synchronous, O(1), no allocation. When the buffer is full the oldest sample is dropped.
   * Non-finite samples (`NaN`, `±Infinity`) are ignored; negative ones (a clock that stepped back) count as 0.
   */
  readonly add: (ms: number) => void
  /** the summary of the retained samples, `undefined` when there are none */
  readonly summary: () => Summary | undefined
  /** drops every sample (e.g. on an explicit reconnect) */
  readonly clear: () => void
}

/**
 * The default buffer size, the `latencyBufferSize` default (100 samples).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBufferSize = 100

/**
 * The nearest-rank percentile of **sorted** (ascending) samples: with `n` samples, the value at the 1-based rank
 * `max(1, ceil(p × n / 100))`, i.e. `sorted[max(1, ceil(p × n / 100)) - 1]`. The result is always one of the samples,
 * never an interpolation.
 *
 * - `p` is clamped to `[0, 100]`: `p = 0` gives the minimum, `p = 100` the maximum.
 * - 1..100: p50 = 50, p99 = 99. `[1, 2]`: p50 = 1, p99 = 2. `[x]`: every percentile is `x`.
 * - An empty array, or a `NaN` `p`, gives `NaN`.
 *
 * The input is not sorted for you: pass it sorted ascending.
 *
 * @example
 * ```ts
 * import * as LatencyStats from "@zen-websocket/core/LatencyStats"
 *
 * LatencyStats.percentile([1, 2, 3, 4], 50) // 2
 * LatencyStats.percentile([1, 2, 3, 4], 99) // 4
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const percentile = (sorted: ArrayLike<number>, p: number): number => {
  const n = sorted.length
  if (n === 0 || Number.isNaN(p)) return Number.NaN
  const clamped = p < 0 ? 0 : p > 100 ? 100 : p
  // `p × n` first: for integer p it is exact, so a whole rank never picks up a rounding error (0.07 × 100 > 7)
  const rank = Math.ceil(clamped * n / 100)
  return sorted[rank < 1 ? 0 : rank - 1]
}

/**
 * Builds a buffer holding the last `bufferSize` samples (pure and synchronous). A size below 1 or not finite means 1;
 * a fractional size is rounded down; a size above 2^20 (1 048 576 samples, 8 MiB) means 2^20, so no size can make the
 * first sample's allocation fail.
 *
 * @example
 * ```ts
 * import * as LatencyStats from "@zen-websocket/core/LatencyStats"
 *
 * const stats = LatencyStats.make(100)
 * for (let ms = 1; ms <= 100; ms++) stats.add(ms)
 * stats.summary() // { p50: 50, p99: 99, last: 100, count: 100 }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (bufferSize: number): LatencyStats => {
  const ring = new Ring(bufferSize)
  return { add: (ms) => ring.add(ms), summary: () => ring.summary(), clear: () => ring.clear() }
}

/** The most samples a buffer keeps (the `latencyBufferSize` option's bound). */
const maxSamples = 1_048_576

/** The ring buffer behind `make`, as a class: each client owns one, so its methods live on the prototype. */
class Ring implements LatencyStats {
  private readonly size: number
  // allocated at the first sample: most idle clients never record one
  private samples: Float64Array | undefined = undefined
  private next = 0
  private count = 0
  private last = 0

  constructor(bufferSize: number) {
    this.size = Number.isFinite(bufferSize) && bufferSize >= 1 ? Math.min(Math.floor(bufferSize), maxSamples) : 1
  }

  add(ms: number): void {
    if (!Number.isFinite(ms)) return
    const value = ms < 0 ? 0 : ms
    this.samples ??= new Float64Array(this.size)
    this.samples[this.next] = value
    this.next = this.next + 1 === this.size ? 0 : this.next + 1
    if (this.count < this.size) this.count++
    this.last = value
  }

  summary(): Summary | undefined {
    if (this.count === 0 || this.samples === undefined) return undefined
    // the retained samples are `samples[0, count)` until the ring wraps, then all of it; order is irrelevant
    const sorted = this.samples.slice(0, this.count).sort()
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), last: this.last, count: this.count }
  }

  clear(): void {
    this.next = 0
    this.count = 0
    this.last = 0
  }
}

/**
 * The shared collector: when it is in a client's context, the client feeds it every sample it records in its own
 * buffer, so it summarises the latency of all those clients together.
 *
 * @since 0.1.0
 * @category tags
 */
export const LatencyStats: Context.Tag<LatencyStats, LatencyStats> = Context.GenericTag<LatencyStats>(
  "@zen-websocket/core/LatencyStats"
)

/**
 * Provides the shared collector with its own buffer of `bufferSize` samples (default 100).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as LatencyStats from "@zen-websocket/core/LatencyStats"
 *
 * const program = Effect.gen(function*() {
 *   // … start clients, make requests …
 *   const all = yield* LatencyStats.summary // p50/p99 over every client in this context
 * })
 * program.pipe(Effect.provide(LatencyStats.layer({ bufferSize: 1000 })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: { readonly bufferSize?: number | undefined } = {}): Layer.Layer<LatencyStats> =>
  Layer.sync(LatencyStats, () => make(options.bufferSize ?? defaultBufferSize))

/**
 * The shared collector's summary (`undefined` when it holds no sample).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as LatencyStats from "@zen-websocket/core/LatencyStats"
 *
 * const program = Effect.map(LatencyStats.summary, (summary) => summary?.p99)
 * const runnable = Effect.provide(program, LatencyStats.layer({ bufferSize: 1000 }))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const summary: Effect.Effect<Summary | undefined, never, LatencyStats> = Effect.map(
  LatencyStats,
  (stats) => stats.summary()
)

/**
 * Builds one client's buffer of `bufferSize` samples whose `add` also feeds the shared collector when one is in
 * context. `summary` and `clear` act on the client's own buffer only.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as LatencyStats from "@zen-websocket/core/LatencyStats"
 *
 * const program = Effect.map(LatencyStats.makeForClient(100), (stats) => {
 *   stats.add(12)
 *   return stats.summary() // also fed to the shared collector when one is provided
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeForClient = (bufferSize: number): Effect.Effect<LatencyStats> =>
  Effect.map(Effect.serviceOption(LatencyStats), (shared) => {
    const own = new Ring(bufferSize)
    if (Option.isNone(shared)) return own
    const collector = shared.value
    return {
      add: (ms) => {
        own.add(ms)
        collector.add(ms)
      },
      summary: () => own.summary(),
      clear: () => own.clear()
    }
  })
