/**
 * The guide's custom dialect (examples/acme-dialect.ts) passes the same conformance test as the built-in ones.
 */
import { acme, acmeServer } from "../../examples/acme-dialect.js"
import { conformance } from "../utils/conformance.js"

conformance({
  venue: "acme",
  server: acmeServer,
  dialect: acme,
  channels: ["trades.BTC", "book.ETH", "ticker.SOL"],
  bad: "invalid.topic",
  many: (n) => `trades.COIN${n}`
})
