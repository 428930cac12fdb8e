/**
 * The demo: a client against an embedded mock exchange (no internet). It connects, subscribes to a ticker, prints the
 * streamed frames, makes a correlated request, survives an exchange restart (reconnect, subscription restored, frames
 * flow again), shows its latency and recording, and closes. Its program is `Demo.run`, which `zenws demo` runs too.
 *
 * Run: pnpm demo
 */
import { Demo } from "@zen-websocket/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

Effect.runPromise(Effect.scoped(Demo.run({ log: Console.log }))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
