/**
 * The `zenws` command line as a value: run it with other arguments, embed it, or read its help.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as internal from "./internal/commands.js"
import * as ExitCodes from "./internal/exitCodes.js"
import { version } from "./internal/version.js"

/**
 * The command tree: `zenws` and its subcommands `connect`, `send`, `request`, `record`, `replay`, `inspect`,
 * `serve`, `demo`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = internal.root

/**
 * Runs `zenws` with `argv` as `process.argv` (node and the script first). Help, `--version` and `--completions` are
 * printed by @effect/cli; a bad flag or argument prints the reason and sets exit code 4; a failed command prints
 * `ErrorHandler.explain`'s message and suggestion and sets the code of `ExitCode.fromError`. Sets
 * `process.exitCode`, never exits the process.
 *
 * @example
 * ```ts
 * import * as NodeContext from "@effect/platform-node/NodeContext"
 * import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
 * import * as Cli from "@zen-websocket/cli/Cli"
 * import * as Effect from "effect/Effect"
 *
 * // zenws --version (any argv works the same way: ["node", "zenws", "inspect", "session.jsonl"])
 * Cli.run(["node", "zenws", "--version"]).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<void, never, CliApp.CliApp.Environment> =>
  Command.run(command, { name: "zenws", version, executable: "zenws" })(argv).pipe(
    Effect.catchIf(ValidationError.isValidationError, (error) =>
      Effect.sync(() => {
        if (!ValidationError.isHelpRequested(error)) process.exitCode = ExitCodes.code("bad-input")
      })),
    Effect.catchAllCause((cause) =>
      Effect.sync(() => {
        process.exitCode = ExitCodes.code("failure")
        process.stderr.write(`zenws: ${String(cause)}\n`)
      })
    ),
    Effect.provide(CliConfig.layer({ showBuiltIns: true }))
  )

/**
 * The help of the whole command line, as plain text.
 *
 * @since 0.1.0
 * @category help
 */
export const helpText = (): string => HelpDoc.toAnsiText(Command.getHelp(command, CliConfig.defaultConfig))
