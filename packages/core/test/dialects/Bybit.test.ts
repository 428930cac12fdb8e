import * as Dialect from "../../src/Dialect.js"
import * as Testing from "../../src/Testing.js"
import { conformance } from "../utils/conformance.js"
import { bybitAuth } from "../utils/venueLogins.js"

conformance({
  venue: "bybit",
  server: Testing.startVenueServer("bybit"),
  dialect: () => Dialect.bybit(),
  channels: ["orderbook.50.BTCUSDT", "publicTrade.BTCUSDT", "tickers.ETHUSDT"],
  bad: "invalid.topic",
  many: (n) => `publicTrade.COIN${n}USDT`,
  private: { channel: "order", restoreHooks: [bybitAuth()] }
})
