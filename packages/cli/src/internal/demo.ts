/**
 * `zenws demo`: the same program as `pnpm demo` (Deribit's `DeribitDemo.run`: a session on the embedded Deribit
 * simulator), or with `--core` the core's `Demo.run`, printed on stdout.
 */
import * as Demo from "@zen-websocket/core/Demo"
import * as DeribitDemo from "@zen-websocket/deribit/DeribitDemo"
import * as Effect from "effect/Effect"
import type { DemoConfig } from "./flags.js"
import type { Output } from "./output.js"

/** @internal */
export const run = (config: DemoConfig, output: Output) => {
  const log = (line: string) => Effect.sync(() => output.line(line))
  return config.core ? Demo.run({ log }) : Effect.scoped(DeribitDemo.run({ log }))
}
