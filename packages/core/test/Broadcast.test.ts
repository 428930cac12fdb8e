/**
 * The inbound broadcast (`internal/broadcast.ts`) on its own: a waiting reader is woken with its `take`, not with
 * elements already drained for it, so a reader whose wait was interrupted loses nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Broadcast } from "../src/internal/broadcast.js"

/** waits (a bounded number of yields) until a forked consumer has subscribed */
const started = (broadcast: Broadcast<number>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 100 && !broadcast.hasReaders; i++) yield* Effect.yieldNow()
    assert.isTrue(broadcast.hasReaders, "the consumer subscribed")
  })

describe("Broadcast", () => {
  it.scoped("a reader gets what was published since it subscribed, in order, as one chunk", () =>
    Effect.gen(function*() {
      const broadcast = new Broadcast<number>()
      broadcast.publish([0])
      const reader = yield* broadcast.subscribe
      broadcast.publish([1, 2])
      broadcast.publish([3])
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* broadcast.take(reader)), [1, 2, 3])
    }))

  it.scoped("a take interrupted while it waits loses none of the elements published after", () =>
    Effect.gen(function*() {
      const broadcast = new Broadcast<number>()
      const reader = yield* broadcast.subscribe
      const waiting = yield* Effect.fork(broadcast.take(reader))
      yield* Effect.yieldNow()
      assert.isDefined(reader.waiting)
      yield* Fiber.interrupt(waiting)
      broadcast.publish([1, 2])
      assert.strictEqual(reader.size, 2)
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* broadcast.take(reader)), [1, 2])
    }))

  it.scopedLive("a pull that times out loses nothing: the stream goes on with the next elements", () =>
    Effect.gen(function*() {
      const broadcast = new Broadcast<number>()
      const reader = yield* broadcast.subscribe
      const timedOut = yield* Effect.timeout(broadcast.take(reader), "1 millis").pipe(Effect.option)
      assert.isTrue(Option.isNone(timedOut))
      broadcast.publish([7])
      broadcast.end()
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Stream.runCollect(broadcast.stream(reader))), [7])
    }))

  it.scoped("a waiting reader is woken by the end, after it took what it held", () =>
    Effect.gen(function*() {
      const broadcast = new Broadcast<number>()
      const reader = yield* broadcast.subscribe
      const collected = yield* Effect.fork(Stream.runCollect(broadcast.stream(reader)))
      yield* Effect.yieldNow()
      broadcast.publish([1])
      broadcast.end()
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(collected)), [1])
    }))

  it.scoped("a stream subscribes when it starts and unsubscribes however it ends", () =>
    Effect.gen(function*() {
      const broadcast = new Broadcast<number>()
      const stream = broadcast.streamOnPull
      assert.isFalse(broadcast.hasReaders)
      const first = yield* Effect.fork(Stream.runHead(stream))
      yield* started(broadcast)
      broadcast.publish([1, 2])
      assert.deepStrictEqual(yield* Fiber.join(first), Option.some(1))
      assert.isFalse(broadcast.hasReaders, "ended by take")

      const running = yield* Effect.fork(Stream.runDrain(stream))
      yield* started(broadcast)
      yield* Fiber.interrupt(running)
      assert.isFalse(broadcast.hasReaders, "interrupted")

      const failing = Stream.runForEach(stream, () => Effect.fail("boom" as const))
      const failed = yield* Effect.fork(Effect.either(failing))
      yield* started(broadcast)
      broadcast.publish([3])
      assert.isTrue(Either.isLeft(yield* Fiber.join(failed)))
      assert.isFalse(broadcast.hasReaders, "failed")
    }))

  it.scoped("withReader holds a reader only while its effect runs", () =>
    Effect.gen(function*() {
      const broadcast = new Broadcast<number>()
      const taken = yield* broadcast.withReader((reader) => {
        broadcast.publish([5])
        return broadcast.take(reader)
      })
      assert.deepStrictEqual(Chunk.toReadonlyArray(taken), [5])
      assert.isFalse(broadcast.hasReaders)
      const waiting = yield* Effect.fork(broadcast.withReader((reader) => broadcast.take(reader)))
      yield* Effect.yieldNow()
      assert.isTrue(broadcast.hasReaders)
      yield* Fiber.interrupt(waiting)
      assert.isFalse(broadcast.hasReaders)
    }))

  it.scoped("an unsubscribed reader gets nothing more", () =>
    Effect.gen(function*() {
      const broadcast = new Broadcast<number>()
      const reader = yield* Effect.scoped(broadcast.subscribe)
      broadcast.publish([1])
      assert.isFalse(broadcast.hasReaders)
      assert.strictEqual(reader.size, 0)
    }))
})
