import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"

/** Real I/O is invisible to TestClock: wait (in real time) until the loop registered its sleep before adjusting. */
export const awaitSleeps = (n: number) =>
  TestClock.sleeps().pipe(
    TestServices.provideWithLive(
      Effect.repeat({ until: (s) => Chunk.size(s) >= n, schedule: Schedule.spaced("2 millis") })
    )
  )

/**
 * Runs TestClock forward while `fiber` runs, but only ever to the next *short* sleep (within `horizonMs`): pacing and
 * backoff waits pass at once, while a request's long timeout never fires because time raced ahead of real I/O.
 * `onStep(elapsedMs)` runs after each step. Succeeds with the TestClock time that passed.
 */
export const driveShortSleeps = <A, E>(
  fiber: Fiber.RuntimeFiber<A, E>,
  onStep: (elapsedMs: number) => Effect.Effect<void> = () => Effect.void,
  horizonMs = 10_000
): Effect.Effect<number> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    while (fiber.unsafePoll() === null) {
      const next = yield* nextShortSleep(fiber, horizonMs)
      if (next === undefined) break
      yield* TestClock.setTime(next)
      yield* onStep(next - start)
    }
    return (yield* Clock.currentTimeMillis) - start
  })

const nextShortSleep = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, horizonMs: number) =>
  Effect.gen(function*() {
    while (true) {
      if (fiber.unsafePoll() !== null) return undefined
      const now = yield* Clock.currentTimeMillis
      const short = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((at) => at - now <= horizonMs)
      if (short.length > 0) return Math.max(now, Math.min(...short))
      // let real I/O run (a turn of the event loop) before looking again
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
  })

/** Sets the `TestClock` to `ms` (time since the test started), running what is due on the way. */
export const at = (ms: number) => TestClock.setTime(ms)
