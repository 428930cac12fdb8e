/**
 * `zenws send` and `zenws request` as real processes: the reply on stdout, the exit codes of the table (0 ok, 1 RPC
 * error, 2 no connection, 3 timeout, 4 bad input) against core's mock server, Debian's python3-websockets and
 * `zenws serve`'s faults.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Testing from "@zen-websocket/core/Testing"
import * as Effect from "effect/Effect"
import { pythonWebsockets, runPython, runZenws, serve } from "./utils/process.js"

/** A port nothing listens on: a mock server's, after it stopped. */
const closedPort = Effect.scoped(Effect.map(Testing.startMockServer(), (server) => server.port))

describe("zenws request", () => {
  it.scopedLive("0: prints the result as JSON", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const run = yield* runZenws(["request", server.url, "public/get_time", "{\"a\":[1,2]}"])
      assert.strictEqual(run.code, 0, run.stderr)
      assert.deepStrictEqual(JSON.parse(run.stdout), { method: "public/get_time", params: { a: [1, 2] } })
      const sent = yield* server.assertMessageSent({ jsonrpc: "2.0", method: "public/get_time" })
      assert.strictEqual(sent._tag, "Text")
      assert.strictEqual(run.stderr, "")
    }))

  it.scopedLive("1: the server's JSON-RPC error, explained on stderr", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({
        handler: (frame) => {
          const request = JSON.parse(frame._tag === "Text" ? frame.data : "{}") as { id: number }
          return JSON.stringify({
            jsonrpc: "2.0",
            id: request.id,
            error: { code: -32601, message: "Method not found" }
          })
        }
      })
      const run = yield* runZenws(["request", server.url, "no/such"])
      assert.strictEqual(run.code, 1, run.stderr)
      assert.strictEqual(run.stdout, "")
      assert.match(run.stderr, /^error: .*-32601.*Method not found/m)
      assert.match(run.stderr, /^hint: /m)
      assert.notMatch(run.stderr, /at .*\.js:\d+/, "no stack without --verbose")
    }))

  it.scopedLive("2: nothing listens (refused), explained without a stack; --verbose adds the cause", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const run = yield* runZenws(["request", `ws://127.0.0.1:${port}/ws`, "public/test"])
      assert.strictEqual(run.code, 2, run.stderr)
      assert.match(run.stderr, /^error: Connection refused by server at ws:\/\/127\.0\.0\.1:\d+\/ws/m)
      assert.match(run.stderr, /^hint: Check that the server is running/m)
      assert.notMatch(run.stderr, /ECONNREFUSED[\s\S]*\n\s+at /)
      const verbose = yield* runZenws(["request", `ws://127.0.0.1:${port}/ws`, "public/test", "--verbose"])
      assert.strictEqual(verbose.code, 2)
      assert.match(verbose.stderr, /ConnectError/)
      assert.match(verbose.stderr, /\n\s+at /, "the stack under --verbose")
    }))

  it.scopedLive("2: an upgrade refused with HTTP 403 (zenws serve --reject 403)", () =>
    Effect.gen(function*() {
      const { url } = yield* serve(["--reject", "403"])
      const run = yield* runZenws(["request", url, "public/test"])
      assert.strictEqual(run.code, 2, run.stderr)
      assert.match(run.stderr, /403/)
    }))

  it.scopedLive("3: no answer within --timeout", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const run = yield* runZenws(["request", server.url, "public/test", "--timeout", "300"])
      assert.strictEqual(run.code, 3, run.stderr)
      assert.match(run.stderr, /^error: .*public\/test.*300 ms/m)
    }))

  it.scopedLive("4: bad params JSON and a bad URL, before any socket opens", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const params = yield* runZenws(["request", server.url, "a/b", "{nope"])
      assert.strictEqual(params.code, 4)
      assert.match(params.stderr, /params-json is not JSON/)
      const url = yield* runZenws(["request", "http://127.0.0.1:1/ws", "a/b"])
      assert.strictEqual(url.code, 4)
      assert.match(url.stderr, /ws:\/\//)
      assert.strictEqual((yield* server.totalConnections) + (yield* server.upgradeRequests).length, 0)
    }))
})

describe.runIf(runPython)("zenws request against python3-websockets", () => {
  it.scopedLive("0, 1 and 3 against an independent server", () =>
    Effect.gen(function*() {
      const { origin } = yield* pythonWebsockets
      const ok = yield* runZenws(["request", `${origin}/ok`, "public/echo", "{\"x\":1}"])
      assert.strictEqual(ok.code, 0, ok.stderr)
      assert.deepStrictEqual(JSON.parse(ok.stdout), { method: "public/echo", params: { x: 1 } })
      const error = yield* runZenws([
        "request",
        `${origin}/error`,
        "private/buy",
        "{\"error\":{\"code\":13009,\"message\":\"unauthorized\"}}"
      ])
      assert.strictEqual(error.code, 1, error.stderr)
      assert.match(error.stderr, /13009/)
      const slow = yield* runZenws([
        "request",
        `${origin}/slow`,
        "public/slow",
        "{\"delayMs\":3000}",
        "--timeout",
        "300"
      ])
      assert.strictEqual(slow.code, 3, slow.stderr)
    }))
})

describe("zenws send", () => {
  it.scopedLive("prints the reply; --count and --until take more frames; exit 3 when they do not come", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({
        handler: (frame) => frame._tag === "Text" ? ["one", "two", "three"].map((n) => `${n}:${frame.data}`) : undefined
      })
      const first = yield* runZenws(["send", server.url, "hi"])
      assert.strictEqual(first.code, 0, first.stderr)
      assert.strictEqual(first.stdout, "one:hi\n")
      const two = yield* runZenws(["send", server.url, "hi", "--count", "2"])
      assert.strictEqual(two.stdout, "one:hi\ntwo:hi\n")
      const until = yield* runZenws(["send", server.url, "hi", "--until", "^thr"])
      assert.strictEqual(until.stdout, "one:hi\ntwo:hi\nthree:hi\n")
      const short = yield* runZenws(["send", server.url, "hi", "--count", "4", "--timeout", "300"])
      assert.strictEqual(short.code, 3, short.stderr)
      assert.strictEqual(short.stdout, "one:hi\ntwo:hi\nthree:hi\n")
      assert.match(short.stderr, /Expected 4 frames within 300 ms; got 3/)
    }))

  it.scopedLive("--binary hex sends bytes and prints binary replies in hex", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const run = yield* runZenws(["send", server.url, "0102ff", "--binary", "hex"])
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(run.stdout, "0102ff\n")
      const sent = yield* server.assertMessageSent(Uint8Array.from([1, 2, 0xff]))
      assert.strictEqual(sent._tag, "Binary")
      const bad = yield* runZenws(["send", server.url, "xyz", "--binary", "hex"])
      assert.strictEqual(bad.code, 4)
    }))
})
