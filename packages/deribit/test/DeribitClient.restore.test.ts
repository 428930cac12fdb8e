/**
 * The restore of a Deribit session's channels, against the simulator: a `.raw` channel without auth refused alone
 * while every other channel comes back, and 1 000 channels restored in batches under the frame limit and within the
 * subscribe pacing (the simulator enforces both: -32600 over the limit, 10028 over the subscribe credits).
 */
import { assert, describe, it } from "@effect/vitest"
import { Client } from "@zen-websocket/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { DeribitSimulator } from "../src/index.js"
import { DeribitClient, live, recordEvents, within } from "./utils/session.js"

const sorted = (channels: ReadonlyArray<string>) => [...channels].sort()

describe("DeribitClient: restore", () => {
  it.scopedLive("a .raw channel without auth is reported rejected (13778) while every other channel is restored", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      // Deribit's dialect on a plain client, authorized on its first connection only: after a reconnect the .raw
      // channel is refused, and it is in the same batch as the others
      const client = yield* Client.connect(sim.url, {
        ...live,
        retryCount: Infinity,
        subscriptionProtocol: DeribitClient.dialect()
      })
      yield* Client.request(client, {
        method: "public/auth",
        params: {
          grant_type: "client_credentials",
          client_id: sim.credentials.clientId,
          client_secret: sim.credentials.clientSecret
        }
      })
      const channels = [
        "ticker.BTC-PERPETUAL.100ms",
        "book.ETH-PERPETUAL.100ms",
        "trades.BTC-PERPETUAL.raw",
        "ticker.ETH-PERPETUAL.agg2"
      ]
      yield* Client.subscribe(client, channels)
      const events = yield* recordEvents({ client } as DeribitClient.DeribitSession)
      yield* sim.drop()
      const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
      yield* within(events.next("Connected"), "Connected")
      const others = channels.filter((c) => !c.endsWith(".raw"))
      assert.deepStrictEqual(sorted(restored.restored), sorted(others))
      assert.deepStrictEqual(restored.rejected.map((r) => r.channel), ["trades.BTC-PERPETUAL.raw"])
      const error = restored.rejected[0].error
      assert.strictEqual(error._tag === "RpcError" ? error.code : undefined, 13778)
      const connection = (yield* sim.connections).at(-1)!
      assert.deepStrictEqual(sorted(connection.subscriptions), sorted(others))
      // the refused batch was split: the first request carried all four, then halves, down to the bad channel
      const subscribes = (yield* sim.requests(connection.id)).filter((r) => r.method === "public/subscribe")
      assert.deepStrictEqual(sorted((subscribes[0].params as { channels: Array<string> }).channels), sorted(channels))
      assert.isAbove(subscribes.length, 2)
    }))

  it.scopedLive("a session without credentials: its .raw ticker stream fails with 13778, the 100ms one works", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* DeribitClient.connect({ ...live, url: sim.url })
      const error = yield* Effect.flip(Stream.runDrain(DeribitClient.ticker(session, "BTC-PERPETUAL", "raw")))
      assert.strictEqual((error as { code?: number }).code, 13778)
      const ticks = Effect.forever(Effect.zipRight(sim.tick(1), Effect.sleep("5 millis")))
      const [ticker] = yield* Effect.raceFirst(
        Stream.runCollect(Stream.take(DeribitClient.ticker(session, "BTC-PERPETUAL", "100ms"), 1)),
        Effect.zipRight(ticks, Effect.never)
      )
      assert.strictEqual(ticker.instrument_name, "BTC-PERPETUAL")
    }))

  it.scopedLive(
    "1 000 channels: restored in batches under the frame limit, within the subscribe pacing",
    () =>
      Effect.gen(function*() {
        const instruments = Array.from({ length: 1_000 }, (_, i) => ({
          name: `BTC-${String(i).padStart(4, "0")}-PERPETUAL`,
          baseCurrency: "BTC",
          tickSize: 0.5,
          minTradeAmount: 10,
          contractSize: 10,
          startPrice: 50_000
        }))
        const maxFrameBytes = 2_048
        const sim = yield* DeribitSimulator.start({
          instruments,
          maxFrameBytes,
          market: { generate: false, levels: 1 }
        })
        const session = yield* DeribitClient.connect({ ...live, url: sim.url, subscriptionLimits: { maxFrameBytes } })
        const channels = instruments.map((i) => `ticker.${i.name}.100ms`)
        yield* session.client.subscribe(channels)
        assert.strictEqual((yield* session.client.subscriptions).length, 1_000)
        const events = yield* recordEvents(session)
        yield* sim.restart
        const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored", 15_000)
        yield* within(events.next("Connected"), "Connected")
        assert.strictEqual(restored.restored.length, 1_000)
        assert.deepStrictEqual(restored.rejected, [])
        const connection = (yield* sim.connections).at(-1)!
        assert.strictEqual(connection.subscriptions.length, 1_000)
        const frames = (yield* sim.frames({ connectionId: connection.id, direction: "in" })).filter((f) =>
          f.data.includes("public/subscribe")
        )
        assert.isAbove(frames.length, 10, "more batches than the burst: the pacing shows")
        for (const frame of frames) assert.isAtMost(Buffer.byteLength(frame.data), maxFrameBytes)
        // a token bucket of 10, refilled 3.3 per second: the k-th request (k ≥ 10) no earlier than (k - 9) / 3.3 s
        const start = frames[0].at
        frames.forEach((frame, k) => {
          if (k >= 10) assert.isAtLeast(frame.at - start, ((k - 9) / 3.3) * 1000 - 50, `request ${k}`)
        })
        // the simulator enforces both limits: nothing was refused
        const out = yield* sim.frames({ connectionId: connection.id, direction: "out" })
        assert.isFalse(out.some((f) => f.data.includes("\"error\"")))
      }),
    { timeout: 30_000 }
  )
})
