import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ClientOptions from "../src/ClientOptions.js"
import * as Reconnect from "../src/Reconnect.js"

/** The first `n` delays (ms) of the reconnect schedule of `options`, drawn with `seed`. */
const delaysOf = (options: ClientOptions.Options, n: number, seed: string) =>
  Effect.gen(function*() {
    const resolved = yield* ClientOptions.validate(options)
    const delays = yield* Schedule.run(Schedule.delays(Reconnect.schedule(resolved)), 0, Array.from({ length: n }))
    return Chunk.toReadonlyArray(delays).map(Duration.toMillis)
  }).pipe(Effect.withRandom(Random.make(seed)))

describe("Reconnect.schedule", () => {
  it.effect("jitter keeps every delay inside [0, maxBackoff] (regression: 236 ms against maxBackoff 200)", () =>
    Effect.gen(function*() {
      const all: Array<number> = []
      for (let seed = 0; seed < 50; seed++) {
        const delays = yield* delaysOf({ retryDelay: 100, maxBackoff: 200, retryCount: 8 }, 8, `seed-${seed}`)
        for (const delay of delays) {
          assert.isAtLeast(delay, 0)
          assert.isAtMost(delay, 200, `seed ${seed}: ${delays.join(", ")}`)
        }
        all.push(...delays.slice(2))
      }
      assert.isAbove(new Set(all).size, 50, "delays at the cap are still spread")
      assert.isAtLeast(Math.min(...all), 160, "within 20 % below the cap")
    }))

  it.effect("without jitter: exponential from retryDelay, capped at maxBackoff", () =>
    Effect.gen(function*() {
      const delays = yield* delaysOf({ retryDelay: 100, maxBackoff: 500, retryCount: 5, jitter: false }, 5, "x")
      assert.deepStrictEqual(delays, [100, 200, 400, 500, 500])
    }))
})
