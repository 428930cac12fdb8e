import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Option from "effect/Option"
import * as SortedMap from "effect/SortedMap"
import * as TestClock from "effect/TestClock"
import type { DeribitChannels } from "../src/index.js"
import { DeribitSimulator, OrderBook } from "../src/index.js"
import { connect, notificationOf } from "./utils/peer.js"

const snapshot: DeribitChannels.BookSnapshot = {
  type: "snapshot",
  timestamp: 1,
  instrument_name: "BTC-PERPETUAL",
  change_id: 10,
  bids: [["new", 100, 5], ["new", 101, 2], ["new", 99, 7]],
  asks: [["new", 103, 4], ["new", 102, 1]]
}

const change = (
  prev: number,
  id: number,
  bids: ReadonlyArray<DeribitChannels.BookLevelChange>,
  asks: ReadonlyArray<DeribitChannels.BookLevelChange> = []
): DeribitChannels.BookChange => ({
  type: "change",
  timestamp: id,
  instrument_name: "BTC-PERPETUAL",
  change_id: id,
  prev_change_id: prev,
  bids,
  asks
})

const getRight = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) throw new Error(`expected Right, got ${String(e.left)}`)
  return e.right
}

describe("OrderBook (pure)", () => {
  it("a snapshot gives sorted sides, best first; best bid/ask, spread, mid, depth", () => {
    const book = OrderBook.fromSnapshot(snapshot)
    assert.deepStrictEqual(Option.getOrThrow(OrderBook.bestBid(book)), { price: 101, amount: 2 })
    assert.deepStrictEqual(Option.getOrThrow(OrderBook.bestAsk(book)), { price: 102, amount: 1 })
    assert.strictEqual(Option.getOrThrow(OrderBook.spread(book)), 1)
    assert.strictEqual(Option.getOrThrow(OrderBook.mid(book)), 101.5)
    assert.deepStrictEqual(OrderBook.depth(book, 2), {
      bids: [{ price: 101, amount: 2 }, { price: 100, amount: 5 }],
      asks: [{ price: 102, amount: 1 }, { price: 103, amount: 4 }]
    })
    assert.strictEqual(book.changeId, 10)
  })

  it("new/change/delete along the chain; a delete or zero amount removes the level", () => {
    const book = OrderBook.fromSnapshot(snapshot)
    const next = getRight(OrderBook.applyAll(book, [
      change(10, 11, [["change", 101, 9], ["new", 100.5, 3]], [["delete", 102, 0]]),
      change(11, 12, [["change", 99, 0]], [["new", 102.5, 8]])
    ]))
    assert.strictEqual(next.changeId, 12)
    assert.deepStrictEqual(OrderBook.depth(next, 10), {
      bids: [{ price: 101, amount: 9 }, { price: 100.5, amount: 3 }, { price: 100, amount: 5 }],
      asks: [{ price: 102.5, amount: 8 }, { price: 103, amount: 4 }]
    })
    assert.strictEqual(OrderBook.depth(book, 10).bids.length, 3, "books are immutable")
  })

  it("a broken chain is a BookGap value, not a throw", () => {
    const book = OrderBook.fromSnapshot(snapshot)
    const result = OrderBook.apply(book, change(11, 12, [["new", 98, 1]]))
    assert.isTrue(Either.isLeft(result))
    const gap = Either.getLeft(result).pipe(Option.getOrThrow)
    assert.strictEqual(gap._tag, "BookGap")
    if (gap._tag !== "BookGap") return
    assert.deepStrictEqual([gap.instrument, gap.expected, gap.prevChangeId, gap.changeId], [
      "BTC-PERPETUAL",
      10,
      11,
      12
    ])
    const other = OrderBook.apply(book, { ...change(10, 11, []), instrument_name: "ETH-PERPETUAL" })
    assert.strictEqual(Either.getLeft(other).pipe(Option.getOrThrow)._tag, "InstrumentMismatch")
    const reset = getRight(OrderBook.apply(book, { ...snapshot, change_id: 50, bids: [["new", 1, 1]] }))
    assert.strictEqual(reset.changeId, 50, "a snapshot replaces the book")
  })

  it("Equal: same instrument, change id and levels; sameLevels ignores change ids", () => {
    const a = OrderBook.fromSnapshot(snapshot)
    const b = OrderBook.make("BTC-PERPETUAL", {
      changeId: 10,
      bids: [[99, 7], [100, 5], [101, 2]],
      asks: [[102, 1], [103, 4], [104, 0]]
    })
    assert.isTrue(Equal.equals(a, b))
    const c = getRight(OrderBook.apply(a, change(10, 11, [["change", 99, 6]])))
    assert.isFalse(Equal.equals(a, c))
    const d = getRight(OrderBook.apply(c, change(11, 12, [["change", 99, 7]])))
    assert.isFalse(Equal.equals(a, d))
    assert.isTrue(OrderBook.sameLevels(a, d))
    assert.deepStrictEqual(a.toJSON(), {
      _id: "OrderBook",
      instrument: "BTC-PERPETUAL",
      changeId: 10,
      timestamp: 1,
      bids: [[101, 2], [100, 5], [99, 7]],
      asks: [[102, 1], [103, 4]]
    })
  })

  it("track/step: live on the chain, awaiting a snapshot after a gap (updates ignored), resynced by the snapshot", () => {
    let t = OrderBook.track("BTC-PERPETUAL")
    t = OrderBook.step(t, change(9, 10, []))
    assert.strictEqual(t._tag, "AwaitingSnapshot", "no book before the snapshot")
    t = OrderBook.step(t, snapshot)
    assert.strictEqual(t._tag, "Live")
    t = OrderBook.step(t, change(10, 11, [["new", 98, 1]]))
    assert.isTrue(t._tag === "Live" && t.book.changeId === 11)
    t = OrderBook.step(t, change(12, 13, []))
    assert.isTrue(t._tag === "AwaitingSnapshot" && Option.isSome(t.gap))
    t = OrderBook.step(t, change(13, 14, []))
    assert.strictEqual(t._tag, "AwaitingSnapshot")
    t = OrderBook.step(t, { ...snapshot, change_id: 20 })
    assert.isTrue(t._tag === "Live" && Option.isSome(t.resynced) && t.book.changeId === 20)
    t = OrderBook.step(t, change(20, 21, []))
    assert.isTrue(t._tag === "Live" && Option.isNone(t.resynced))
  })
})

/** Deribit's actions mean: `new` a level the book does not have, `change` / `delete` one it has. */
const assertActions = (book: OrderBook.OrderBook, update: DeribitChannels.BookChange) => {
  for (const [side, levels] of [[book.bids, update.bids], [book.asks, update.asks]] as const) {
    for (const [action, price, amount] of levels) {
      const has = SortedMap.has(side, price)
      assert.strictEqual(has, action !== "new", `${action} ${price} at change ${update.change_id}`)
      assert.strictEqual(amount > 0, action !== "delete")
    }
  }
}

describe("OrderBook on the simulator's book channel", () => {
  const maintain = (interval: DeribitChannels.Interval) =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false, rawWithoutAuth: "dropChannel" })
      const peer = yield* connect(sim.url)
      if (interval === "raw") {
        yield* peer.call("public/auth", {
          grant_type: "client_credentials",
          client_id: sim.credentials.clientId,
          client_secret: sim.credentials.clientSecret
        })
      }
      const channel = `book.BTC-PERPETUAL.${interval}`
      yield* peer.call("public/subscribe", { channels: [channel] })
      yield* TestClock.adjust("4 seconds") // agg2 flushes at 2 s and 4 s
      const last = (yield* sim.book("BTC-PERPETUAL")).changeId
      yield* peer.waitFor((m) => notificationOf(channel)(m) && m.params.data.change_id === last)
      const updates = peer.received.filter(notificationOf(channel)).map((m) => m.params.data)
      let tracked = OrderBook.track("BTC-PERPETUAL")
      for (const u of updates) {
        if (tracked._tag === "Live" && u.type === "change") assertActions(tracked.book, u)
        tracked = OrderBook.step(tracked, u)
      }
      return { sim, peer, channel, updates, tracked }
    })

  for (const interval of ["100ms", "raw", "agg2"] as const) {
    it.scoped(`applying the ${interval} updates reproduces the simulator's book`, () =>
      Effect.gen(function*() {
        const { sim, tracked, updates } = yield* maintain(interval)
        assert.isAbove(updates.length, 1)
        assert.strictEqual(tracked._tag, "Live")
        if (tracked._tag !== "Live") return
        const state = yield* sim.book("BTC-PERPETUAL")
        assert.isTrue(Equal.equals(tracked.book, OrderBook.make(state.instrument, state)), "same book")
        assert.deepStrictEqual(
          OrderBook.depth(tracked.book, 1000).bids.map((l) => [l.price, l.amount]),
          state.bids.map(([p, a]) => [p, a])
        )
      }))
  }

  it.scoped("a skipped change id is reported as a BookGap by the maintained book", () =>
    Effect.gen(function*() {
      const { sim, peer, channel, tracked } = yield* maintain("100ms")
      assert.strictEqual(tracked._tag, "Live")
      yield* sim.skipChangeId()
      const from = peer.received.length
      yield* TestClock.adjust("300 millis")
      yield* peer.waitFor(notificationOf(channel), { from })
      let t = tracked
      for (const m of peer.received.slice(from).filter(notificationOf(channel))) {
        t = OrderBook.step(t, m.params.data)
      }
      assert.strictEqual(t._tag, "AwaitingSnapshot")
      if (t._tag !== "AwaitingSnapshot") return
      const gap = Option.getOrThrow(t.gap)
      assert.strictEqual(gap.expected, tracked._tag === "Live" ? tracked.book.changeId : -1)
      assert.isAbove(gap.prevChangeId, gap.expected)
      // resubscribing sends a fresh snapshot: the book is live again and equals the simulator's
      yield* peer.call("public/subscribe", { channels: [channel] })
      const snapshot = yield* peer.waitFor((m) => notificationOf(channel)(m) && m.params.data.type === "snapshot", {
        from
      })
      t = OrderBook.step(t, snapshot.params.data)
      assert.isTrue(t._tag === "Live" && Option.isSome(t.resynced))
      const state = yield* sim.book("BTC-PERPETUAL")
      assert.isTrue(t._tag === "Live" && Equal.equals(t.book, OrderBook.make(state.instrument, state)))
    }))
})
