/**
 * record → inspect → replay, as real processes: what the recording holds is exactly what went over the wire, and
 * `zenws serve --replay` plays it back to each client that connects, in order.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Client from "@zen-websocket/core/Client"
import * as Recorder from "@zen-websocket/core/Recorder"
import * as Testing from "@zen-websocket/core/Testing"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { Summary } from "../src/internal/inspect.js"
import { runZenws, serve, zenws } from "./utils/process.js"

const tempFile = (name: string) =>
  Effect.sync(() => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-test-")), name))

const pushed = Array.from({ length: 20 }, (_, i) =>
  i % 5 === 0
    ? JSON.stringify({ jsonrpc: "2.0", method: "subscription", params: { channel: `book.${i % 2}`, data: { i } } })
    : `tick ${i}`)

/** `zenws record` of a session in which we send two frames and the server pushes `pushed`. */
const recordSession = Effect.gen(function*() {
  const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
  const file = yield* tempFile("session.jsonl")
  const running = yield* zenws([
    "record",
    server.url,
    "-o",
    file,
    "--send",
    "first",
    "--send",
    "{\"op\":\"hello\"}",
    "--count",
    String(pushed.length)
  ])
  yield* server.assertMessageSent({ op: "hello" }, 10_000)
  yield* Effect.forEach(pushed, (frame) => server.injectMessage(frame), { discard: true })
  const exited = yield* running.exited()
  assert.strictEqual(exited.code, 0, exited.stderr)
  assert.match(exited.stderr, new RegExp(`: ${pushed.length + 4} frames \\(${pushed.length + 1} in, 3 out\\)`))
  return file
})

describe("record → inspect → replay", () => {
  it.scopedLive("the round trip gives back exactly what went over the wire, in order", () =>
    Effect.gen(function*() {
      const file = yield* recordSession

      const inspect = yield* runZenws(["inspect", file, "--json"])
      assert.strictEqual(inspect.code, 0, inspect.stderr)
      const summary = JSON.parse(inspect.stdout) as Summary
      assert.deepStrictEqual(
        [summary.count, summary.inbound, summary.outbound, summary.closes, summary.text, summary.malformed],
        [pushed.length + 4, pushed.length + 1, 3, 2, pushed.length + 2, 0]
      )
      assert.deepStrictEqual(summary.methods, [{ value: "subscription", count: 4 }])
      assert.deepStrictEqual(summary.channels, [{ value: "book.0", count: 2 }, { value: "book.1", count: 2 }])
      assert.deepStrictEqual(summary.closeCodes.map((c) => [c.code, c.count]), [[1000, 2]])
      assert.strictEqual(summary.sizes.histogram.reduce((n, b) => n + b.count, 0), pushed.length + 2)

      const replay = yield* runZenws(["replay", file, "--json"])
      assert.strictEqual(replay.code, 0, replay.stderr)
      const lines = replay.stdout.trimEnd().split("\n").map((line) => Recorder.decodeLine(line))
      const decoded = lines.map((e) => {
        assert.strictEqual(e._tag, "Right")
        return e._tag === "Right" ? e.right : undefined!
      })
      const frames = decoded.filter((e) => e.type === "text").map((e) => `${e.dir} ${e.type === "text" ? e.data : ""}`)
      assert.deepStrictEqual(frames, ["out first", "out {\"op\":\"hello\"}", ...pushed.map((p) => `in ${p}`)])
      assert.deepStrictEqual(decoded.slice(-2).map((e) => e.type === "close" && e.code).sort(), [1000, 1000])

      const inbound = yield* runZenws(["replay", file, "--dir", "in"])
      const listed = inbound.stdout.trimEnd().split("\n")
      assert.strictEqual(listed.length, pushed.length + 1)
      assert.strictEqual(listed[0].replace(/^< \S+Z /, ""), pushed[0])
      assert.match(listed[1], /^< \S+Z tick 1$/)
      assert.match(listed[listed.length - 1], /^< \S+Z \[close 1000\]$/)
    }))

  it.scopedLive("inspect's summary reads as text; replay counts malformed lines and goes on", () =>
    Effect.gen(function*() {
      const file = yield* recordSession
      Fs.appendFileSync(file, "not json\n{\"ts\":\"yesterday\",\"dir\":\"in\",\"type\":\"text\",\"data\":\"x\"}\n")
      const text = yield* runZenws(["inspect", file])
      assert.strictEqual(text.code, 0, text.stderr)
      assert.match(text.stdout, /^frames {6}24 \(21 in, 3 out; 22 text, 0 binary, 2 close\)$/m)
      assert.match(text.stdout, /^malformed {3}2 lines skipped$/m)
      assert.match(text.stdout, /^methods {5}subscription ×4$/m)
      assert.match(text.stdout, /^close codes 1000 ×2$/m)
      assert.match(text.stdout, /^ {2}\+0 s {2}#+ \d+ frames/m)
      const replay = yield* runZenws(["replay", file])
      assert.strictEqual(replay.code, 0)
      assert.strictEqual(replay.stdout.trimEnd().split("\n").length, 24)
      assert.match(replay.stderr, /^warning: 2 malformed lines skipped \(line 25: "not json"; line 26: /m)
    }))

  it.scopedLive("serve --replay feeds each client the recording's frames in order, then its close", () =>
    Effect.gen(function*() {
      const file = yield* recordSession
      const { url } = yield* serve(["--replay", file, "--speed", "100"])
      const receive = Effect.scoped(Effect.gen(function*() {
        const client = yield* Client.connect(url, { reconnectOnError: false })
        const events = yield* client.eventsScoped
        const frames = yield* client.messages.pipe(
          Stream.take(pushed.length),
          Stream.map((m) => m._tag === "Text" ? m.data : "<binary>"),
          Stream.runCollect
        )
        const end = yield* Stream.runHead(Stream.filter(events, (e) => e._tag === "Disconnected"))
        return { frames: Chunk.toReadonlyArray(frames), end }
      }))
      const [first, second] = yield* Effect.all([receive, receive], { concurrency: 2 })
      assert.deepStrictEqual(first.frames, pushed)
      assert.deepStrictEqual(second.frames, pushed)
      assert.deepStrictEqual(
        first.end._tag === "Some" && first.end.value._tag === "Disconnected" && first.end.value.code,
        1000
      )
    }).pipe(Effect.timeout("20 seconds")))
})
