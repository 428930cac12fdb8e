/**
 * The `zenws` executable, all of it (`zenws.ts` answers `--help` and `--version` without loading this).
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Cli from "../Cli.js"
import { plain } from "../internal/plain.js"

// `zenws … | head`: once the reader is gone, end the way Ctrl-C does (recordings flushed, close frame sent)
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.kill(process.pid, "SIGTERM")
})

const Environment = Layer.mergeAll(
  NodeFileSystem.layer,
  NodePath.layer,
  NodeTerminal.layer,
  // logs (the library's warnings) go to stderr: stdout is for results
  Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.prettyLogger()))
)

/** The exit code the command set, once stdout and stderr are written (whatever timers or sockets are left). */
const teardown = (exit: Exit.Exit<unknown, unknown>, onExit: (code: number) => void) => {
  const failed = Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)
  const interrupted = Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)
  const code = failed ? 5 : Number(process.exitCode ?? (interrupted ? 130 : 0))
  const exitNow = () => {
    onExit(code)
    process.exit(code)
  }
  if (process.stdout.writable) process.stdout.write("", () => process.stderr.write("", exitNow))
  else exitNow()
}

/** @effect/cli writes help and usage errors with ANSI styles: plain text unless the stream is a terminal. */
const withPlainText = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.console, (console) => {
    const styled: Console.Console = {
      ...console,
      log: (...args) => console.log(...args.map((a) => plain(a, process.stdout))),
      error: (...args) => console.error(...args.map((a) => plain(a, process.stderr)))
    }
    return Effect.withConsole(self, styled)
  })

Cli.run(process.argv).pipe(
  withPlainText,
  Effect.provide(Environment),
  NodeRuntime.runMain({ disableErrorReporting: false, teardown })
)
