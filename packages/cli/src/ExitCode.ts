/**
 * The exit codes of `zenws`, as data: scripts can rely on them.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success (for `connect`, `record` and `serve`, Ctrl-C is a success: the session ended as asked) |
 * | 1 | the server answered with an error (a JSON-RPC `error`, a rejected subscription) |
 * | 2 | no connection: refused, DNS, TLS, HTTP status on the upgrade, retries exhausted, or the link was lost |
 * | 3 | timeout: no reply (or not enough frames) within `--timeout` |
 * | 4 | bad input: a flag, an argument, a URL, a file that cannot be read |
 * | 5 | anything else (a recording that cannot be written, a port already in use…) |
 * | 130 | interrupted (Ctrl-C) before a one-shot command (`send`, `request`, `replay`, `inspect`, `demo`) finished |
 *
 * @since 0.1.0
 */
import * as internal from "./internal/exitCodes.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ExitCode {
  readonly code: number
  readonly name: string
  readonly meaning: string
}

/**
 * Every exit code with its meaning, in order.
 *
 * @since 0.1.0
 * @category constants
 */
export const table: ReadonlyArray<ExitCode> = internal.table

/**
 * The exit code for an error of zen-websocket or of the command line (by its `_tag`, and `reason` for errors that
 * have one).
 *
 * @example
 * ```ts
 * import * as ExitCode from "@zen-websocket/cli/ExitCode"
 * import { RpcError } from "@zen-websocket/core/WebSocketError"
 *
 * ExitCode.fromError(new RpcError({ code: -32601, message: "Method not found" })) // 1
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromError: (error: unknown) => number = internal.fromError
