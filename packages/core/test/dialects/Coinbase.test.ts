import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Client from "../../src/Client.js"
import * as Dialect from "../../src/Dialect.js"
import * as Testing from "../../src/Testing.js"
import { conformance } from "../utils/conformance.js"

conformance({
  venue: "coinbase",
  server: Testing.startVenueServer("coinbase"),
  dialect: () => Dialect.coinbase(),
  channels: ["level2:ETH-USD", "level2:BTC-USD", "ticker:BTC-USD", "heartbeats"],
  bad: "level2:INVALID-USD",
  many: (n) => `level2:C${n}-USD`,
  private: { channel: "user", dialect: () => Dialect.coinbase({ jwt: () => "secret" }) }
})

describe("Coinbase acks carry no id", () => {
  it.scopedLive("concurrent subscribes of different channels are answered in order", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("coinbase")
      const client = yield* Client.connect(venue.url, { subscriptionProtocol: Dialect.coinbase() })
      const results = yield* Effect.all([
        Effect.either(Client.subscribe(client, ["level2:ETH-USD"])),
        Effect.either(Client.subscribe(client, ["ticker:INVALID-USD"])),
        Effect.either(Client.subscribe(client, ["market_trades:BTC-USD"]))
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(results.map((r) => r._tag), ["Right", "Left", "Right"])
      assert.deepStrictEqual([...(yield* Client.subscriptions(client))].sort(), [
        "level2:ETH-USD",
        "market_trades:BTC-USD"
      ])
      assert.deepStrictEqual([...(yield* venue.holding)].sort(), ["level2:ETH-USD", "market_trades:BTC-USD"])
    }))
})
