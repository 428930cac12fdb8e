import * as Effect from "effect/Effect"

/**
 * Checks `condition` every 50 ms until it holds; fails after `timeoutMs` with `label` and the last value seen.
 * (For states other processes reach: the cluster's runners, not a clock this test controls.)
 */
export const waitFor = <A, E, R>(
  label: string,
  check: Effect.Effect<A, E, R>,
  accept: (a: A) => boolean,
  timeoutMs: number
): Effect.Effect<A, Error, R> =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    let last: unknown
    while (true) {
      const result = yield* Effect.either(check)
      if (result._tag === "Right" && accept(result.right)) return result.right
      last = result._tag === "Right" ? result.right : result.left
      if (Date.now() > deadline) {
        return yield* Effect.fail(
          new Error(`timed out after ${timeoutMs} ms waiting for ${label}; last: ${JSON.stringify(last)}`)
        )
      }
      yield* Effect.sleep("50 millis")
    }
  })
