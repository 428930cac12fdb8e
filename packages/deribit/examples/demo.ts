/**
 * The Deribit demo: a session on the embedded Deribit simulator (no internet). It authenticates, follows a ticker and
 * a maintained book, places and cancels an order, lives through a simulator restart (each reconnect step printed),
 * resyncs a forced change-id gap, prints the latency split into network and server time, and logs out.
 * Its program is `DeribitDemo.run`.
 *
 * Run: pnpm demo
 */
import { DeribitDemo } from "@zen-websocket/deribit"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const started = Date.now()
Effect.runPromise(Effect.scoped(DeribitDemo.run({ log: Console.log }))).then(
  () => {
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`)
    process.exit(0)
  },
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
