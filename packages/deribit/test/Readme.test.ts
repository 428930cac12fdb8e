// The README's "Deribit simulator" snippet, verbatim (imports aside): it must compile and pass.
import { assert, it } from "@effect/vitest"
import { Client } from "@zen-websocket/core"
import { Chunk, Effect, Either, Fiber, Stream } from "effect"
import { DeribitChannels, DeribitSimulator, OrderBook } from "../src/index.js"

it.scoped("a maintained book equals the simulator's", () =>
  Effect.gen(function*() {
    const sim = yield* DeribitSimulator.start() // stopped when the test's scope ends
    const client = yield* Client.connect(sim.url)
    const channel = DeribitChannels.book("BTC-PERPETUAL", "100ms")
    const frames = yield* Client.stream(client, [channel]).pipe(Stream.take(6), Stream.runCollect, Effect.fork)
    yield* sim.awaitFrame((f) => f.direction === "out" && f.data.includes(`"snapshot"`)) // subscribed
    yield* sim.tick(5) // five market ticks, now: five book changes
    const [snapshot, ...changes] = Chunk.toArray(yield* Fiber.join(frames)).map((m) =>
      DeribitChannels.decodeBookUpdate(m._tag === "Text" ? (m.json as any).params.data : undefined)
    )
    assert.strictEqual(snapshot.type, "snapshot")
    const book = OrderBook.applyAll(OrderBook.fromSnapshot(snapshot as DeribitChannels.BookSnapshot), changes)
    const state = yield* sim.book("BTC-PERPETUAL")
    assert.isTrue(Either.isRight(book) && OrderBook.sameLevels(book.right, OrderBook.make(state.instrument, state)))
  }))
