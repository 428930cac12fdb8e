import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { DeribitDemo } from "../src/index.js"

describe("DeribitDemo", () => {
  it.scopedLive(
    "runs the whole story: auth, book, order, restart with each step, gap resync, latency, logout",
    () =>
      Effect.gen(function*() {
        const lines: Array<string> = []
        yield* DeribitDemo.run({ log: (line) => Effect.sync(() => lines.push(line)), watch: 1 })
        const text = lines.join("\n")
        assert.include(text, "public/auth → public/set_heartbeat → private/enable_cancel_on_disconnect")
        assert.match(text, /bid [\d,.]+ × \d+ {2}\| {2}ask [\d,.]+ × \d+/)
        assert.include(text, "cancelled → cancelled")
        assert.match(
          text,
          /public\/auth \(client_credentials[^\n]*\n\s+public\/set_heartbeat \(10 s\)\n\s+private\/enable_cancel_on_disconnect \(scope connection\)\n\s+public\/subscribe/
        )
        assert.include(text, "resting order cancelled (cancel_on_disconnect)")
        assert.include(text, "BookResynced at change_id")
        assert.match(text, /maintained book equals the simulator's \(change_id \d+\): yes/)
        assert.match(text, /network p50 [\d.]+ ms/)
        assert.include(text, "Done.")
      }),
    { timeout: 20_000 }
  )
})
