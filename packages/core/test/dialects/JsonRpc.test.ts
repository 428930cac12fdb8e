import * as Effect from "effect/Effect"
import * as Dialect from "../../src/Dialect.js"
import * as Testing from "../../src/Testing.js"
import { conformance } from "../utils/conformance.js"

conformance({
  venue: "jsonRpc",
  server: Testing.startVenueServer("jsonRpc"),
  dialect: () => Dialect.jsonRpc(),
  channels: ["ticker.BTC-PERPETUAL.100ms", "book.ETH-PERPETUAL.100ms", "deribit_price_index.btc_usd"],
  bad: "trades.BTC-PERPETUAL.raw",
  many: (n) => `ticker.BTC-${n}DEC26.100ms`,
  private: {
    channel: "user.orders.BTC-PERPETUAL.raw",
    restoreHooks: [(session) =>
      Effect.asVoid(session.request({
        method: "public/auth",
        params: { grant_type: "client_credentials", client_id: "key", client_secret: "secret" }
      }))]
  }
})
