/**
 * `zenws connect <url>`: an interactive session (or a piped one). Lines from stdin go out as frames, frames received
 * are printed, the lifecycle goes to stderr. Ends on Ctrl-C, at the end of the input (after `--wait`), or when the
 * client gives up; every end closes with 1000 and leaves the recording complete.
 */
import * as Client from "@zen-websocket/core/Client"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Connection from "./connection.js"
import { CliError, explain } from "./errors.js"
import type { ConnectConfig } from "./flags.js"
import * as Input from "./input.js"
import type { Output } from "./output.js"
import * as Render from "./render.js"

/** @internal */
export const run = (config: ConnectConfig, output: Output) =>
  Effect.gen(function*() {
    const recordTo = Option.getOrUndefined(config.record)
    const options = yield* Connection.options(config, {
      timeout: Option.getOrUndefined(config.timeout),
      recordTo,
      dialect: config.dialect
    }, output)
    const encoding = Option.getOrUndefined(config.binary)
    const style: Render.Style = { pretty: output.tty, color: output.color, binary: encoding ?? "base64" }

    output.error(output.paint("dim", `* connecting to ${config.url}`))
    const started = performance.now()
    const client = yield* Client.connect(config.url, options)
    output.error(output.paint("dim", `* connected in ${Math.round(performance.now() - started)} ms`))
    if (recordTo !== undefined) {
      yield* Connection.summariseOnExit(
        recordTo,
        output,
        (meta) => `recorded ${meta.count} frames (${meta.inbound} in, ${meta.outbound} out) to ${recordTo}`
      )
    }
    yield* Connection.closeOnExit(client, output, true)
    const gaveUp = yield* Connection.watch(client, output, true)

    const messages = yield* client.messagesScoped
    yield* Effect.forkScoped(Stream.runForEachChunk(messages, (chunk) =>
      Effect.sync(() =>
        Chunk.forEach(chunk, (m) => output.line(Render.message(m, style)))
      )))

    if (config.subscribe.length > 0) {
      yield* Client.subscribe(client, config.subscribe)
      output.error(output.paint("dim", `* subscribed: ${config.subscribe.join(", ")}`))
    }
    if (process.stdin.isTTY === true && output.tty) {
      output.error(output.paint("dim", "* type a message and press Enter to send it; Ctrl-D or Ctrl-C to quit"))
    }

    let failed = 0
    let sent = 0
    const sendLine = (line: string) => {
      if (line.trim() === "") {
        return Effect.void
      }
      const frame = encoding === undefined ? line : Render.decodeBytes(line, encoding)
      if (frame === undefined) {
        failed++
        output.error(`${output.paint("red", "not sent:")} the line is not valid ${encoding}`)
        return Effect.void
      }
      return Client.sendMessage(client, frame).pipe(
        Effect.matchEffect({
          onSuccess: () =>
            Effect.sync(() => sent++),
          onFailure: (error) =>
            Effect.sync(() => {
              failed++
              output.error(`${output.paint("red", "not sent:")} ${explain(error).message}`)
            })
        })
      )
    }
    const lines = yield* Input.lines(output)
    const input = Stream.runForEach(lines, sendLine).pipe(
      Effect.zipRight(Effect.sleep(config.wait)),
      Effect.zipRight(Effect.suspend(() =>
        failed === 0 || (process.stdin.isTTY === true) ? Effect.void : Effect.fail(
          new CliError({
            reason: "closed",
            message: `${failed} of ${failed + sent} lines could not be sent`,
            suggestion: "Use --retry inf and --ping <ms> to ride out outages, or send after the connection is up"
          })
        )
      ))
    )
    const ended = Effect.flatMap(Deferred.await(gaveUp), (cause) =>
      Connection.isNormalEnd(cause) ? Effect.void : Effect.fail(cause))
    yield* Effect.raceFirst(input, ended)
  })
