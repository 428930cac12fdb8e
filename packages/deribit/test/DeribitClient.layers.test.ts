/**
 * A Deribit session from `Config` (the secret `Redacted`), private channels on `private/subscribe`, and secrets that
 * never reach a recording.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { DeribitSimulator } from "../src/index.js"
import { connectTo, DeribitClient } from "./utils/session.js"

describe("DeribitClient: layers, private channels, recordings", () => {
  it.scopedLive("layerConfig: credentials from Config, the secret Redacted, an authenticated session", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const provider = ConfigProvider.fromMap(
        new Map([
          ["DERIBIT_URL", sim.url],
          ["DERIBIT_CLIENT_ID", sim.credentials.clientId],
          ["DERIBIT_CLIENT_SECRET", sim.credentials.clientSecret]
        ])
      )
      const Deribit = DeribitClient.layerConfig({
        url: Config.string("DERIBIT_URL"),
        credentials: {
          clientId: Config.string("DERIBIT_CLIENT_ID"),
          clientSecret: Config.redacted("DERIBIT_CLIENT_SECRET")
        },
        cancelOnDisconnect: Config.succeed("connection" as const)
      })
      const positions = yield* Effect.flatMap(
        DeribitClient.DeribitSession,
        (session) => DeribitClient.request(session, "private/get_positions", { currency: "BTC" })
      ).pipe(Effect.provide(Layer.provide(Deribit, Layer.setConfigProvider(provider))))
      assert.isArray(positions)
      const [connection] = yield* sim.connections
      assert.isTrue(connection.authenticated && connection.cancelOnDisconnect)
      // a missing variable is a ConfigError, before any socket
      const missing = yield* Effect.flip(
        Effect.provide(
          DeribitClient.DeribitSession,
          Layer.provide(Deribit, Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))
        )
      )
      assert.isTrue(ConfigError.isConfigError(missing))
      assert.strictEqual(yield* sim.totalConnections, 1)
    }))

  it.scopedLive("userOrders on private/subscribe: the session's own order updates, typed", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* connectTo(sim)
      const updates = yield* DeribitClient.userOrders(session, "BTC-PERPETUAL", "raw").pipe(
        Stream.flattenIterables,
        Stream.take(2),
        Stream.runCollect,
        Effect.fork
      )
      yield* sim.awaitFrame((f) => f.direction === "in" && f.data.includes("private/subscribe"))
      yield* Effect.sleep("20 millis")
      const { order } = yield* DeribitClient.request(session, "private/buy", {
        instrument_name: "BTC-PERPETUAL",
        amount: 10,
        type: "limit",
        price: 40_000
      })
      yield* DeribitClient.request(session, "private/cancel", { order_id: order.order_id })
      const seen = [...(yield* updates.await.pipe(Effect.flatten))]
      assert.deepStrictEqual(seen.map((o) => [o.order_id, o.order_state]), [
        [order.order_id, "open"],
        [order.order_id, "cancelled"]
      ])
      const subscribe = (yield* sim.requests()).find((r) => r.method === "private/subscribe")
      assert.deepStrictEqual(subscribe?.params, { channels: ["user.orders.BTC-PERPETUAL.raw"] })
    }))

  it.scopedLive("a recorded session never holds the secret or a token", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ tokenTtl: "1 minute", market: { generate: false } })
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "deribit-rec-"))
      const file = Path.join(dir, "session.jsonl")
      yield* Effect.scoped(Effect.gen(function*() {
        const session = yield* connectTo(sim, {
          recordTo: file
        })
        yield* DeribitClient.request(session, "private/get_positions", { currency: "BTC" })
      }))
      const recorded = Fs.readFileSync(file, "utf8")
      assert.include(recorded, "public/auth")
      assert.notInclude(recorded, sim.credentials.clientSecret)
      const tokens = (yield* sim.frames({ direction: "out" }))
        .map((f) => /"access_token":"([^"]+)"/.exec(f.data)?.[1])
        .filter((t): t is string => t !== undefined)
      assert.isAbove(tokens.length, 0)
      for (const token of tokens) assert.notInclude(recorded, token)
      Fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.scopedLive("request private/logout is the graceful close: orders stay, no reconnect", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* connectTo(sim, {
        cancelOnDisconnect: "connection"
      })
      const { order } = yield* DeribitClient.request(session, "private/buy", {
        instrument_name: "BTC-PERPETUAL",
        amount: 10,
        type: "limit",
        price: 40_000
      })
      yield* DeribitClient.request(session, "private/logout", { invalidate_token: true })
      const closed = yield* sim.awaitClosed(1)
      assert.isTrue(closed.loggedOut)
      assert.strictEqual((yield* sim.orders()).find((o) => o.order_id === order.order_id)?.order_state, "open")
      assert.strictEqual(yield* session.client.getState, "disconnected")
      yield* Effect.sleep("100 millis")
      assert.strictEqual(yield* sim.totalConnections, 1)
    }))

  it.scopedLive("trades and userPortfolio streams decode the simulator's notifications", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false, tradeProbability: 1 } })
      const session = yield* connectTo(sim)
      const ticks = Effect.forever(Effect.zipRight(sim.tick(1), Effect.sleep("5 millis")))
      const trades = yield* Effect.raceFirst(
        DeribitClient.trades(session, "BTC-PERPETUAL", "100ms").pipe(
          Stream.flattenIterables,
          Stream.take(3),
          Stream.runCollect
        ),
        Effect.zipRight(ticks, Effect.never)
      )
      for (const trade of trades) assert.strictEqual(trade.instrument_name, "BTC-PERPETUAL")
      const portfolio = yield* Effect.fork(Stream.runHead(DeribitClient.userPortfolio(session, "BTC")))
      yield* sim.awaitFrame((f) => f.direction === "in" && f.data.includes("user.portfolio.BTC"))
      yield* DeribitClient.request(session, "private/buy", {
        instrument_name: "BTC-PERPETUAL",
        amount: 10,
        type: "limit",
        price: 40_000
      })
      const first = yield* Effect.raceFirst(Effect.flatten(portfolio.await), Effect.zipRight(ticks, Effect.never))
      assert.strictEqual(first._tag === "Some" ? first.value.currency : undefined, "BTC")
    }))
})
