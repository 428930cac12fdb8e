/**
 * The command line's own error, and how any error is told to the user: `ErrorHandler.explain`'s message and
 * suggestion on stderr, the cause with its stack under `--verbose`, and the exit code of the table.
 */
import * as ErrorHandler from "@zen-websocket/core/ErrorHandler"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as ExitCodes from "./exitCodes.js"
import type { Output } from "./output.js"

/**
 * - `input`: a flag, argument or file the command cannot use (exit 4);
 * - `timeout`: no reply in time (exit 3);
 * - `closed`: the connection ended before the command was done (exit 2);
 * - `rejected`: the server refused what was asked (exit 1).
 *
 * @internal
 */
export class CliError extends Data.TaggedError("CliError")<{
  readonly reason: "input" | "timeout" | "closed" | "rejected"
  readonly message: string
  readonly suggestion: string
  readonly cause?: unknown
}> {}

/** Errors of zen-websocket that `ErrorHandler.explain` does not know (it answers "Unknown error" for them). */
const fallbacks: Record<string, (error: { readonly message?: unknown }) => ErrorHandler.Explanation> = {
  RecorderError: (error) => ({
    message: String(error.message),
    suggestion: "Check that the file (and its directory) exists and that you may read or write it"
  }),
  MockServerError: (error) => ({
    message: String(error.message),
    suggestion: String(error.message).includes("listen")
      ? "Pick another --port (0 picks a free one), or stop whatever listens on it"
      : "Run with --verbose to see the cause"
  })
}

/** @internal */
export const explain = (error: unknown): ErrorHandler.Explanation => {
  if (error instanceof CliError) return { message: error.message, suggestion: error.suggestion }
  const tag = Predicate.hasProperty(error, "_tag") ? String(error._tag) : ""
  const fallback = fallbacks[tag]
  return fallback !== undefined ? fallback(error as { message?: unknown }) : ErrorHandler.explain(error)
}

/** Prints why the command failed and sets the exit code; interruptions pass through. */
export const report = (output: Output, verbose: boolean) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.catchAllCause(self, (cause) => {
    if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
    const failure = Cause.failureOption(cause)
    const error = failure._tag === "Some" ? failure.value : Cause.squash(cause)
    return Effect.sync(() => {
      const { message, suggestion } = explain(error)
      output.error(`${output.paint("red", "error:")} ${message}`)
      output.error(`${output.paint("dim", "hint:")} ${suggestion}`)
      if (verbose) output.error(Cause.pretty(cause, { renderErrorCause: true }))
      else if (failure._tag === "None") output.error("(run with --verbose for the stack)")
      process.exitCode = failure._tag === "Some" ? ExitCodes.fromError(error) : ExitCodes.code("failure")
    })
  })
