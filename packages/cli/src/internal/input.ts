/**
 * Lines from stdin: on a terminal through readline with a `> ` prompt kept below what is printed (Ctrl-C ends the
 * session as SIGINT does, Ctrl-D ends the input); on a pipe, one line at a time until the input ends.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Readline from "node:readline"
import type { Output } from "./output.js"

/** @internal */
export const lines = (output: Output): Effect.Effect<Stream.Stream<string>, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => {
        const terminal = process.stdin.isTTY === true && output.tty
        const rl = Readline.createInterface({
          input: process.stdin,
          output: terminal ? process.stdout : undefined,
          terminal,
          prompt: "> ",
          crlfDelay: Infinity
        })
        if (terminal) {
          // readline takes Ctrl-C from the terminal: end the session the way a SIGINT does
          rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"))
          output.attachPrompt(rl)
          rl.prompt()
        }
        return { rl, terminal }
      }),
      ({ rl, terminal }) =>
        Effect.sync(() => {
          output.attachPrompt(undefined)
          rl.close()
          // the prompt goes: what is printed next starts at the beginning of its line
          if (terminal) process.stdout.write("\r\x1b[2K")
          // a pipe still open must not keep the process alive
          process.stdin.destroy()
        })
    ),
    ({ rl, terminal }) =>
      Stream.fromAsyncIterable(rl, (cause) => cause).pipe(
        Stream.tap(() => terminal ? Effect.sync(() => rl.prompt()) : Effect.void),
        Stream.orDie
      )
  )
