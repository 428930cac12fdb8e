import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { DeribitChannels, DeribitMethods, DeribitSimulator } from "../src/index.js"
import type { Message, Peer } from "./utils/peer.js"
import { connect } from "./utils/peer.js"

describe("DeribitChannels: names", () => {
  it("builds, parses and formats the channels; private and raw channels need auth", () => {
    const names = [
      DeribitChannels.ticker("BTC-PERPETUAL", "100ms"),
      DeribitChannels.book("ETH-PERPETUAL", "raw"),
      DeribitChannels.trades("BTC-PERPETUAL", "agg2"),
      DeribitChannels.trades({ kind: "future", currency: "BTC" }, "100ms"),
      DeribitChannels.userOrders("BTC-PERPETUAL", "raw"),
      DeribitChannels.userOrders({ kind: "any", currency: "any" }, "100ms"),
      DeribitChannels.userTrades({ kind: "option", currency: "ETH" }, "agg2"),
      DeribitChannels.userPortfolio("BTC")
    ]
    assert.deepStrictEqual(names, [
      "ticker.BTC-PERPETUAL.100ms",
      "book.ETH-PERPETUAL.raw",
      "trades.BTC-PERPETUAL.agg2",
      "trades.future.BTC.100ms",
      "user.orders.BTC-PERPETUAL.raw",
      "user.orders.any.any.100ms",
      "user.trades.option.ETH.agg2",
      "user.portfolio.BTC"
    ])
    for (const name of names) {
      assert.strictEqual(DeribitChannels.format(Option.getOrThrow(DeribitChannels.parse(name))), name)
    }
    assert.deepStrictEqual(Option.getOrThrow(DeribitChannels.parse("user.orders.future.BTC.raw")), {
      _tag: "UserOrders",
      target: { _tag: "KindCurrency", kind: "future", currency: "BTC" },
      interval: "raw"
    })
    for (
      const bad of ["ticker.BTC-PERPETUAL", "ticker.BTC-PERPETUAL.1s", "book.BTC-PERPETUAL.10.10.100ms", "x.y.z", ""]
    ) {
      assert.isTrue(Option.isNone(DeribitChannels.parse(bad)), bad)
    }
    assert.deepStrictEqual(names.map(DeribitChannels.requiresAuth), [false, true, false, false, true, true, true, true])
    assert.deepStrictEqual(names.map(DeribitChannels.isPrivate), [false, false, false, false, true, true, true, true])
  })
})

const baseTicker: Record<string, unknown> = {
  timestamp: 1_700_000_000_000,
  instrument_name: "BTC-PERPETUAL",
  state: "open",
  best_bid_price: 50_000.5,
  best_bid_amount: 12_340,
  best_ask_price: 50_001,
  best_ask_amount: 5_670,
  last_price: 50_000.5,
  mark_price: 50_000.75,
  index_price: 49_998.2,
  open_interest: 123_456_789,
  min_price: 49_250,
  max_price: 50_750,
  settlement_price: 49_990,
  estimated_delivery_price: 49_998.2,
  current_funding: 0.0001,
  funding_8h: 0.00012,
  interest_value: 0.5,
  stats: { volume: 1_234.5, volume_usd: 61_725_000, price_change: 1.25, low: 49_000, high: 51_000 }
}

const variants = (): Array<unknown> => {
  const out: Array<unknown> = [baseTicker, null, 42, "ticker", [], [baseTicker], { ...baseTicker, extra: { x: 1 } }]
  const wrongs: ReadonlyArray<unknown> = ["1", null, undefined, true, {}, [], Number.NaN, "open", 0]
  for (const key of Object.keys(baseTicker)) {
    const { [key]: _, ...without } = baseTicker
    out.push(without)
    for (const wrong of wrongs) out.push({ ...baseTicker, [key]: wrong })
  }
  const stats = baseTicker.stats as Record<string, unknown>
  for (const key of Object.keys(stats)) {
    const { [key]: _, ...without } = stats
    out.push({ ...baseTicker, stats: without })
    for (const wrong of wrongs) out.push({ ...baseTicker, stats: { ...stats, [key]: wrong } })
  }
  out.push({ ...baseTicker, state: "closed" }, { ...baseTicker, best_bid_price: null, best_ask_price: null })
  return out
}

const decodeTickerEither = Schema.decodeUnknownEither(DeribitChannels.Ticker)

describe("DeribitChannels: decoders", () => {
  it("the hand-written ticker decoder agrees with the Schema on valid and broken input", () => {
    const inputs = variants()
    assert.isAbove(inputs.length, 200)
    for (const input of inputs) {
      const schema = decodeTickerEither(input)
      const fast = DeribitChannels.decodeTickerFast(input)
      assert.strictEqual(fast !== undefined, Either.isRight(schema), JSON.stringify(input))
      if (Either.isRight(schema) && fast !== undefined) {
        for (const [key, value] of Object.entries(schema.right)) assert.deepStrictEqual((fast as any)[key], value, key)
      }
    }
  })

  it("the compiled decoders decode and throw on a mismatch", () => {
    assert.strictEqual(DeribitChannels.decodeTicker(baseTicker).mark_price, 50_000.75)
    assert.throws(() => DeribitChannels.decodeTicker({ ...baseTicker, mark_price: "x" }))
    const heartbeat = { jsonrpc: "2.0", method: "heartbeat", params: { type: "test_request" } }
    assert.deepStrictEqual(DeribitChannels.decodeHeartbeat(heartbeat), heartbeat)
  })
})

// -------------------------------------------------------------------------------------------------------------------
// every frame the simulator sends has exactly the documented shape
// -------------------------------------------------------------------------------------------------------------------

const strict = { onExcessProperty: "error" } as const

const decodeNotification = (m: Message): void => {
  const channel = Option.getOrThrow(DeribitChannels.parse(m.params.channel))
  Schema.decodeUnknownSync(DeribitChannels.Notification(DeribitChannels.dataSchema(channel)), strict)(m)
}

const decodeResponse = (method: string, m: Message): void => {
  if (m.error !== undefined) {
    Schema.decodeUnknownSync(DeribitMethods.Failure, strict)(m)
    return
  }
  if (!DeribitMethods.isMethod(method)) throw new Error(`untyped method ${method}`)
  const result = DeribitMethods.methods[method].result as Schema.Schema<unknown, unknown>
  Schema.decodeUnknownSync(DeribitMethods.Success(result), strict)(m)
}

/** Calls a method, remembering the id → method pairs for decoding. */
const caller = (peer: Peer, methods: Map<unknown, string>) => (method: string, params?: unknown) =>
  Effect.flatMap(peer.fire(method, params), (id) => {
    methods.set(id, method)
    return peer.waitFor((m) => m.id === id)
  })

describe("DeribitChannels and DeribitMethods describe what the simulator sends", () => {
  it.scoped("every notification and response of a full session decodes, strictly, with its Schema", () =>
    Effect.gen(function*() {
      const takerKey = { clientId: "taker", clientSecret: "taker-secret" }
      const sim = yield* DeribitSimulator.start({
        credits: false,
        accounts: [DeribitSimulator.defaultCredentials, takerKey]
      })
      const peer = yield* connect(sim.url)
      const taker = yield* connect(sim.url)
      const ids = new Map<unknown, string>()
      const call = caller(peer, ids)
      const takerIds = new Map<unknown, string>()
      const takerCall = caller(taker, takerIds)
      yield* call("public/test")
      yield* call("public/get_time")
      yield* call("public/get_instruments", { currency: "any" })
      yield* call("public/ticker", { instrument_name: "BTC-PERPETUAL" })
      yield* call("public/get_order_book", { instrument_name: "BTC-PERPETUAL" })
      yield* call("private/get_positions", { currency: "BTC" }) // an error answer
      yield* call("public/auth", {
        grant_type: "client_credentials",
        client_id: sim.credentials.clientId,
        client_secret: sim.credentials.clientSecret
      })
      yield* takerCall("public/auth", {
        grant_type: "client_credentials",
        client_id: takerKey.clientId,
        client_secret: takerKey.clientSecret
      })
      yield* call("public/set_heartbeat", { interval: 10 })
      const market = ["ticker", "book", "trades"].flatMap((c) =>
        ["raw", "100ms", "agg2"].map((i) => `${c}.BTC-PERPETUAL.${i}`)
      )
      yield* call("public/subscribe", { channels: market })
      yield* call("private/subscribe", {
        channels: [
          "user.orders.BTC-PERPETUAL.raw",
          "user.orders.future.BTC.100ms",
          "user.trades.BTC-PERPETUAL.raw",
          "user.trades.any.any.agg2",
          "user.portfolio.BTC"
        ],
        label: "bot"
      })
      yield* call("private/enable_cancel_on_disconnect", { scope: "connection" })
      yield* call("private/get_cancel_on_disconnect")
      yield* call("private/disable_cancel_on_disconnect")
      const book = yield* sim.book("BTC-PERPETUAL")
      const sold = yield* call("private/sell", {
        instrument_name: "BTC-PERPETUAL",
        amount: 50,
        price: book.asks[0][0] + 5,
        label: "maker"
      })
      yield* call("private/edit", { order_id: sold.result.order.order_id, amount: 60, price: book.asks[0][0] + 6 })
      yield* takerCall("private/buy", { instrument_name: "BTC-PERPETUAL", amount: 40_000, price: book.asks[0][0] + 6 })
      yield* call("private/buy", { instrument_name: "BTC-PERPETUAL", amount: 20, type: "market" })
      const resting = yield* call("private/buy", { instrument_name: "BTC-PERPETUAL", amount: 10, price: 1_000 })
      yield* call("private/get_open_orders_by_instrument", { instrument_name: "BTC-PERPETUAL" })
      yield* call("private/cancel", { order_id: resting.result.order.order_id })
      yield* call("private/buy", { instrument_name: "BTC-PERPETUAL", amount: 10, price: 1_000 })
      yield* call("private/cancel_all_by_instrument", { instrument_name: "BTC-PERPETUAL" })
      yield* call("private/cancel_all")
      yield* call("private/get_positions", { currency: "BTC" })
      yield* call("private/get_account_summary", { currency: "BTC" })
      yield* TestClock.adjust("10 seconds")
      yield* peer.waitFor((m) => m.method === "heartbeat")
      yield* call("public/disable_heartbeat")
      yield* call("public/unsubscribe", { channels: market.slice(0, 3) })
      yield* call("private/unsubscribe", { channels: ["user.portfolio.BTC"] })
      yield* call("public/unsubscribe_all")
      yield* call("private/unsubscribe_all")
      yield* call("public/auth", { grant_type: "refresh_token", refresh_token: "nope" }) // an error answer

      const kinds = new Set<string>()
      const all = [
        ...peer.received.map((m) => [m, ids] as const),
        ...taker.received.map((m) => [m, takerIds] as const)
      ]
      for (const [m, methodOf] of all) {
        if (m.method === "subscription") {
          decodeNotification(m)
          kinds.add(m.params.channel)
        } else if (m.method === "heartbeat") {
          DeribitChannels.decodeHeartbeat(m)
          kinds.add("heartbeat")
        } else {
          const method = methodOf.get(m.id)
          assert.isDefined(method, `response ${m.id}`)
          decodeResponse(method as string, m)
          if (m.error === undefined) kinds.add(method as string)
        }
      }
      const typed = Object.keys(DeribitMethods.methods).filter((m) => m !== "private/logout")
      assert.deepStrictEqual(typed.filter((m) => !kinds.has(m)), [], "every typed method answered")
      const channels = [...market, "user.orders.BTC-PERPETUAL.raw", "user.orders.future.BTC.100ms"]
      const expectedChannels = [...channels, "user.trades.BTC-PERPETUAL.raw", "user.trades.any.any.agg2"]
      assert.deepStrictEqual(expectedChannels.filter((c) => !kinds.has(c)), [], "every channel notified")
      assert.isTrue(kinds.has("user.portfolio.BTC") && kinds.has("heartbeat"))
      const labelled = peer.received.find((m) => m.params?.channel === "user.portfolio.BTC")
      assert.strictEqual(labelled?.params.label, "bot")
    }))
})
