/**
 * The session against Deribit's testnet (`wss://test.deribit.com/ws/api/v2`): skipped unless `DERIBIT_CLIENT_ID` and
 * `DERIBIT_CLIENT_SECRET` are set (testnet API keys, from test.deribit.com). Nothing here needs an order to fill.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { DeribitClient, OrderBook } from "../src/index.js"

const clientId = process.env.DERIBIT_CLIENT_ID
const clientSecret = process.env.DERIBIT_CLIENT_SECRET
const enabled = clientId !== undefined && clientId !== "" && clientSecret !== undefined && clientSecret !== ""

describe.skipIf(!enabled)("Deribit testnet", () => {
  it.scopedLive(
    "authenticate with COD, typed requests, ticker and a maintained book, a reconnect, logout",
    () =>
      Effect.gen(function*() {
        const session = yield* DeribitClient.connect({
          url: DeribitClient.testnetUrl,
          credentials: { clientId: clientId!, clientSecret: Redacted.make(clientSecret!), grant: "client_signature" },
          cancelOnDisconnect: "connection",
          heartbeatInterval: 10
        })
        assert.isTrue(Option.isSome(DeribitClient.accessToken(session)))
        const cod = yield* DeribitClient.request(session, "private/get_cancel_on_disconnect", { scope: "connection" })
        assert.isTrue(cod.enabled)
        const summary = yield* DeribitClient.request(session, "private/get_account_summary", { currency: "BTC" })
        assert.strictEqual(summary.currency, "BTC")
        const tickers = yield* DeribitClient.ticker(session, "BTC-PERPETUAL", "100ms").pipe(
          Stream.take(3),
          Stream.runCollect
        )
        assert.strictEqual(tickers.length, 3)
        const books = yield* OrderBook.stream(session, "BTC-PERPETUAL", "100ms").pipe(Stream.take(5), Stream.runCollect)
        assert.isTrue(Option.isSome(OrderBook.bestBid([...books].at(-1)!.book)))
        const { timing } = yield* DeribitClient.requestTimed(session, "public/test", {})
        assert.isDefined(timing)
        yield* DeribitClient.close(session, { logout: true })
      }),
    { timeout: 60_000 }
  )
})
