/**
 * The demo behind `pnpm demo` and `zenws demo`: a client against an embedded mock exchange (no internet). It connects,
 * subscribes to a ticker, prints the streamed frames, makes a correlated request, survives an exchange restart
 * (reconnect, subscription restored, frames flow again), shows its latency and recording, and closes.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Client from "./Client.js"
import * as internal from "./internal/demo.js"
import type * as Recorder from "./Recorder.js"
import type * as Testing from "./Testing.js"
import type { ConnectError, InvalidOptions } from "./WebSocketError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface DemoOptions {
  /** where each line of the demo goes (default `Effect.log`; `pnpm demo` and `zenws demo` print to stdout) */
  readonly log?: ((line: string) => Effect.Effect<void>) | undefined
  /** the directory of the session recording (default: a new temporary directory) */
  readonly directory?: string | undefined
}

/**
 * @since 0.1.0
 * @category errors
 */
export type DemoError =
  | ConnectError
  | InvalidOptions
  | Client.RequestError
  | Testing.MockServerError
  | Recorder.RecorderError

/**
 * Runs the demo; the mock exchange stops when the scope closes.
 *
 * @example
 * ```ts
 * import * as Console from "effect/Console"
 * import * as Effect from "effect/Effect"
 * import * as Demo from "@zen-websocket/core/Demo"
 *
 * Effect.runPromise(Effect.scoped(Demo.run({ log: Console.log })))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run: (options?: DemoOptions) => Effect.Effect<void, DemoError, Scope.Scope> = internal.run
