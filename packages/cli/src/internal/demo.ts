/**
 * `zenws demo`: the same program as `pnpm demo` (core's `Demo.run`), printed on stdout.
 */
import * as Demo from "@zen-websocket/core/Demo"
import * as Effect from "effect/Effect"
import type { DemoConfig } from "./flags.js"
import type { Output } from "./output.js"

/** @internal */
export const run = (_config: DemoConfig, output: Output) =>
  Demo.run({ log: (line) => Effect.sync(() => output.line(line)) })
