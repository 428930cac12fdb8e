/**
 * Recording and replay: record a session to JSONL, read its metadata, replay it, and serve it again from the mock
 * server. Run: pnpm --filter @zen-websocket/core example examples/recording.ts
 */
import { Client, Recorder, Testing } from "@zen-websocket/core"
import { Console, Effect, Stream } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const path = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-")), "session.jsonl")

const record = Effect.gen(function*() {
  const server = yield* Testing.startMockServer()
  const client = yield* Client.connect(server.url, { recordTo: path })
  yield* Client.request(client, {
    method: "public/auth",
    params: { grant_type: "client_credentials", client_id: "demo", client_secret: "never-on-disk" }
  })
  yield* Client.subscribe(client, ["trades.BTC-PERPETUAL.raw"])
  yield* server.injectMessage(
    JSON.stringify({ method: "subscription", params: { channel: "trades.BTC-PERPETUAL.raw" } })
  )
  yield* Client.close(client) // flushes the recording (so does the end of the scope, on any exit)
})

const inspect = Effect.gen(function*() {
  const meta = yield* Recorder.metadata(path)
  yield* Console.log(
    `recorded ${meta.count} entries (${meta.inbound} in, ${meta.outbound} out) over ${meta.durationMs} ms`
  )
  yield* Recorder.replay(path).pipe(
    Stream.runForEach((entry) =>
      Console.log(`  ${entry.dir} ${entry.type} ${entry.type === "close" ? entry.code : ""}`)
    )
  )
  const secretOnDisk = Fs.readFileSync(path, "utf8").includes("never-on-disk")
  yield* Console.log(`secret on disk: ${secretOnDisk}`)
})

const serveAgain = Effect.gen(function*() {
  const server = yield* Testing.startMockServer()
  const client = yield* Client.connect(server.url, { reconnectOnError: false })
  const messages = yield* client.messagesScoped
  const played = yield* Testing.playRecording(server, path, { speed: 10 })
  const frames = yield* messages.pipe(Stream.take(played - 1), Stream.runCollect) // the last entry is the close
  yield* Console.log(`the mock server replayed ${played} inbound entries; the client got ${frames.length} frames`)
})

Effect.runPromise(Effect.scoped(Effect.all([record, inspect, serveAgain], { discard: true })))
