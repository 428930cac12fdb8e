import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Option, pipe, Queue } from "effect"
import type { Scope } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { ClientOptions } from "ws"
import { WebSocket } from "ws"
import * as Recorder from "../src/Recorder.js"
import * as Testing from "../src/Testing.js"

// -------------------------------------------------------------------------------------------------------------------
// a raw `ws` client, scoped
// -------------------------------------------------------------------------------------------------------------------

type Data = string | Uint8Array

interface TestClient {
  readonly ws: WebSocket
  readonly send: (data: Data) => Effect.Effect<void>
  /** The next frame from the server (fails the test after 1 s). */
  readonly next: Effect.Effect<Data, unknown>
  /** The next frame if one comes within `ms`. */
  readonly nextWithin: (ms: number) => Effect.Effect<Option.Option<Data>>
  readonly pings: Queue.Queue<Uint8Array>
  readonly pongs: Queue.Queue<Uint8Array>
  readonly closed: Effect.Effect<{ readonly code: number; readonly reason: string }, unknown>
}

const toData = (data: WebSocket.RawData, isBinary: boolean): Data => {
  const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
  return isBinary ? new Uint8Array(buffer) : buffer.toString("utf8")
}

const connect = (url: string, options?: ClientOptions): Effect.Effect<TestClient, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const messages = yield* Queue.unbounded<Data>()
    const pings = yield* Queue.unbounded<Uint8Array>()
    const pongs = yield* Queue.unbounded<Uint8Array>()
    const closed = yield* Deferred.make<{ code: number; reason: string }>()
    const ws = yield* Effect.acquireRelease(
      Effect.async<WebSocket, Error>((resume) => {
        const ws = new WebSocket(url, options)
        ws.on("message", (data, isBinary) => Queue.unsafeOffer(messages, toData(data, isBinary)))
        ws.on("ping", (data) => Queue.unsafeOffer(pings, new Uint8Array(data)))
        ws.on("pong", (data) => Queue.unsafeOffer(pongs, new Uint8Array(data)))
        ws.on("close", (code, reason) => Deferred.unsafeDone(closed, Exit.succeed({ code, reason: reason.toString() })))
        ws.once("open", () => resume(Effect.succeed(ws)))
        ws.once("error", (error) => resume(Effect.fail(error)))
      }),
      (ws) => Effect.sync(() => ws.terminate())
    )
    return {
      ws,
      send: (data) => Effect.sync(() => ws.send(data)),
      next: Effect.timeoutFail(Queue.take(messages), {
        duration: Duration.seconds(1),
        onTimeout: () => new Error("no frame from the server within 1 s")
      }),
      nextWithin: (ms) => Effect.timeoutOption(Queue.take(messages), Duration.millis(ms)),
      pings,
      pongs,
      closed: Effect.timeoutFail(Deferred.await(closed), {
        duration: Duration.seconds(2),
        onTimeout: () => new Error("the client was not closed within 2 s")
      })
    }
  })

type Attempt =
  | { readonly _tag: "Open" }
  | { readonly _tag: "Error"; readonly code: string | undefined; readonly message: string }
  | { readonly _tag: "Rejected"; readonly status: number; readonly body: string }
  | { readonly _tag: "Pending" }

/** Tries to connect and reports what happened within `waitMs`. */
const attempt = (url: string, waitMs: number, options?: ClientOptions): Effect.Effect<Attempt, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => new WebSocket(url, options)),
    (ws) => Effect.sync(() => ws.terminate())
  ).pipe(
    Effect.flatMap((ws) =>
      Effect.async<Attempt>((resume) => {
        ws.once("open", () => resume(Effect.succeed({ _tag: "Open" })))
        ws.once("error", (error: NodeJS.ErrnoException) =>
          resume(Effect.succeed({ _tag: "Error", code: error.code, message: error.message })))
        ws.once("unexpected-response", (request, response) => {
          const chunks: Array<Buffer> = []
          response.on("data", (chunk: Buffer) =>
            chunks.push(chunk))
          response.on("end", () => {
            request.destroy()
            resume(Effect.succeed({
              _tag: "Rejected",
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks).toString()
            }))
          })
        })
      })
    ),
    Effect.timeoutTo({
      duration: Duration.millis(waitMs),
      onTimeout: (): Attempt => ({ _tag: "Pending" }),
      onSuccess: (a) => a
    })
  )

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

const assertFails = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.flip(effect).pipe(Effect.orElse(() => Effect.dieMessage("expected a failure")))

// -------------------------------------------------------------------------------------------------------------------

describe("Testing.startMockServer", () => {
  describe("default handler", () => {
    it.scopedLive("answers ping, JSON-RPC requests, other text and binary", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/)
        assert.isUndefined(server.ca)
        const client = yield* connect(server.url)

        yield* client.send("ping")
        assert.strictEqual(yield* client.next, "pong")

        yield* client.send(
          JSON.stringify({ jsonrpc: "2.0", id: 1, method: "public/subscribe", params: { channels: ["a", "b"] } })
        )
        assert.deepStrictEqual(JSON.parse((yield* client.next) as string), {
          jsonrpc: "2.0",
          id: 1,
          result: ["a", "b"]
        })

        yield* client.send(
          JSON.stringify({ jsonrpc: "2.0", id: "u", method: "private/unsubscribe", params: { channels: ["a"] } })
        )
        assert.deepStrictEqual(JSON.parse((yield* client.next) as string), { jsonrpc: "2.0", id: "u", result: ["a"] })

        yield* client.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "public/test" }))
        assert.deepStrictEqual(JSON.parse((yield* client.next) as string), {
          jsonrpc: "2.0",
          id: 2,
          result: { version: "mock" }
        })

        yield* client.send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "public/get_time", params: { x: 1 } }))
        assert.deepStrictEqual(JSON.parse((yield* client.next) as string), {
          jsonrpc: "2.0",
          id: 3,
          result: { method: "public/get_time", params: { x: 1 } }
        })

        yield* client.send("hello")
        assert.strictEqual(yield* client.next, "echo: hello")

        yield* client.send(new Uint8Array([1, 2, 255]))
        assert.deepStrictEqual(yield* client.next, new Uint8Array([1, 2, 255]))
      }))

    it.scopedLive("echoHandler and silentHandler", () =>
      Effect.gen(function*() {
        const echo = yield* Testing.startMockServer({ handler: Testing.echoHandler })
        const silent = yield* Testing.startMockServer({ handler: Testing.silentHandler })
        const a = yield* connect(echo.url)
        const b = yield* connect(silent.url)
        yield* a.send("ping")
        assert.strictEqual(yield* a.next, "ping")
        yield* b.send("ping")
        assert.isTrue(Option.isNone(yield* b.nextWithin(100)))
        yield* silent.assertMessageSent("ping")
      }))
  })

  describe("custom handler", () => {
    it.scopedLive("array replies in order, Effect replies, connection info", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer({
          handler: (frame, connection) => {
            if (frame._tag === "Binary") return [frame.data, "after-bytes"]
            if (frame.data === "many") return ["one", "two", "three"]
            if (frame.data === "who") return `connection ${connection.id} at ${connection.request.url}`
            return Effect.succeed(`effect: ${frame.data}`).pipe(Effect.delay(Duration.millis(20)))
          }
        })
        const client = yield* connect(`${server.url}?k=v`)
        yield* client.send("many")
        yield* client.send("slow")
        yield* client.send("who")
        const replies = yield* Effect.all(Array.from({ length: 5 }, () => client.next))
        assert.deepStrictEqual(replies, ["one", "two", "three", "effect: slow", "connection 1 at /ws?k=v"])
        yield* client.send(new Uint8Array([7]))
        assert.deepStrictEqual(yield* client.next, new Uint8Array([7]))
        assert.strictEqual(yield* client.next, "after-bytes")
      }))

    it.scopedLive("a handler that throws or fails does not crash the server", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer({
          handler: (frame) => {
            if (frame._tag === "Text" && frame.data === "throw") throw new Error("boom")
            if (frame._tag === "Text" && frame.data === "fail") return Effect.die("bad effect")
            return "ok"
          }
        })
        const client = yield* connect(server.url)
        yield* client.send("throw")
        yield* client.send("fail")
        yield* client.send("fine")
        assert.strictEqual(yield* client.next, "ok")
        assert.strictEqual(yield* server.connectionCount, 1)
        assert.strictEqual(client.ws.readyState, WebSocket.OPEN)
      }))
  })

  it.scopedLive("injectMessage sends text and binary frames to every live connection", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const a = yield* connect(server.url)
      const b = yield* connect(server.url)
      yield* server.awaitConnections(2)
      yield* server.injectMessage("hello all")
      yield* Testing.injectMessage(server, new Uint8Array([9, 8]))
      yield* pipe(server, Testing.injectMessage("last"))
      for (const client of [a, b]) {
        assert.strictEqual(yield* client.next, "hello all")
        assert.deepStrictEqual(yield* client.next, new Uint8Array([9, 8]))
        assert.strictEqual(yield* client.next, "last")
      }
    }))

  describe("assertMessageSent", () => {
    it.scopedLive("matches each matcher kind, including frames sent before the call", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const client = yield* connect(server.url)
        yield* client.send(JSON.stringify({ id: 1, method: "public/subscribe", params: { channels: ["x"] } }))
        yield* client.send("exact text")
        yield* client.send(new Uint8Array([1, 2, 3]))
        yield* Effect.all(Array.from({ length: 3 }, () => client.next))

        const rpc = yield* server.assertMessageSent({ method: "public/subscribe", params: { channels: ["x"] } })
        assert.strictEqual(rpc._tag, "Text")
        assert.strictEqual(rpc.connectionId, 1)
        assert.isAtMost(rpc.at, Date.now())
        yield* server.assertMessageSent("exact text")
        yield* server.assertMessageSent(/^exact/)
        yield* server.assertMessageSent(new Uint8Array([1, 2, 3]))
        yield* server.assertMessageSent((frame) => frame._tag === "Binary" && frame.data.length === 3)
        yield* Testing.assertMessageSent(server, "exact text", 50)
        yield* pipe(server, Testing.assertMessageSent(/text/))

        // near misses do not match
        yield* assertFails(server.assertMessageSent("exact", 20))
        yield* assertFails(server.assertMessageSent({ params: { channels: ["x", "y"] } }, 20))
        yield* assertFails(server.assertMessageSent(new Uint8Array([1, 2]), 20))
        yield* assertFails(server.assertMessageSent({ method: "public/subscribe", missing: 1 }, 20))
      }))

    it.scopedLive("waits for a frame sent after the call", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const client = yield* connect(server.url)
        const waiting = yield* Effect.fork(server.assertMessageSent({ op: "later" }, 1000))
        yield* Effect.sleep(Duration.millis(20))
        yield* client.send(JSON.stringify({ op: "later", n: 1 }))
        const frame = yield* waiting
        assert.deepStrictEqual(frame._tag === "Text" && JSON.parse(frame.data), { op: "later", n: 1 })
      }))

    it.scopedLive("fails after the timeout with what was expected and the last frames", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const client = yield* connect(server.url)
        yield* client.send("first")
        yield* client.send("second")
        yield* server.assertMessageSent("second")
        const started = Date.now()
        const error = yield* assertFails(server.assertMessageSent({ method: "never" }, 100))
        const elapsed = Date.now() - started
        assert.isAtLeast(elapsed, 90)
        assert.isBelow(elapsed, 1000)
        assert.strictEqual(error._tag, "MockAssertionError")
        assert.include(error.message, "{\"method\":\"never\"}")
        assert.include(error.message, "100 ms")
        assert.include(error.message, "\"first\"")
        assert.include(error.message, "\"second\"")
        assert.deepStrictEqual(error.received.map((f) => f.data), ["first", "second"])
      }))

    it.scoped("times out in real time under TestClock", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const fiber = yield* Effect.fork(Effect.either(server.assertMessageSent("nothing", 50)))
        const result = yield* fiber.await.pipe(Effect.flatten)
        assert.isTrue(result._tag === "Left" && result.left._tag === "MockAssertionError")
        yield* server.awaitConnections(0)
        const error = yield* assertFails(server.awaitConnections(1, 30))
        assert.include(error.message, "at least 1")
      }))
  })

  it.scopedLive("receivedMessages, clearReceived and maxReceived", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ maxReceived: 3, handler: Testing.silentHandler })
      const a = yield* connect(server.url)
      const b = yield* connect(server.url)
      yield* a.send("a1")
      yield* server.assertMessageSent("a1")
      yield* b.send(new Uint8Array([5]))
      yield* server.assertMessageSent(new Uint8Array([5]))
      let received = yield* server.receivedMessages
      assert.deepStrictEqual(received.map((f) => [f.connectionId, f._tag, f.data]), [[1, "Text", "a1"], [
        2,
        "Binary",
        new Uint8Array([5])
      ]])
      for (const n of [1, 2, 3, 4]) yield* a.send(`n${n}`)
      yield* server.assertMessageSent("n4")
      received = yield* Testing.receivedMessages(server)
      assert.deepStrictEqual(received.map((f) => f.data), ["n2", "n3", "n4"])
      yield* server.clearReceived
      assert.deepStrictEqual(yield* server.receivedMessages, [])
    }))

  it.scopedLive("connectionCount, totalConnections, awaitConnections", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      assert.strictEqual(yield* server.connectionCount, 0)
      const a = yield* connect(server.url)
      yield* connect(server.url)
      yield* server.awaitConnections(2)
      assert.strictEqual(yield* server.connectionCount, 2)
      a.ws.close()
      yield* a.closed
      yield* connect(server.url)
      yield* server.awaitConnections(3)
      assert.strictEqual(yield* server.totalConnections, 3)
      assert.strictEqual(yield* server.connectionCount, 2)
    }))

  it.scopedLive("upgradeRequests keep the query string and headers", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* connect(`${server.url}?token=abc&x=1`, { headers: { "x-api-key": "secret" } })
      const requests = yield* server.upgradeRequests
      assert.strictEqual(requests.length, 1)
      assert.strictEqual(requests[0].url, "/ws?token=abc&x=1")
      assert.strictEqual(requests[0].headers["x-api-key"], "secret")
      assert.strictEqual(requests[0].headers["upgrade"], "websocket")
    }))

  describe("simulateDisconnect", () => {
    const cases = [
      ["normal", 1000, "Normal closure"],
      ["going_away", 1001, "Server going away"],
      [4001, 4001, "Custom close"],
      ["abnormal", 1006, ""]
    ] as const
    for (const [how, code, reason] of cases) {
      it.scopedLive(`${how} gives the client close code ${code}`, () =>
        Effect.gen(function*() {
          const server = yield* Testing.startMockServer()
          const client = yield* connect(server.url)
          yield* server.simulateDisconnect(how)
          assert.deepStrictEqual(yield* client.closed, { code, reason })
          assert.strictEqual(yield* server.connectionCount, 0)
          // unlike the original, later connections are served normally
          const again = yield* connect(server.url)
          yield* again.send("ping")
          assert.strictEqual(yield* again.next, "pong")
        }))
    }

    it.scopedLive("with a custom reason, data-last", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const client = yield* connect(server.url)
        yield* pipe(server, Testing.simulateDisconnect(4002, "maintenance"))
        assert.deepStrictEqual(yield* client.closed, { code: 4002, reason: "maintenance" })
      }))
  })

  it.scopedLive("stopServer closes connections with 1001 and the listener; idempotent", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* connect(server.url)
      yield* Testing.stopServer(server)
      assert.strictEqual((yield* client.closed).code, 1001)
      assert.strictEqual(yield* server.connectionCount, 0)
      const after = yield* attempt(server.url, 1000)
      assert.deepStrictEqual(after._tag === "Error" && after.code, "ECONNREFUSED")
      yield* server.stopServer
    }))

  it.scopedLive("restart listens again on the same port with faults cleared", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* connect(server.url)
      yield* server.rejectUpgrade(500)
      yield* server.restart
      assert.strictEqual((yield* client.closed).code, 1001)
      const again = yield* connect(server.url)
      yield* again.send("ping")
      assert.strictEqual(yield* again.next, "pong")
      assert.strictEqual(yield* server.totalConnections, 2)
    }))

  it.scopedLive("a fixed port is honoured", () =>
    Effect.gen(function*() {
      const first = yield* Testing.startMockServer()
      const port = first.port
      yield* first.stopServer
      const server = yield* Testing.startMockServer({ port, path: "/feed" })
      assert.strictEqual(server.url, `ws://127.0.0.1:${port}/feed`)
      yield* connect(server.url)
      const wrongPath = yield* attempt(`ws://127.0.0.1:${port}/ws`, 1000)
      assert.deepStrictEqual(wrongPath, { _tag: "Rejected", status: 404, body: "Not Found" })
      const taken = yield* Effect.flip(Testing.startMockServer({ port }))
      assert.strictEqual(taken._tag, "MockServerError")
    }))

  describe("faults", () => {
    it.scopedLive("refuseConnections: ECONNREFUSED, live connections stay, then the same port again", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const live = yield* connect(server.url)
        yield* server.refuseConnections(true)
        const refused = yield* attempt(server.url, 1000)
        assert.deepStrictEqual(refused._tag === "Error" && refused.code, "ECONNREFUSED")
        yield* live.send("ping")
        assert.strictEqual(yield* live.next, "pong")
        yield* server.refuseConnections(false)
        const back = yield* connect(server.url)
        yield* back.send("ping")
        assert.strictEqual(yield* back.next, "pong")
      }))

    it.scopedLive("stallHandshake: the handshake never completes", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        yield* server.stallHandshake(true)
        assert.deepStrictEqual(yield* attempt(server.url, 200), { _tag: "Pending" })
        assert.strictEqual((yield* server.upgradeRequests).length, 1)
        assert.strictEqual(yield* server.totalConnections, 0)
        yield* server.stallHandshake(false)
        assert.deepStrictEqual(yield* attempt(server.url, 1000), { _tag: "Open" })
      }))

    it.scopedLive("rejectUpgrade: the client gets the HTTP status and body", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        yield* server.rejectUpgrade(403, "no entry")
        assert.deepStrictEqual(yield* attempt(server.url, 1000), { _tag: "Rejected", status: 403, body: "no entry" })
        yield* server.rejectUpgrade(503)
        assert.deepStrictEqual(yield* attempt(server.url, 1000), {
          _tag: "Rejected",
          status: 503,
          body: "Service Unavailable"
        })
        yield* server.rejectUpgrade(undefined)
        assert.deepStrictEqual(yield* attempt(server.url, 1000), { _tag: "Open" })
        assert.strictEqual(yield* server.totalConnections, 1)
      }))

    it.scopedLive("goSilent: no replies, no pongs, then the buffered frames are read", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const client = yield* connect(server.url)
        yield* server.goSilent(true)
        yield* client.send("are you there")
        client.ws.ping("hb")
        yield* server.injectMessage("injected while silent")
        assert.isTrue(Option.isNone(yield* client.nextWithin(150)))
        assert.strictEqual(yield* Queue.size(client.pongs), 0)
        assert.strictEqual(yield* server.pingsReceived, 0)
        assert.deepStrictEqual(yield* server.receivedMessages, [])
        yield* server.goSilent(false)
        assert.strictEqual(yield* client.next, "echo: are you there")
        yield* server.assertMessageSent("are you there")
      }))

    it.scopedLive("dropPongs: pings are counted but not answered", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const client = yield* connect(server.url)
        client.ws.ping("one")
        assert.deepStrictEqual(yield* Queue.take(client.pongs), text("one"))
        yield* server.dropPongs(true)
        client.ws.ping("two")
        yield* client.send("still here")
        assert.strictEqual(yield* client.next, "echo: still here")
        assert.strictEqual(yield* server.pingsReceived, 2)
        assert.isTrue(Option.isNone(yield* Effect.timeoutOption(Queue.take(client.pongs), Duration.millis(100))))
        yield* server.dropPongs(false)
        client.ws.ping("three")
        assert.deepStrictEqual(yield* Queue.take(client.pongs), text("three"))
      }))

    it.scopedLive("delayFrames: every frame is late and order is kept", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const client = yield* connect(server.url)
        yield* server.delayFrames(60)
        const started = Date.now()
        yield* server.injectMessage("d")
        yield* client.send("a")
        yield* client.send("b")
        client.ws.ping("p")
        yield* client.send("c")
        const first = yield* client.next
        const elapsed = Date.now() - started
        const rest = yield* Effect.all([client.next, client.next, client.next])
        assert.deepStrictEqual([first, ...rest], ["d", "echo: a", "echo: b", "echo: c"])
        assert.isAtLeast(elapsed, 50)
        assert.deepStrictEqual(yield* Queue.take(client.pongs), text("p"))
        // a frame sent with a shorter delay does not overtake an earlier, slower one
        yield* server.delayFrames(80)
        yield* server.injectMessage("slow")
        yield* server.delayFrames(5)
        yield* server.injectMessage("quick")
        assert.deepStrictEqual([yield* client.next, yield* client.next], ["slow", "quick"])
        yield* server.delayFrames(0)
        const fast = Date.now()
        yield* client.send("e")
        assert.strictEqual(yield* client.next, "echo: e")
        assert.isBelow(Date.now() - fast, 50)
      }))

    it.scopedLive("pingClients: server pings, client pongs are counted", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const client = yield* connect(server.url)
        yield* server.pingClients("hb-1")
        assert.deepStrictEqual(yield* Queue.take(client.pings), text("hb-1"))
        yield* server.pingClients()
        assert.deepStrictEqual(yield* Queue.take(client.pings), new Uint8Array())
        yield* client.send("sync")
        yield* client.next
        assert.strictEqual(yield* server.pongsReceived, 2)
      }))
  })

  describe("tls", () => {
    it.scopedLive("a client trusting `ca` connects; one that does not fails the TLS handshake", () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer({ tls: true })
        assert.match(server.url, /^wss:\/\/127\.0\.0\.1:\d+\/ws$/)
        assert.include(server.ca, "BEGIN CERTIFICATE")
        const client = yield* connect(server.url, { ca: server.ca! })
        yield* client.send("secure")
        assert.strictEqual(yield* client.next, "echo: secure")
        const localhost = yield* connect(server.url.replace("127.0.0.1", "localhost"), { ca: server.ca! })
        yield* localhost.send("ping")
        assert.strictEqual(yield* localhost.next, "pong")
        const untrusted = yield* attempt(server.url, 1000)
        assert.deepStrictEqual(untrusted._tag === "Error" && untrusted.code, "DEPTH_ZERO_SELF_SIGNED_CERT")
        const plain = yield* attempt(server.url.replace("wss:", "ws:"), 1000)
        assert.notStrictEqual(plain._tag, "Open")
        yield* server.stopServer
        assert.strictEqual((yield* client.closed).code, 1001)
      }))
  })

  it.scopedLive("Testing.layer provides the MockServer service", () =>
    Effect.gen(function*() {
      const server = yield* Testing.MockServer
      const client = yield* connect(server.url)
      yield* client.send("via layer")
      assert.strictEqual(yield* client.next, "echo: via layer")
      yield* server.assertMessageSent("via layer")
    }).pipe(Effect.provide(Testing.layer({ path: "/layer" }))))
})

describe("Testing: a script per connection", () => {
  const writeRecording = (entries: ReadonlyArray<Recorder.Entry>) =>
    Effect.sync(() => {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-testing-"))
      const path = Path.join(dir, "session.jsonl")
      Fs.writeFileSync(path, entries.map((entry) => Recorder.encodeLine(entry) + "\n").join(""))
      return path
    })

  it.scopedLive("onConnection runs for each connection and is interrupted when it closes", () =>
    Effect.gen(function*() {
      const started = yield* Queue.unbounded<number>()
      const interrupted = yield* Queue.unbounded<number>()
      const server = yield* Testing.startMockServer({
        onConnection: (connection) =>
          Queue.offer(started, connection.id).pipe(
            Effect.zipRight(Effect.sync(() => connection.send(`hello ${connection.id}`))),
            Effect.zipRight(Effect.never),
            Effect.onInterrupt(() => Queue.offer(interrupted, connection.id))
          )
      })
      const first = yield* connect(server.url)
      assert.strictEqual(yield* first.next, "hello 1")
      const second = yield* connect(server.url)
      assert.strictEqual(yield* second.next, "hello 2")
      assert.deepStrictEqual([yield* Queue.take(started), yield* Queue.take(started)], [1, 2])
      yield* Effect.sync(() => first.ws.close(1000))
      assert.strictEqual(yield* Queue.take(interrupted).pipe(Effect.timeout("2 seconds")), 1)
      assert.isTrue(Option.isNone(yield* Queue.poll(interrupted)))
    }))

  it.scopedLive("a failing onConnection is logged and the connection is still served", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ onConnection: () => Effect.dieMessage("boom") })
      const client = yield* connect(server.url)
      yield* client.send("still here")
      assert.strictEqual(yield* client.next, "echo: still here")
    }))

  it.scopedLive("playRecordingTo plays the inbound frames to that connection only, then its close", () =>
    Effect.gen(function*() {
      const ts = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString().replace("Z", "000Z")
      const withClose = yield* writeRecording([
        { ts: ts(0), dir: "in", type: "text", data: "one" },
        { ts: ts(5), dir: "out", type: "text", data: "not played" },
        { ts: ts(10), dir: "in", type: "binary", data: Uint8Array.from([1, 2, 3]), binary: true },
        { ts: ts(15), dir: "in", type: "text", data: "three" },
        { ts: ts(20), dir: "in", type: "close", code: 4001, reason: "recorded close" }
      ])
      const frames = yield* writeRecording([
        { ts: ts(0), dir: "in", type: "text", data: "a" },
        { ts: ts(10), dir: "in", type: "text", data: "b" }
      ])
      const played = yield* Deferred.make<number>()
      const server = yield* Testing.startMockServer({
        onConnection: (connection) =>
          connection.id === 1
            ? Effect.orDie(Testing.playRecordingTo(connection, withClose, { speed: 10 }))
            : pipe(
              connection,
              Testing.playRecordingTo(frames),
              Effect.orDie,
              Effect.flatMap((n) => Deferred.succeed(played, n))
            )
      })
      const first = yield* connect(server.url)
      assert.strictEqual(yield* first.next, "one")
      assert.deepStrictEqual(yield* first.next, Uint8Array.from([1, 2, 3]))
      assert.strictEqual(yield* first.next, "three")
      assert.deepStrictEqual(yield* first.closed, { code: 4001, reason: "recorded close" })
      const second = yield* connect(server.url)
      assert.strictEqual(yield* Deferred.await(played).pipe(Effect.timeout("2 seconds")), 2)
      assert.deepStrictEqual([yield* second.next, yield* second.next], ["a", "b"])
      assert.isTrue(Option.isNone(yield* second.nextWithin(50)))
    }))
})
