/**
 * The Deribit demo's program, shared by `pnpm demo` (`examples/demo.ts`): a session on the embedded simulator, no
 * internet. It authenticates, follows a ticker and a maintained book (a live top-of-book line), places and cancels an
 * order, lives through a simulator restart (re-auth, cancel-on-disconnect re-enabled, resubscribed, book resynced —
 * each step printed from what the simulator received), resyncs a forced change-id gap, prints the latency split into
 * network and server time, and logs out.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/demo.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends internal.Options {}

/**
 * Runs the demo, printing through `log`; about 10 s with the default `watch` (2 s).
 *
 * @example
 * ```ts
 * import { DeribitDemo } from "@zen-websocket/deribit"
 * import * as Console from "effect/Console"
 * import * as Effect from "effect/Effect"
 *
 * const main = Effect.scoped(DeribitDemo.run({ log: Console.log, watch: 1 }))
 * ```
 *
 * @since 0.1.0
 * @category programs
 */
export const run: (options: Options) => Effect.Effect<void, unknown, Scope.Scope> = internal.run
