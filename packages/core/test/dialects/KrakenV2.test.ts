import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Client from "../../src/Client.js"
import * as Dialect from "../../src/Dialect.js"
import * as Testing from "../../src/Testing.js"
import { conformance } from "../utils/conformance.js"

conformance({
  venue: "krakenV2",
  server: Testing.startVenueServer("krakenV2"),
  dialect: () => Dialect.krakenV2(),
  channels: ["ticker:BTC/USD", "ticker:ETH/USD", "book:BTC/USD"],
  bad: "ticker:INVALID/USD",
  many: (n) => `ticker:C${n}/USD`,
  private: { channel: "executions", dialect: () => Dialect.krakenV2({ token: () => "secret" }) }
})

describe("Kraken v2 acks each symbol", () => {
  it.scopedLive("a refused symbol fails alone, in the same request: nothing to split", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("krakenV2")
      const client = yield* Client.connect(venue.url, { subscriptionProtocol: Dialect.krakenV2() })
      const error = yield* Effect.flip(
        Client.subscribe(client, ["ticker:BTC/USD", "ticker:INVALID/USD", "ticker:ETH/USD"])
      )
      assert.include(error._tag === "RpcError" ? error.message : "", "INVALID/USD")
      assert.strictEqual((yield* venue.requests).length, 1)
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["ticker:BTC/USD", "ticker:ETH/USD"])
    }))
})
