/**
 * `zenws record <url> -o file.jsonl`: a headless recording, until `--count` frames, `--duration`, Ctrl-C or the end
 * of the connection; a live status line on a terminal. Every end closes with 1000 and flushes the file.
 */
import * as Client from "@zen-websocket/core/Client"
import * as Recorder from "@zen-websocket/core/Recorder"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Connection from "./connection.js"
import type { RecordConfig } from "./flags.js"
import type { Output } from "./output.js"
import * as Render from "./render.js"

/** @internal */
export const run = (config: RecordConfig, output: Output) =>
  Effect.gen(function*() {
    const options = yield* Connection.options(config, {
      timeout: Option.getOrUndefined(config.timeout),
      dialect: config.dialect
    }, output)
    const recorder = yield* Recorder.make(config.output)
    yield* Connection.summariseOnExit(
      config.output,
      output,
      (meta) =>
        `${config.output}: ${meta.count} frames (${meta.inbound} in, ${meta.outbound} out) over ` +
        Render.duration(meta.durationMs)
    )
    output.error(output.paint("dim", `* recording ${config.url} to ${config.output}`))
    const connecting = performance.now()
    const client = yield* Client.connect(config.url, options).pipe(Effect.provideService(Recorder.Recorder, recorder))
    output.error(output.paint("dim", `* connected in ${Math.round(performance.now() - connecting)} ms`))
    yield* Connection.closeOnExit(client, output, true)
    const gaveUp = yield* Connection.watch(client, output, true)
    const messages = yield* client.messagesScoped

    const started = Date.now()
    let inbound = 0
    let inboundBytes = 0
    const status = () => {
      const stats = recorder.stats()
      const elapsed = (Date.now() - started) / 1000
      const outbound = Math.max(0, stats.written + stats.buffered - inbound)
      const rate = elapsed > 0 ? inbound / elapsed : 0
      return output.paint(
        "dim",
        `in ${inbound} · out ${outbound} · ${Render.bytes(inboundBytes)} received · ${rate.toFixed(1)} frames/s · ` +
          `${Render.duration(elapsed * 1000)}`
      )
    }
    if (output.errTty) {
      yield* Effect.addFinalizer(() => Effect.sync(() => output.status(undefined)))
      yield* Effect.forkScoped(Effect.repeat(Effect.sync(() => output.status(status())), Schedule.spaced(250)))
    }

    if (config.subscribe.length > 0) {
      yield* Client.subscribe(client, config.subscribe)
      output.error(output.paint("dim", `* subscribed: ${config.subscribe.join(", ")}`))
    }
    yield* Effect.forEach(config.send, (message) => Client.sendMessage(client, message), { discard: true })

    const counted = Option.match(config.count, { onNone: () => messages, onSome: (n) => Stream.take(messages, n) })
    const count = Stream.runForEachChunk(counted, (chunk) =>
      Effect.sync(() => {
        inbound += chunk.length
        Chunk.forEach(chunk, (m) => {
          inboundBytes += m._tag === "Text" ? Buffer.byteLength(m.data) : m.data.byteLength
        })
      }))
    const ended = Effect.flatMap(Deferred.await(gaveUp), (cause) =>
      Connection.isNormalEnd(cause) ? Effect.void : Effect.fail(cause))
    const stops = [
      count,
      ended,
      ...Option.toArray(Option.map(config.duration, (ms) =>
        Effect.sleep(ms)))
    ]
    yield* Effect.raceAll(stops)
  })
