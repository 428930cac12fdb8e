/**
 * `zenws serve`: core's mock server (`Testing`) on the command line. Echoes by default, or plays a recording to each
 * client that connects, with the faults real servers have. The URL is the first line on stdout; what happens (and
 * every frame received) goes to stderr. Runs until Ctrl-C.
 */
import * as Testing from "@zen-websocket/core/Testing"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { CliError } from "./errors.js"
import type { ServeConfig } from "./flags.js"
import type { Output } from "./output.js"
import * as Render from "./render.js"

/** Frames come back unchanged; a JSON-RPC request (`id` + `method`) gets the mock's answer. */
const echo: Testing.Handler = (frame, connection) =>
  frame._tag === "Text" && isJsonRpcRequest(frame.data)
    ? Testing.defaultHandler(frame, connection)
    : Testing.echoHandler(frame, connection)

const isJsonRpcRequest = (text: string): boolean => {
  if (!text.startsWith("{")) return false
  try {
    const json = JSON.parse(text) as Record<string, unknown>
    return json !== null && json.id !== undefined && typeof json.method === "string"
  } catch {
    return false
  }
}

const shown = (text: string): string => text.length <= 200 ? text : `${text.slice(0, 200)}…`

/** @internal */
export const run = (config: ServeConfig, output: Output) =>
  Effect.gen(function*() {
    const replay = Option.getOrUndefined(config.replay)
    if (config.echo && replay !== undefined) {
      return yield* new CliError({
        reason: "input",
        message: "--echo and --replay exclude each other: a replaying server does not answer",
        suggestion: "Drop --echo (echo is the default when --replay is absent)"
      })
    }
    const ready = yield* Deferred.make<Testing.MockServer>()
    const log = (text: string) => output.error(output.paint("dim", text))
    const handler: Testing.Handler = (frame, connection) => {
      log(`[${connection.id}] < ${frame._tag === "Text" ? shown(frame.data) : Render.encodeBytes(frame.data, "hex")}`)
      return replay === undefined ? echo(frame, connection) : undefined
    }
    const script = (connection: Testing.MockConnection) =>
      Effect.gen(function*() {
        log(`[${connection.id}] connected (${connection.request.url})`)
        const server = yield* Deferred.await(ready)
        const faults: Array<Effect.Effect<void>> = []
        if (replay !== undefined) {
          faults.push(
            Testing.playRecordingTo(connection, replay, { speed: config.speed }).pipe(
              Effect.tap((n) => log(`[${connection.id}] played ${n} frames of ${replay}`)),
              Effect.catchAll((error) => Effect.sync(() => output.error(error.message)))
            )
          )
        }
        if (Option.isSome(config.halfOpenAfter) && connection.id === 1) {
          faults.push(Effect.delay(
            Effect.zipRight(server.goSilent(true), Effect.sync(() => log("half-open: the server went silent"))),
            config.halfOpenAfter.value
          ))
        }
        if (Option.isSome(config.closeAfter)) {
          const code = config.code
          faults.push(Effect.delay(
            Effect.sync(() => {
              log(`[${connection.id}] closing with ${code}`)
              if (code === 1006) connection.terminate()
              else connection.close(code, "zenws serve --close-after")
            }),
            config.closeAfter.value
          ))
        }
        yield* Effect.all(faults, { concurrency: "unbounded", discard: true })
        yield* Effect.never
      }).pipe(Effect.onInterrupt(() => Effect.sync(() => log(`[${connection.id}] closed`))))

    const server = yield* Testing.startMockServer({
      port: config.port,
      path: config.path,
      tls: config.tls,
      handler,
      onConnection: script
    })
    yield* Deferred.succeed(ready, server)
    if (config.refuse) yield* server.refuseConnections(true)
    if (config.stallHandshake) yield* server.stallHandshake(true)
    if (Option.isSome(config.reject)) yield* server.rejectUpgrade(config.reject.value)
    if (config.dropPongs) yield* server.dropPongs(true)
    if (Option.isSome(config.delay)) yield* server.delayFrames(config.delay.value)
    output.line(server.url)
    if (server.ca !== undefined) {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-serve-"))
      const file = Path.join(dir, "ca.pem")
      Fs.writeFileSync(file, server.ca)
      log(`certificate: ${file} (zenws connect ${server.url} --ca ${file})`)
    }
    log(`serving ${describe(config, replay)}; Ctrl-C to stop`)
    return yield* Effect.never
  })

const describe = (config: ServeConfig, replay: string | undefined): string => {
  const faults = [
    config.refuse ? "refusing connections" : undefined,
    config.stallHandshake ? "stalling handshakes" : undefined,
    Option.map(config.reject, (status) => `rejecting upgrades with HTTP ${status}`).pipe(Option.getOrUndefined),
    Option.map(config.halfOpenAfter, (ms) => `half-open ${ms} ms after the first connection`).pipe(
      Option.getOrUndefined
    ),
    config.dropPongs ? "dropping pongs" : undefined,
    Option.map(config.closeAfter, (ms) => `closing each connection after ${ms} ms with ${config.code}`).pipe(
      Option.getOrUndefined
    ),
    Option.map(config.delay, (ms) => `delaying frames by ${ms} ms`).pipe(Option.getOrUndefined)
  ].filter((f) => f !== undefined)
  const mode = replay === undefined ? "echo" : `the recording ${replay} (speed ${config.speed})`
  return faults.length === 0 ? mode : `${mode}, ${faults.join(", ")}`
}
