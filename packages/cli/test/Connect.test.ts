/**
 * `zenws connect` as a real process: piped stdin against core's mock server and python3-websockets; Ctrl-C (SIGINT)
 * leaves a complete recording and closes with 1000; a lost link reconnects; a session that ends for good exits 2.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Recorder from "@zen-websocket/core/Recorder"
import * as Testing from "@zen-websocket/core/Testing"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { pythonWebsockets, runPython, runZenws, zenws } from "./utils/process.js"

const tempFile = (name: string) =>
  Effect.sync(() => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-test-")), name))

const entries = (path: string) => Effect.map(Stream.runCollect(Recorder.replay(path)), Chunk.toReadonlyArray)

describe("zenws connect, piped", () => {
  it.scopedLive("sends each stdin line, prints each frame received, one per line, then closes", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const run = yield* runZenws(["connect", server.url, "--wait", "300"], {
        input: "hello\n{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"public/test\"}\n\nbye\n"
      })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(
        run.stdout,
        "echo: hello\n{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"version\":\"mock\"}}\necho: bye\n"
      )
      const received = (yield* server.receivedMessages).map((f) => f._tag === "Text" ? f.data : "<binary>")
      assert.deepStrictEqual(received, ["hello", "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"public/test\"}", "bye"])
      assert.match(run.stderr, /^\* connecting to ws:\/\/127\.0\.0\.1:\d+\/ws$/m)
      assert.match(run.stderr, /^\* connected in \d+ ms$/m)
      assert.match(run.stderr, /^\* closed \(1000\)$/m)
    }))

  it.scopedLive("--subscribe through the jsonrpc dialect: the server sees the subscribe, notifications print", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const running = yield* zenws(["connect", server.url, "--subscribe", "ticker.A", "--subscribe", "ticker.B"])
      yield* running.waitFor(/^\* subscribed: ticker\.A, ticker\.B$/m, { stream: "stderr" })
      yield* server.assertMessageSent({ method: "public/subscribe", params: { channels: ["ticker.A", "ticker.B"] } })
      const notification = JSON.stringify({ jsonrpc: "2.0", method: "subscription", params: { channel: "ticker.A" } })
      yield* server.injectMessage(notification)
      yield* running.waitFor(/"channel":"ticker\.A"/)
      yield* running.endInput
      assert.strictEqual((yield* running.exited()).code, 0)
    }))

  it.scopedLive("a restart of the server: reconnects, restores the subscription, says so on stderr", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const running = yield* zenws(["connect", server.url, "--subscribe", "ticker.A"])
      yield* running.waitFor(/^\* subscribed/m, { stream: "stderr" })
      yield* server.restart
      yield* running.waitFor(/^\* disconnected: code 1001/m, { stream: "stderr" })
      yield* running.waitFor(/^\* reconnecting in \d+ ms \(attempt 1\)$/m, { stream: "stderr" })
      yield* running.waitFor(/^\* subscriptions restored: ticker\.A$/m, { stream: "stderr" })
      yield* running.waitFor(/^\* connected in \d+ ms$/m, { stream: "stderr" })
      yield* running.write("after\n")
      yield* running.waitFor(/^echo: after$/m)
      yield* running.endInput
      assert.strictEqual((yield* running.exited()).code, 0)
    }))

  it.scopedLive("--no-reconnect: a server that goes away abnormally ends the session with exit 2", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const running = yield* zenws(["connect", server.url, "--no-reconnect"])
      yield* running.waitFor(/^\* connected/m, { stream: "stderr" })
      yield* server.simulateDisconnect("abnormal")
      const exited = yield* running.exited()
      assert.strictEqual(exited.code, 2, exited.stderr)
      assert.match(exited.stderr, /^\* disconnected: code 1006/m)
      assert.match(exited.stderr, /^\* gave up: no more reconnection attempts$/m)
      assert.match(exited.stderr, /^\* closed$/m)
      assert.match(exited.stderr, /^error: /m)
    }))

  it.scopedLive("Ctrl-C (SIGINT): the recording is complete on disk and the session closes with 1000", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const recording = yield* tempFile("session.jsonl")
      const running = yield* zenws(["connect", server.url, "--record", recording])
      yield* running.waitFor(/^\* connected/m, { stream: "stderr" })
      for (let i = 0; i < 50; i++) yield* running.write(`line ${i}\n`)
      yield* running.waitFor(/^echo: line 49$/m)
      yield* server.injectMessage("pushed by the server")
      yield* running.waitFor(/^pushed by the server$/m)
      yield* running.signal("SIGINT")
      const exited = yield* running.exited()
      assert.strictEqual(exited.code, 0, exited.stderr)
      assert.match(exited.stderr, /^\* recorded 103 frames \(52 in, 51 out\)/m)
      const recorded = yield* entries(recording)
      const data = recorded.map((e) => e.type === "close" ? `close:${e.dir}:${e.code}` : `${e.dir}:${String(e.data)}`)
      const expected = Array.from({ length: 50 }, (_, i) => [`out:line ${i}`, `in:echo: line ${i}`]).flat()
      assert.deepStrictEqual(data.filter((d) => d.startsWith("out:line")), expected.filter((d) => d.startsWith("out")))
      assert.deepStrictEqual(data.filter((d) => d.startsWith("in:")), [
        ...expected.filter((d) => d.startsWith("in")),
        "in:pushed by the server"
      ])
      assert.deepStrictEqual(data.slice(-2).sort(), ["close:in:1000", "close:out:1000"])
    }))
})

describe.runIf(runPython)("zenws connect against python3-websockets", () => {
  it.scopedLive("piped stdin: text echoed, headers and subprotocol reach the server", () =>
    Effect.gen(function*() {
      const { origin } = yield* pythonWebsockets
      const run = yield* runZenws([
        "connect",
        `${origin}/piped?x=1`,
        "-H",
        "X-Zenws: yes",
        "--subprotocol",
        "v1.zen",
        "--wait",
        "300"
      ], { input: "héllo ✓\ninfo\n" })
      assert.strictEqual(run.code, 0, run.stderr)
      const [echoed, info] = run.stdout.trimEnd().split("\n")
      assert.strictEqual(echoed, "héllo ✓")
      const seen = JSON.parse(info) as { path: string; headers: Record<string, string>; subprotocol: string }
      assert.strictEqual(seen.path, "/piped?x=1")
      assert.strictEqual(seen.headers["x-zenws"], "yes")
      assert.strictEqual(seen.subprotocol, "v1.zen")
    }))

  it.scopedLive("SIGINT closes with 1000: Python saw the close frame", () =>
    Effect.gen(function*() {
      const { origin } = yield* pythonWebsockets
      const running = yield* zenws(["connect", `${origin}/sigint`])
      yield* running.write("ping me\n")
      yield* running.waitFor(/^ping me$/m)
      yield* running.signal("SIGINT")
      assert.strictEqual((yield* running.exited()).code, 0)
      const observer = yield* runZenws(["connect", `${origin}/observer`, "--wait", "300"], { input: "info\n" })
      const { connections } = JSON.parse(observer.stdout) as {
        connections: ReadonlyArray<{ path: string; closeCode: number | null }>
      }
      assert.deepStrictEqual(connections.filter((c) => c.path === "/sigint").map((c) => c.closeCode), [1000])
    }))
})
