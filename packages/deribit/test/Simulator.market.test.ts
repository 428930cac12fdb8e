import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { DeribitSimulator } from "../src/index.js"
import type { Message } from "./utils/peer.js"
import { authenticate, connect, errorCode, notificationOf } from "./utils/peer.js"

const BTC = "BTC-PERPETUAL"
const quiet = { credits: false, market: { generate: false } } as const

const bookNotes = (received: ReadonlyArray<Message>, channel: string) =>
  received.filter(notificationOf(channel)).map((m) => m.params.data)

describe("DeribitSimulator: subscriptions", () => {
  it.scoped("a multi-channel subscribe answers only the accepted channels", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      const response = yield* peer.call("public/subscribe", {
        channels: [
          "ticker.BTC-PERPETUAL.100ms",
          "ticker.NOPE-PERPETUAL.100ms",
          "not.a.channel",
          "book.ETH-PERPETUAL.100ms",
          "user.orders.BTC-PERPETUAL.100ms",
          "ticker.BTC-PERPETUAL.100ms",
          "trades.future.BTC.agg2",
          "book.BTC-PERPETUAL.10.10.100ms"
        ]
      })
      assert.deepStrictEqual(response.result, [
        "ticker.BTC-PERPETUAL.100ms",
        "book.ETH-PERPETUAL.100ms",
        "trades.future.BTC.agg2"
      ])
      const [info] = yield* sim.connections
      assert.deepStrictEqual(info.subscriptions, response.result)
      const unsubscribed = yield* peer.call("public/unsubscribe", {
        channels: ["ticker.BTC-PERPETUAL.100ms", "ticker.ETH-PERPETUAL.100ms"]
      })
      assert.deepStrictEqual(unsubscribed.result, ["ticker.BTC-PERPETUAL.100ms"])
    }))

  it.scoped("a .raw channel without auth rejects the whole request with 13778; the same channels without it pass", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      const rejected = yield* peer.call("public/subscribe", {
        channels: ["ticker.BTC-PERPETUAL.100ms", "trades.BTC-PERPETUAL.raw", "book.BTC-PERPETUAL.100ms"]
      })
      assert.deepStrictEqual(rejected.error, {
        code: 13778,
        message: "raw_subscriptions_not_available_for_unauthorized",
        data: { channel: "trades.BTC-PERPETUAL.raw" }
      })
      assert.deepStrictEqual((yield* sim.connections)[0].subscriptions, [], "nothing of that request subscribed")
      const accepted = yield* peer.call("public/subscribe", {
        channels: ["ticker.BTC-PERPETUAL.100ms", "book.BTC-PERPETUAL.100ms"]
      })
      assert.deepStrictEqual(accepted.result, ["ticker.BTC-PERPETUAL.100ms", "book.BTC-PERPETUAL.100ms"])
      yield* authenticate(peer, sim)
      const raw = yield* peer.call("public/subscribe", { channels: ["trades.BTC-PERPETUAL.raw"] })
      assert.deepStrictEqual(raw.result, ["trades.BTC-PERPETUAL.raw"], "authenticated: .raw is available")
    }))

  it.scoped("rawWithoutAuth: dropChannel leaves the .raw channel out while the others of the request are accepted", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ ...quiet, rawWithoutAuth: "dropChannel" })
      const peer = yield* connect(sim.url)
      const response = yield* peer.call("public/subscribe", {
        channels: ["ticker.BTC-PERPETUAL.100ms", "book.BTC-PERPETUAL.raw", "book.ETH-PERPETUAL.100ms"]
      })
      assert.deepStrictEqual(response.result, ["ticker.BTC-PERPETUAL.100ms", "book.ETH-PERPETUAL.100ms"])
      yield* sim.tick()
      yield* peer.waitFor(notificationOf("ticker.BTC-PERPETUAL.100ms"))
      assert.isUndefined(peer.received.find(notificationOf("book.BTC-PERPETUAL.raw")))
    }))

  it.scoped("user.* channels: private/subscribe only, after auth", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      const before = yield* peer.call("private/subscribe", { channels: ["user.portfolio.BTC"] })
      assert.strictEqual(errorCode(before), 13009)
      yield* authenticate(peer, sim)
      const channels = [
        "user.orders.BTC-PERPETUAL.raw",
        "user.orders.future.any.100ms",
        "user.trades.BTC-PERPETUAL.100ms",
        "user.portfolio.BTC",
        "user.portfolio.XRP"
      ]
      const response = yield* peer.call("private/subscribe", { channels, label: "bot-1" })
      assert.deepStrictEqual(response.result, channels.slice(0, 4))
    }))
})

describe("DeribitSimulator: book channel", () => {
  it.scoped("a snapshot, then changes chained by change_id / prev_change_id; a skipped change id shows as a gap", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      const channel = "book.BTC-PERPETUAL.100ms"
      yield* peer.call("public/subscribe", { channels: [channel] })
      const snapshot = yield* peer.waitFor(notificationOf(channel))
      assert.strictEqual(snapshot.params.data.type, "snapshot")
      assert.isUndefined(snapshot.params.data.prev_change_id)
      assert.isAbove(snapshot.params.data.bids.length, 0)
      assert.isTrue(snapshot.params.data.bids.every((l: any) => l[0] === "new"))
      yield* TestClock.adjust("1 second")
      yield* peer.waitFor(() => bookNotes(peer.received, channel).length >= 11)
      const notes = bookNotes(peer.received, channel)
      for (let i = 1; i < notes.length; i++) {
        assert.strictEqual(notes[i].type, "change")
        assert.strictEqual(notes[i].prev_change_id, notes[i - 1].change_id, `notification ${i} chains`)
        assert.isAbove(notes[i].change_id, notes[i].prev_change_id)
      }
      assert.isTrue(notes.slice(1).some((n) => n.bids.length + n.asks.length > 0))
      yield* sim.skipChangeId(BTC)
      const from = peer.received.length
      yield* TestClock.adjust("200 millis")
      const next = yield* peer.waitFor(notificationOf(channel), { from })
      assert.notStrictEqual(next.params.data.prev_change_id, notes[notes.length - 1].change_id, "a gap")
      const book = yield* sim.book(BTC)
      assert.strictEqual(book.changeId, next.params.data.change_id)
    }))

  it.scoped("raw book subscriptions get every batch; agg2 one notification per 2 s", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      yield* authenticate(peer, sim)
      yield* peer.call("public/subscribe", { channels: ["book.BTC-PERPETUAL.raw", "book.BTC-PERPETUAL.agg2"] })
      yield* TestClock.adjust("2 seconds")
      yield* peer.waitFor(() => bookNotes(peer.received, "book.BTC-PERPETUAL.agg2").length >= 2)
      const raw = bookNotes(peer.received, "book.BTC-PERPETUAL.raw")
      const agg2 = bookNotes(peer.received, "book.BTC-PERPETUAL.agg2")
      assert.strictEqual(agg2.length, 2, "the snapshot and one aggregate")
      assert.isAtLeast(raw.length, 15)
      assert.strictEqual(agg2[1].prev_change_id, agg2[0].change_id)
      assert.strictEqual(agg2[1].change_id, raw[raw.length - 1].change_id)
    }))

  it.scoped("ticker every 100 ms tick, with the book's best levels", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      yield* peer.call("public/subscribe", { channels: ["ticker.BTC-PERPETUAL.100ms", "ticker.BTC-PERPETUAL.agg2"] })
      yield* TestClock.adjust("1 second")
      yield* peer.waitFor(() => peer.received.filter(notificationOf("ticker.BTC-PERPETUAL.100ms")).length >= 10)
      assert.strictEqual(peer.received.filter(notificationOf("ticker.BTC-PERPETUAL.agg2")).length, 0)
      const ticker = peer.received.filter(notificationOf("ticker.BTC-PERPETUAL.100ms"))[9].params.data
      const book = yield* sim.book(BTC)
      assert.deepStrictEqual(
        [ticker.best_bid_price, ticker.best_bid_amount, ticker.best_ask_price, ticker.best_ask_amount],
        [book.bids[0][0], book.bids[0][1], book.asks[0][0], book.asks[0][1]]
      )
      assert.strictEqual(ticker.timestamp, 1_000)
    }))
})

describe("DeribitSimulator: matching", () => {
  it.scoped("a limit order rests, shows in the book and user.orders; a crossing order fills; edit and cancel work", () =>
    Effect.gen(function*() {
      const takerKey = { clientId: "taker", clientSecret: "taker-secret" }
      const sim = yield* DeribitSimulator.start({ ...quiet, accounts: [DeribitSimulator.defaultCredentials, takerKey] })
      const maker = yield* connect(sim.url)
      const taker = yield* connect(sim.url)
      yield* authenticate(maker, sim)
      yield* authenticate(taker, sim, takerKey)
      yield* maker.call("private/subscribe", {
        channels: ["user.orders.BTC-PERPETUAL.raw", "user.trades.BTC-PERPETUAL.raw"]
      })
      const before = yield* sim.book(BTC)
      const bestAsk = before.asks[0][0]
      const price = bestAsk + 10
      const sell = yield* maker.call("private/sell", {
        instrument_name: BTC,
        amount: 30,
        type: "limit",
        price,
        label: "m1"
      })
      const order = sell.result.order
      assert.deepStrictEqual([order.order_state, order.filled_amount, order.label, sell.result.trades], [
        "open",
        0,
        "m1",
        []
      ])
      const heard = yield* maker.waitFor((m) => m.params?.data?.order_id === order.order_id)
      assert.strictEqual(heard.params.channel, "user.orders.BTC-PERPETUAL.raw")
      const resting = (yield* sim.book(BTC)).asks.find(([p]) => p === price)
      assert.deepStrictEqual(resting, [price, 30])
      const edited = yield* maker.call("private/edit", { order_id: order.order_id, amount: 40, price: price + 1 })
      assert.deepStrictEqual([edited.result.order.price, edited.result.order.amount, edited.result.order.replaced], [
        price + 1,
        40,
        true
      ])
      // the taker sweeps the generated asks up to and including the maker's order
      const buy = yield* taker.call("private/buy", {
        instrument_name: BTC,
        amount: 10_000,
        type: "limit",
        price: price + 1
      })
      const trades = buy.result.trades as ReadonlyArray<any>
      assert.isAbove(trades.length, 1)
      assert.isTrue(trades.every((t) => t.price <= price + 1 && t.liquidity === "T" && t.direction === "buy"))
      const filledMaker = (yield* sim.orders()).find((o) => o.order_id === order.order_id)
      assert.strictEqual(filledMaker?.order_state, "filled")
      const makerFill = yield* maker.waitFor((m) => m.params?.channel === "user.trades.BTC-PERPETUAL.raw")
      assert.deepStrictEqual(
        [makerFill.params.data[0].order_id, makerFill.params.data[0].liquidity, makerFill.params.data[0].amount],
        [order.order_id, "M", 40]
      )
      const filled = trades.reduce((sum, t) => sum + t.amount, 0)
      assert.strictEqual(buy.result.order.filled_amount, filled)
      assert.strictEqual(buy.result.order.order_state, filled === 10_000 ? "filled" : "open")
      const positions = yield* taker.call("private/get_positions", { currency: "BTC" })
      assert.strictEqual(positions.result[0].size, filled)
      assert.strictEqual(positions.result[0].direction, "buy")
      const makerPositions = yield* maker.call("private/get_positions", { currency: "BTC" })
      assert.deepStrictEqual([makerPositions.result[0].size, makerPositions.result[0].direction], [-40, "sell"])
      assert.isUndefined(maker.received.find((m) => m.params?.data?.[0]?.liquidity === "T"), "only its own fills")
      // the rest of the taker's order rests at its price; cancel it
      const open = yield* taker.call("private/get_open_orders_by_instrument", { instrument_name: BTC })
      assert.deepStrictEqual(open.result.map((o: any) => o.order_id), [buy.result.order.order_id])
      const cancelled = yield* taker.call("private/cancel", { order_id: buy.result.order.order_id })
      assert.deepStrictEqual([cancelled.result.order_state, cancelled.result.cancel_reason], [
        "cancelled",
        "user_request"
      ])
      assert.strictEqual(errorCode(yield* taker.call("private/cancel", { order_id: buy.result.order.order_id })), 10004)
    }))

  it.scoped("cancel_all, market and immediate-or-cancel orders, and the parameter checks", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      yield* authenticate(peer, sim)
      for (const price of [40_000, 40_000.5, 41_000]) {
        yield* peer.call("private/buy", { instrument_name: BTC, amount: 10, price })
      }
      yield* peer.call("private/sell", { instrument_name: "ETH-PERPETUAL", amount: 1, price: 9_000 })
      const byInstrument = yield* peer.call("private/cancel_all_by_instrument", { instrument_name: BTC })
      assert.strictEqual(byInstrument.result, 3)
      assert.strictEqual((yield* peer.call("private/cancel_all")).result, 1)
      const market = yield* peer.call("private/buy", { instrument_name: BTC, amount: 20, type: "market" })
      assert.deepStrictEqual([market.result.order.price, market.result.order.order_state], ["market_price", "filled"])
      const ioc = yield* peer.call("private/buy", {
        instrument_name: BTC,
        amount: 10,
        price: 1_000,
        time_in_force: "immediate_or_cancel"
      })
      assert.deepStrictEqual([ioc.result.order.order_state, ioc.result.trades], ["cancelled", []])
      const bad = yield* peer.call("private/buy", { instrument_name: BTC, amount: 15, price: 40_000 })
      assert.deepStrictEqual(bad.error?.data, { param: "amount", reason: "must be a positive multiple of 10" })
      const tick = yield* peer.call("private/buy", { instrument_name: BTC, amount: 10, price: 40_000.3 })
      assert.strictEqual(tick.error?.data?.param, "price")
      const noPrice = yield* peer.call("private/buy", { instrument_name: BTC, amount: 10 })
      assert.strictEqual(noPrice.error?.data?.param, "price")
      const unknown = yield* peer.call("private/buy", { instrument_name: "XRP-PERPETUAL", amount: 10, price: 1 })
      assert.strictEqual(errorCode(unknown), 13020)
      assert.deepStrictEqual((yield* sim.orders({ state: "open" })).length, 0)
    }))

  it.scoped("public methods: instruments, ticker and order book agree with the simulator's book", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      const instruments = yield* peer.call("public/get_instruments", { currency: "BTC" })
      assert.deepStrictEqual(instruments.result.map((i: any) => i.instrument_name), [BTC])
      assert.strictEqual(instruments.result[0].tick_size, 0.5)
      const book = yield* sim.book(BTC)
      const orderBook = yield* peer.call("public/get_order_book", { instrument_name: BTC, depth: 3 })
      assert.deepStrictEqual(orderBook.result.bids, book.bids.slice(0, 3))
      assert.deepStrictEqual(orderBook.result.asks, book.asks.slice(0, 3))
      assert.strictEqual(orderBook.result.change_id, book.changeId)
      const ticker = yield* peer.call("public/ticker", { instrument_name: BTC })
      assert.strictEqual(ticker.result.best_bid_price, book.bids[0][0])
      assert.strictEqual(errorCode(yield* peer.call("public/ticker", { instrument_name: "NOPE" })), 13020)
    }))
})
