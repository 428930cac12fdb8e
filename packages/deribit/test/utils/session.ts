/**
 * Helpers for DeribitClient tests: a session on a simulator, its events recorded, waits that fail instead of hanging.
 */
import type { ClientEvent } from "@zen-websocket/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { DeribitClient, type DeribitSimulator } from "../../src/index.js"

/** Fast reconnects for tests on the live clock. */
export const live = { retryDelay: 5, maxBackoff: 50, jitter: false } as const

export const credentialsOf = (sim: DeribitSimulator.DeribitSimulator) => ({
  clientId: sim.credentials.clientId,
  clientSecret: sim.credentials.clientSecret
})

/** Fails after `ms` of real time (TestClock or not) instead of hanging. */
/** A session on `sim` with its account's credentials (and the fast reconnects of `live`); `options` on top. */
export const connectTo = (sim: DeribitSimulator.DeribitSimulator, options: DeribitClient.Options = {}) =>
  DeribitClient.connect({ ...live, url: sim.url, credentials: credentialsOf(sim), ...options })

/** Fails after `ms` of real time (TestClock or not) instead of hanging. */
export const within = <A, E, R>(effect: Effect.Effect<A, E, R>, what: string, ms = 5_000) =>
  Effect.raceFirst(
    effect,
    Effect.zipRight(realPause(ms), Effect.fail(new Error(`no ${what} within ${ms} ms`)))
  )

/** Records the session's client events from now on. */
export const recordEvents = (session: DeribitClient.DeribitSession) =>
  Effect.gen(function*() {
    const all: Array<ClientEvent.ClientEvent> = []
    const queue = yield* Queue.unbounded<ClientEvent.ClientEvent>()
    const events = yield* session.client.eventsScoped
    yield* events.pipe(
      Stream.runForEach((e) => Effect.zipRight(Effect.sync(() => all.push(e)), Queue.offer(queue, e))),
      Effect.forkScoped
    )
    const next = <T extends ClientEvent.ClientEvent["_tag"]>(
      tag: T
    ): Effect.Effect<Extract<ClientEvent.ClientEvent, { _tag: T }>> =>
      Effect.flatMap(
        Queue.take(queue),
        (e) => e._tag === tag ? Effect.succeed(e as Extract<ClientEvent.ClientEvent, { _tag: T }>) : next(tag)
      )
    return { all, next }
  })

/** Polls, with real pauses, until `check` holds (real time, so under TestClock too). */
export const eventually = <E, R>(check: Effect.Effect<boolean, E, R>, what: string, ms = 5_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + ms
    while (!(yield* check)) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`not ${what} within ${ms} ms`))
      yield* realPause(10)
    }
  })

/** The methods connection `id` received, in order. */
export const methodsOf = (sim: DeribitSimulator.DeribitSimulator, id: number) =>
  Effect.map(sim.requests(id), (requests) => requests.map((r) => r.method))

export { DeribitClient }

/** A real pause (not the Clock's): lets sockets move while TestClock holds Effect time. */
export const realPause = (ms = 2) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Moves TestClock in steps, with real pauses between, until `fiber` is done (at most `maxSteps`). */
export const driveUntilDone = <A, E>(
  fiber: Fiber.RuntimeFiber<A, E>,
  step: Duration.DurationInput,
  maxSteps = 500
) =>
  Effect.gen(function*() {
    for (let i = 0; i < maxSteps && fiber.unsafePoll() === null; i++) {
      yield* TestClock.adjust(step)
      yield* realPause()
    }
  })
