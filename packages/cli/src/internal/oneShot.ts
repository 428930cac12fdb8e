/**
 * `zenws send` and `zenws request`: connect, do one thing, print the answer, close. Quiet on stderr unless something
 * goes wrong; the exit code says what (see `ExitCode`).
 */
import * as Client from "@zen-websocket/core/Client"
import type * as Message from "@zen-websocket/core/Message"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Connection from "./connection.js"
import { CliError } from "./errors.js"
import type { RequestConfig, SendConfig } from "./flags.js"
import type { Output } from "./output.js"
import * as Render from "./render.js"

/** Connects with the one-shot defaults (no reconnection unless `--retry`); fails when the client gives up. */
const open = (config: Connection.Flags & { readonly url: string; readonly timeout: number }, output: Output) =>
  Effect.gen(function*() {
    const options = yield* Connection.options(config, {
      defaultRetry: 0,
      timeout: config.timeout,
      requestTimeout: config.timeout
    }, output)
    const client = yield* Client.connect(config.url, options)
    yield* Connection.closeOnExit(client, output, false)
    const gaveUp = yield* Connection.watch(client, output, false)
    const lost = Effect.flatMap(Deferred.await(gaveUp), (cause) =>
      Effect.fail(
        new CliError({
          reason: "closed",
          message: `The connection to ${config.url} ended before the reply${describeEnd(cause)}`,
          suggestion: "Check what the server expects (the message, headers, subprotocol); --retry <n> reconnects"
        })
      ))
    return { client, lost }
  })

const describeEnd = (cause: unknown): string => {
  const c = cause as { _tag?: string; code?: number; reason?: string }
  return c._tag === "Disconnected" ? `: close code ${c.code}${c.reason ? ` (${c.reason})` : ""}` : ""
}

/** @internal */
export const send = (config: SendConfig, output: Output) =>
  Effect.gen(function*() {
    const encoding = Option.getOrUndefined(config.binary)
    const frame = encoding === undefined ? config.message : Render.decodeBytes(config.message, encoding)
    if (frame === undefined) {
      return yield* new CliError({
        reason: "input",
        message: `The message is not valid ${encoding}: ${config.message}`,
        suggestion: encoding === "hex" ? "Write bytes as pairs of hex digits, e.g. 0102ff" : "Write standard base64"
      })
    }
    const style: Render.Style = { pretty: output.tty, color: output.color, binary: encoding ?? "base64" }
    const { client, lost } = yield* open(config, output)
    const messages = yield* client.messagesScoped
    yield* Client.sendMessage(client, frame)
    if (config.count === 0 && Option.isNone(config.until)) return
    let received = 0
    const frames = Option.match(config.until, {
      onNone: () => Stream.take(messages, config.count),
      onSome: (regex) => Stream.takeUntil(messages, (m: Message.Message) => m._tag === "Text" && regex.test(m.data))
    })
    const print = Stream.runForEach(frames, (message) =>
      Effect.sync(() => {
        received++
        output.line(Render.message(message, style))
      }))
    const expected = Option.match(config.until, {
      onNone: () => `${config.count} frame${config.count === 1 ? "" : "s"}`,
      onSome: (regex) => `a frame matching ${regex}`
    })
    yield* Effect.raceFirst(print, lost).pipe(
      Effect.timeoutFail({
        duration: config.timeout,
        onTimeout: () =>
          new CliError({
            reason: "timeout",
            message: `Expected ${expected} within ${config.timeout} ms; got ${received}`,
            suggestion: "Raise --timeout, or check that the server answers this message"
          })
      })
    )
  })

/** @internal */
export const request = (config: RequestConfig, output: Output) =>
  Effect.gen(function*() {
    const { client, lost } = yield* open(config, output)
    const params = Option.getOrUndefined(config.params)
    const result = yield* Effect.raceFirst(
      Client.request(client, params === undefined ? { method: config.method } : { method: config.method, params }),
      lost
    )
    output.line(output.tty ? Render.prettyJson(result, output.color) : JSON.stringify(result))
  })
