/**
 * `OrderBook.stream` over a Deribit session, against the simulator's book: maintained along the change-id chain,
 * exactly one resync per gap, equal to the simulator's book afterwards; resynced across a reconnect before the session
 * is `connected` again.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { DeribitSimulator, OrderBook } from "../src/index.js"
import { DeribitClient, eventually, live, recordEvents, within } from "./utils/session.js"

const instrument = "BTC-PERPETUAL"

/** The book's events as the consumer gets them; `slow`: it takes its time over each chunk it gets. */
const collect = (session: DeribitClient.DeribitSession, slow?: "200 millis") =>
  Effect.gen(function*() {
    const events: Array<OrderBook.Event> = []
    const fiber = yield* OrderBook.stream(session, instrument, "100ms").pipe(
      Stream.runForEachChunk((chunk) =>
        Effect.zipRight(Effect.sync(() => events.push(...chunk)), slow === undefined ? Effect.void : Effect.sleep(slow))
      ),
      Effect.forkScoped
    )
    return { events, fiber }
  })

const sameAsSimulator = (sim: DeribitSimulator.DeribitSimulator, events: ReadonlyArray<OrderBook.Event>) =>
  Effect.map(sim.book(instrument), (state) => {
    const last = events.at(-1)
    return last !== undefined && last.book.changeId === state.changeId &&
      OrderBook.sameLevels(last.book, OrderBook.make(instrument, state))
  })

describe("OrderBook.stream", () => {
  it.scopedLive("a forced change_id gap: exactly one resync, then the book equals the simulator's", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* DeribitClient.connect({ ...live, url: sim.url })
      const { events } = yield* collect(session)
      yield* eventually(Effect.sync(() => events.length > 0), "the snapshot")
      assert.strictEqual(events[0]._tag, "BookUpdated")
      yield* sim.tick(20)
      yield* eventually(sameAsSimulator(sim, events), "the book to follow the simulator's")
      assert.isFalse(events.some((e) => e._tag === "BookResynced"))
      yield* sim.skipChangeId(instrument)
      yield* sim.tick(20)
      yield* eventually(sameAsSimulator(sim, events), "the book to be resynced")
      const resynced = events.filter((e) => e._tag === "BookResynced")
      assert.strictEqual(resynced.length, 1)
      const gap = (resynced[0] as Extract<OrderBook.Event, { _tag: "BookResynced" }>).gap
      assert.strictEqual(gap._tag, "BookGap")
      assert.notStrictEqual(gap.prevChangeId, gap.expected)
      // the resync was a resubscribe: one unsubscribe, and a second subscribe on the same connection
      const methods = (yield* sim.requests(1)).map((r) => r.method)
      assert.strictEqual(methods.filter((m) => m === "public/unsubscribe").length, 1)
      assert.strictEqual(methods.filter((m) => m === "public/subscribe").length, 2)
      // and it keeps following
      yield* sim.tick(10)
      yield* eventually(sameAsSimulator(sim, events), "the book to keep following")
      assert.strictEqual(events.filter((e) => e._tag === "BookResynced").length, 1)
    }))

  it.scopedLive("after a reconnect the session is connected only once the book has its new snapshot", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* DeribitClient.connect({ ...live, url: sim.url })
      // a slow consumer: without the wait for the snapshot, "connected" would come before it is applied
      const { events, fiber } = yield* collect(session, "200 millis")
      yield* eventually(Effect.sync(() => events.length > 0), "the snapshot")
      yield* sim.tick(1)
      const clientEvents = yield* recordEvents(session)
      yield* sim.restart
      yield* within(clientEvents.next("Connected"), "Connected")
      // by the time the session says connected, the book applied the new connection's snapshot
      const snapshots = events.filter((e) => e._tag === "BookUpdated" && e.update.type === "snapshot")
      assert.strictEqual(snapshots.length, 2)
      yield* sim.tick(5)
      yield* eventually(sameAsSimulator(sim, events), "the book to follow after the reconnect")
      assert.isNull(fiber.unsafePoll())
      yield* Fiber.interrupt(fiber)
    }))
})
