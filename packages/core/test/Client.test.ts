import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Net from "node:net"
import * as Client from "../src/Client.js"
import type * as Message from "../src/Message.js"
import * as Testing from "../src/Testing.js"
import { texts } from "./utils/messages.js"

const failure = <A, E>(effect: Effect.Effect<A, E, any>) => Effect.flip(effect) as Effect.Effect<E, A, never>

describe("Client.connect", () => {
  it.scopedLive("connects, reports connected and keeps the query string and headers of the upgrade", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(`${server.url}?token=abc&x=1`, { headers: { "x-api-key": "k1" } })
      assert.strictEqual(yield* Client.getState(client), "connected")
      const [upgrade] = yield* server.upgradeRequests
      assert.strictEqual(upgrade.url, "/ws?token=abc&x=1")
      assert.strictEqual(upgrade.headers["x-api-key"], "k1")
    }))

  it.scopedLive("evaluates a URL effect and a headers effect on the attempt", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const counter = yield* Ref.make(0)
      const url = Effect.map(Ref.updateAndGet(counter, (n) => n + 1), (n) => `${server.url}?attempt=${n}`)
      const headers = Effect.succeed({ authorization: "Bearer fresh" })
      yield* Client.connect(url, { headers })
      const [upgrade] = yield* server.upgradeRequests
      assert.strictEqual(upgrade.url, "/ws?attempt=1")
      assert.strictEqual(upgrade.headers.authorization, "Bearer fresh")
    }))

  it.scopedLive("sends subprotocols", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* Client.connect(server.url, { protocols: ["v2.json", "v1.json"] })
      const [upgrade] = yield* server.upgradeRequests
      assert.deepStrictEqual(upgrade.headers["sec-websocket-protocol"]?.split(/,\s*/), ["v2.json", "v1.json"])
    }))

  it.scopedLive("a 403 upgrade is reported as HTTP 403, not as a timeout, and is not retried", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* server.rejectUpgrade(403, "forbidden")
      const error = yield* failure(Client.connect(server.url, { retryDelay: 10 }))
      assert.strictEqual(error._tag, "ConnectError")
      if (error._tag !== "ConnectError") return
      assert.strictEqual(error.reason, "http")
      assert.strictEqual(error.status, 403)
      assert.lengthOf(yield* server.upgradeRequests, 1)
    }))

  it.scopedLive("a listener that accepts TCP but never upgrades gives an open timeout", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* server.stallHandshake(true)
      const error = yield* failure(Client.connect(server.url, { timeout: 150, retryCount: 0 }))
      assert.strictEqual(error._tag, "ConnectError")
      assert.strictEqual(error._tag === "ConnectError" && error.reason, "timeout")
    }))

  it.scopedLive("a refused connection is told apart, and retries end with max-attempts", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* server.refuseConnections(true)
      const once = yield* failure(Client.connect(server.url, { retryCount: 0 }))
      assert.strictEqual(once._tag === "ConnectError" && once.reason, "refused")
      const retried = yield* failure(Client.connect(server.url, { retryCount: 2, retryDelay: 5, jitter: false }))
      assert.strictEqual(retried._tag === "ConnectError" && retried.reason, "max-attempts")
      assert.strictEqual(
        retried._tag === "ConnectError" && (retried.cause as { reason: string }).reason,
        "refused"
      )
    }))

  it.scopedLive("a DNS failure is told apart", () =>
    Effect.gen(function*() {
      const error = yield* failure(Client.connect("ws://no-such-host.invalid/ws", { retryCount: 0 }))
      assert.strictEqual(error._tag === "ConnectError" && error.reason, "dns")
    }))

  it.scopedLive("TLS: verified by default, accepted with the server's CA", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ tls: true })
      assert.isTrue(server.url.startsWith("wss://"))
      const refused = yield* failure(Client.connect(server.url, { retryCount: 0 }))
      assert.strictEqual(refused._tag === "ConnectError" && refused.reason, "tls")
      const client = yield* Client.connect(server.url, { tls: { ca: server.ca! } })
      yield* Client.sendMessage(client, "over tls")
      yield* server.assertMessageSent("over tls")
    }))

  it.effect("bad URLs and options fail with InvalidOptions before any socket opens", () =>
    Effect.gen(function*() {
      const cases: Array<[string, object, string]> = [
        ["http://example.com", {}, "url"],
        ["not a url", {}, "url"],
        ["ws://example.com", { timeout: -1 }, "timeout"],
        ["ws://example.com", { retryCount: 1.5 }, "retryCount"],
        ["ws://example.com", { retryDelay: 500, maxBackoff: 100 }, "maxBackoff"],
        ["ws://example.com", { heartbeatConfig: { type: "sometimes", interval: 1 } }, "heartbeatConfig"],
        ["ws://example.com", { inbound: { bufferSize: 0, strategy: "suspend" } }, "inbound.bufferSize"],
        ["ws://example.com", { maxPayload: "big" }, "maxPayload"],
        ["ws://example.com", { retries: 3 }, "retries"]
      ]
      for (const [url, options, field] of cases) {
        const error = yield* failure(Effect.scoped(Client.connect(url, options as Client.Options)))
        assert.strictEqual(error._tag, "InvalidOptions", `${url} ${JSON.stringify(options)}`)
        if (error._tag === "InvalidOptions") {
          assert.isTrue(error.field.startsWith(field), `${error.field} names ${field}`)
          assert.include(error.message, field)
        }
      }
    }))
})

describe("Client.sendMessage and messages", () => {
  it.scopedLive("echoes text in order, binary frames and objects as JSON", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: Testing.echoHandler })
      const client = yield* Client.connect(server.url)
      const messages = yield* client.messagesScoped
      const sent = Array.from({ length: 500 }, (_, i) => `frame-${i}`)
      for (const frame of sent) yield* Client.sendMessage(client, frame)
      yield* Client.sendMessage(client, new Uint8Array([1, 2, 3]))
      yield* Client.sendMessage(client, { method: "hello", n: 1 })
      const received = yield* messages.pipe(Stream.take(502), Stream.runCollect)
      const all = Chunk.toReadonlyArray(received)
      assert.deepStrictEqual(texts(Chunk.take(received, 500)), sent)
      const binary = all[500]
      assert.strictEqual(binary._tag, "Binary")
      assert.deepStrictEqual([...(binary as Message.Binary).data], [1, 2, 3])
      const json = all[501] as Message.Text
      assert.deepStrictEqual(json.json, { method: "hello", n: 1 })
      yield* server.assertMessageSent(new Uint8Array([1, 2, 3]))
      yield* server.assertMessageSent({ method: "hello" })
    }))

  it.scopedLive("hands frames over in chunks, and every consumer sees every frame", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      const first = yield* client.messagesScoped
      const second = yield* client.messagesScoped
      const chunks = yield* Ref.make(0)
      const consumer = yield* first.pipe(
        Stream.take(2000),
        Stream.mapChunksEffect((chunk) => Effect.as(Ref.update(chunks, (n) => n + 1), chunk)),
        Stream.runCount,
        Effect.fork
      )
      const other = yield* second.pipe(Stream.take(2000), Stream.runCount, Effect.fork)
      for (let i = 0; i < 2000; i++) yield* server.injectMessage(`tick-${i}`)
      assert.strictEqual(yield* Fiber.join(consumer), 2000)
      assert.strictEqual(yield* Fiber.join(other), 2000)
      assert.isBelow(yield* Ref.get(chunks), 2000, "frames of one tick are handed over together")
    }))

  it.scopedLive("forEachChunk: every frame in order, a chunk at a time, until the client closes", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      const seen: Array<string> = []
      let chunks = 0
      const consumer = yield* Client.forEachChunk(client, (chunk) =>
        Effect.sync(() => {
          chunks++
          for (const m of chunk) seen.push((m as Message.Text).data)
        })).pipe(Effect.fork)
      yield* Effect.sleep("10 millis")
      for (let i = 0; i < 1000; i++) yield* server.injectMessage(`f${i}`)
      yield* server.injectMessage("last")
      while (seen.at(-1) !== "last") yield* Effect.sleep("5 millis")
      yield* Client.close(client)
      yield* Fiber.join(consumer)
      assert.deepStrictEqual(seen, [...Array.from({ length: 1000 }, (_, i) => `f${i}`), "last"])
      assert.isBelow(chunks, 1001)
    }))

  it.scopedLive("custom handler replies reach the client; injected binary frames too", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({
        handler: (frame) => frame._tag === "Text" ? [`one:${frame.data}`, `two:${frame.data}`] : undefined
      })
      const client = yield* Client.connect(server.url)
      const messages = yield* client.messagesScoped
      yield* Client.sendMessage(client, "x")
      const replies = yield* messages.pipe(Stream.take(2), Stream.runCollect)
      assert.deepStrictEqual(texts(replies), ["one:x", "two:x"])
      const injected = yield* client.messagesScoped
      yield* server.injectMessage(new Uint8Array([9, 9]))
      assert.deepStrictEqual(texts(yield* injected.pipe(Stream.take(1), Stream.runCollect)), ["<2 bytes>"])
    }))

  it.scopedLive("an object that cannot be encoded fails with SendError and the client stays usable", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      const circular: Record<string, unknown> = {}
      circular.self = circular
      const error = yield* failure(Client.sendMessage(client, circular))
      assert.strictEqual(error._tag, "SendError")
      yield* Client.sendMessage(client, "still fine")
      yield* server.assertMessageSent("still fine")
    }))

  it.scopedLive("a frame over maxPayload closes with 1009, is reported, and the client reconnects", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { maxPayload: 1024, retryDelay: 10, jitter: false })
      const events = yield* client.eventsScoped
      const collected = yield* events.pipe(
        Stream.takeUntil((e) => e._tag === "Connected"),
        Stream.runCollect,
        Effect.fork
      )
      yield* server.injectMessage("x".repeat(4096))
      const seen = Chunk.toReadonlyArray(yield* Fiber.join(collected))
      const disconnected = seen.find((e) => e._tag === "Disconnected")
      assert.strictEqual(disconnected?._tag === "Disconnected" && disconnected.code, 1009)
      assert.include(String((disconnected as { cause?: unknown }).cause), "Max payload size exceeded")
      assert.strictEqual(yield* Client.getState(client), "connected")
      yield* Client.sendMessage(client, "after")
      yield* server.assertMessageSent("after")
    }))
})

describe("debug", () => {
  it.scopedLive("debug: true logs frames both ways and lifecycle events at Debug level, annotated with the client id", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const logger = Logger.make(({ annotations, message }) => {
        const text = Array.isArray(message) ? String(message[0]) : String(message)
        const id = HashMap.get(annotations, "client_id")
        logs.push(id._tag === "Some" ? `[${String(id.value)}] ${text}` : text)
      })
      const server = yield* Testing.startMockServer({ handler: Testing.echoHandler })
      yield* Effect.gen(function*() {
        const client = yield* Client.connect(server.url, { debug: true, id: "dbg" })
        const messages = yield* client.messagesScoped
        yield* Client.sendMessage(client, "hello")
        yield* messages.pipe(Stream.take(1), Stream.runDrain)
      }).pipe(
        Effect.scoped,
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      // the id is an annotation (`client_id`), not part of the message text
      assert.isTrue(logs.some((l) => l === "[dbg] out: hello"), logs.join("\n"))
      assert.isTrue(logs.some((l) => l === "[dbg] in: 1 frame(s)"), logs.join("\n"))
      assert.isTrue(logs.some((l) => l === "[dbg] Connected"), logs.join("\n"))
    }))
})

describe("debug logs are redacted like recordings", () => {
  it.scopedLive("no secret of a frame, a request, a hook request or a response reaches the debug logs", () =>
    Effect.gen(function*() {
      const SECRET = "S3CR3T"
      const lines: Array<string> = []
      const logger = Logger.make(({ annotations, message }) => {
        lines.push(`${JSON.stringify(message)} ${JSON.stringify([...HashMap.toEntries(annotations)])}`)
      })
      // the mock answers every request with its method and params: the secrets come back inbound too
      const server = yield* Testing.startMockServer()
      const auth = { grant_type: "client_credentials", client_id: "id", client_secret: `${SECRET}-1` }
      yield* Effect.gen(function*() {
        const client = yield* Client.connect(`${server.url}?token=${SECRET}-url`, {
          debug: true,
          restoreHooks: [(session) => session.request({ method: "public/auth", params: auth })]
        })
        const messages = yield* client.messagesScoped
        yield* Client.sendMessage(client, { method: "public/auth", params: { ...auth, client_secret: `${SECRET}-2` } })
        yield* Client.sendMessage(client, `{"params":{"client\u005fsecret":"${SECRET}-3"}}`)
        yield* Client.sendMessage(client, `login password=${SECRET}-4`)
        yield* Client.request(client, { method: "public/auth", params: { refresh_token: `${SECRET}-5` } })
        yield* server.injectMessage(JSON.stringify({ result: { access_token: `${SECRET}-6` } }))
        yield* messages.pipe(Stream.take(1), Stream.runDrain)
        yield* server.simulateDisconnect("abnormal")
        yield* client.stateChanges.pipe(Stream.filter((s) => s === "connecting"), Stream.take(1), Stream.runDrain)
      }).pipe(
        Effect.scoped,
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      const all = lines.join("\n")
      assert.include(all, "out: ", "frames were logged")
      assert.include(all, "public/auth", "the auth frames were logged")
      assert.notInclude(all, SECRET, all)
    }))
})

describe("Client.request", () => {
  it.scopedLive("correlates a JSON-RPC request with its response", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      const result = yield* Client.request(client, { method: "public/get_time", params: { a: 1 } })
      assert.deepStrictEqual(result, { method: "public/get_time", params: { a: 1 } })
      const frame = yield* server.assertMessageSent({ jsonrpc: "2.0", method: "public/get_time" })
      assert.strictEqual(typeof JSON.parse(frame.data as string).id, "number")
    }))

  it.scopedLive("an error response fails with RpcError carrying code, message and data", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({
        handler: (frame) => {
          const { id } = JSON.parse(frame.data as string)
          return JSON.stringify({ jsonrpc: "2.0", id, error: { code: 13009, message: "unauthorized", data: "x" } })
        }
      })
      const client = yield* Client.connect(server.url)
      const error = yield* failure(Client.request(client, { method: "private/buy" }))
      assert.strictEqual(error._tag, "RpcError")
      if (error._tag === "RpcError") {
        assert.strictEqual(error.code, 13009)
        assert.strictEqual(error.message, "unauthorized")
        assert.strictEqual(error.data, "x")
        assert.strictEqual(error.method, "private/buy")
      }
    }))

  it.scoped("honours requestTimeout with no hidden cap (TestClock)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const client = yield* Client.connect(server.url, { requestTimeout: 60_000 })
      const fiber = yield* Effect.fork(Effect.either(Client.request(client, { method: "slow" })))
      yield* server.assertMessageSent({ method: "slow" })
      yield* TestClock.adjust("59999 millis")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result._tag === "Left" && result.left._tag, "RequestTimeout")
      const perCall = yield* Effect.fork(Effect.either(Client.request(client, { method: "slow" }, { timeout: 10 })))
      yield* server.assertMessageSent((f) => f._tag === "Text" && f.data.includes("\"id\":2"))
      yield* TestClock.adjust("10 millis")
      const second = yield* Fiber.join(perCall)
      assert.strictEqual(second._tag === "Left" && second.left._tag, "RequestTimeout")
    }))

  it.scoped("a shorter timeout behind a longer one still fires on time, and the longer one after it (TestClock)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const client = yield* Client.connect(server.url)
      const long = yield* Effect.fork(Effect.either(Client.request(client, { method: "long" }, { timeout: 5_000 })))
      yield* server.assertMessageSent({ method: "long" })
      const short = yield* Effect.fork(Effect.either(Client.request(client, { method: "short" }, { timeout: 100 })))
      yield* server.assertMessageSent({ method: "short" })
      yield* TestClock.adjust("100 millis")
      const shortResult = yield* Fiber.join(short)
      assert.strictEqual(shortResult._tag === "Left" && shortResult.left._tag, "RequestTimeout")
      assert.isNull(long.unsafePoll())
      assert.strictEqual((yield* Client.getStateMetrics(client)).pendingRequests, 1)
      yield* TestClock.adjust("4900 millis")
      const longResult = yield* Fiber.join(long)
      assert.strictEqual(longResult._tag === "Left" && longResult.left._tag, "RequestTimeout")
    }))

  it.scopedLive("a late response after a timeout is delivered on messages as unmatched", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const client = yield* Client.connect(server.url)
      const messages = yield* client.messagesScoped
      const error = yield* failure(Client.request(client, { method: "slow", id: 41 }, { timeout: 20 }))
      assert.strictEqual(error._tag, "RequestTimeout")
      yield* server.injectMessage(JSON.stringify({ jsonrpc: "2.0", id: 41, result: "late" }))
      yield* server.injectMessage(JSON.stringify({ jsonrpc: "2.0", id: 999, result: "stray" }))
      const got = yield* messages.pipe(Stream.take(2), Stream.runCollect)
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(got).map((m) => (m as Message.Text).json),
        [{ jsonrpc: "2.0", id: 41, result: "late" }, { jsonrpc: "2.0", id: 999, result: "stray" }]
      )
    }))

  it.scopedLive("a caller id already in flight is refused and its frame is not sent", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const client = yield* Client.connect(server.url)
      yield* Effect.fork(Client.request(client, { method: "first", id: 7 }))
      yield* server.assertMessageSent({ method: "first" })
      const error = yield* failure(Client.request(client, { method: "second", id: 7 }))
      assert.strictEqual(error._tag, "DuplicateRequestId")
      yield* Client.sendMessage(client, "marker")
      yield* server.assertMessageSent("marker")
      const received = yield* server.receivedMessages
      assert.isFalse(received.some((f) => f._tag === "Text" && f.data.includes("second")))
    }))

  it.scopedLive("an interrupted request leaves nothing pending; a refused duplicate leaves the first in flight", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const client = yield* Client.connect(server.url)
      const first = yield* Effect.fork(Client.request(client, { method: "first", id: 7 }))
      yield* server.assertMessageSent({ method: "first" })
      assert.strictEqual(
        (yield* failure(Client.request(client, { method: "again", id: 7 })))._tag,
        "DuplicateRequestId"
      )
      assert.strictEqual((yield* Client.getStateMetrics(client)).pendingRequests, 1)
      yield* Fiber.interrupt(first)
      assert.strictEqual((yield* Client.getStateMetrics(client)).pendingRequests, 0)
      const second = yield* Effect.fork(Client.request(client, { method: "second", id: 7 }))
      yield* server.assertMessageSent({ method: "second" })
      yield* server.injectMessage(JSON.stringify({ jsonrpc: "2.0", id: 7, result: "for the second" }))
      assert.strictEqual(yield* Fiber.join(second), "for the second")
    }))

  it.scopedLive("pending requests fail with Disconnected when the server drops the link", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const client = yield* Client.connect(server.url, { retryDelay: 10 })
      const pending = yield* Effect.fork(Effect.either(Client.request(client, { method: "wait" })))
      yield* server.assertMessageSent({ method: "wait" })
      yield* server.simulateDisconnect("abnormal")
      const result = yield* Fiber.join(pending)
      assert.strictEqual(result._tag === "Left" && result.left._tag, "Disconnected")
      assert.strictEqual(result._tag === "Left" && result.left._tag === "Disconnected" && result.left.code, 1006)
    }))
})

describe("Client.subscribe", () => {
  it.scopedLive("sends the subscribe request and tracks only confirmed channels; an unconfirmed one fails the call", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({
        handler: (frame) => {
          const { id, params } = JSON.parse(frame.data as string)
          const confirmed = params.channels.filter((c: string) => !c.startsWith("bad"))
          return JSON.stringify({ jsonrpc: "2.0", id, result: confirmed })
        }
      })
      const client = yield* Client.connect(server.url)
      assert.isNumber(yield* Client.subscribe(client, ["ticker.ETH-PERPETUAL.100ms"]))
      const error = yield* failure(Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms", "bad.channel"]))
      assert.strictEqual(error._tag, "RpcError")
      assert.include(error._tag === "RpcError" ? error.message : "", "bad.channel")
      yield* server.assertMessageSent({
        jsonrpc: "2.0",
        method: "public/subscribe",
        params: { channels: ["ticker.BTC-PERPETUAL.100ms", "bad.channel"] }
      })
      assert.deepStrictEqual(yield* Client.subscriptions(client), [
        "ticker.ETH-PERPETUAL.100ms",
        "ticker.BTC-PERPETUAL.100ms"
      ])
    }))

  it.scopedLive("a rejected subscribe fails with the server's error and tracks nothing", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({
        handler: (frame) => {
          const { id } = JSON.parse(frame.data as string)
          return JSON.stringify({ jsonrpc: "2.0", id, error: { code: 11050, message: "bad_request" } })
        }
      })
      const client = yield* Client.connect(server.url)
      const error = yield* failure(Client.subscribe(client, ["nope"]))
      assert.strictEqual(error._tag === "RpcError" && error.code, 11050)
      assert.deepStrictEqual(yield* Client.subscriptions(client), [])
    }))

  it.scopedLive("unsubscribe sends public/unsubscribe and stops tracking", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      yield* Client.subscribe(client, ["a", "b"])
      yield* Client.unsubscribe(client, ["a"])
      yield* server.assertMessageSent({ method: "public/unsubscribe", params: { channels: ["a"] } })
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["b"])
      const invalid = yield* failure(Client.subscribe(client, []))
      assert.strictEqual(invalid._tag, "InvalidOptions")
    }))

  it.scopedLive("Client.stream yields the notifications of its channels and unsubscribes at the end", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      const notification = (channel: string, n: number) =>
        JSON.stringify({ jsonrpc: "2.0", method: "subscription", params: { channel, data: { n } } })
      const fiber = yield* Client.stream(client, ["trades.BTC"]).pipe(Stream.take(2), Stream.runCollect, Effect.fork)
      yield* server.assertMessageSent({ method: "public/subscribe" })
      yield* server.injectMessage(notification("trades.ETH", 0))
      yield* server.injectMessage(notification("trades.BTC", 1))
      yield* server.injectMessage("plain text")
      yield* server.injectMessage(notification("trades.BTC", 2))
      const got = yield* Fiber.join(fiber)
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(got).map((m) => ((m as Message.Text).json as any).params.data.n),
        [1, 2]
      )
      yield* server.assertMessageSent({ method: "public/unsubscribe", params: { channels: ["trades.BTC"] } })
    }))
})

describe("Client.close and state", () => {
  it.scopedLive("closes with 1000, fails pending requests, is idempotent and leaves every accessor safe", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const client = yield* Client.connect(server.url)
      const states = yield* client.stateChanges.pipe(Stream.take(2), Stream.runCollect, Effect.fork)
      const pending = yield* Effect.fork(Effect.either(Client.request(client, { method: "wait" })))
      yield* server.assertMessageSent({ method: "wait" })
      yield* Client.close(client)
      yield* Client.close(client)
      const result = yield* Fiber.join(pending)
      assert.strictEqual(result._tag === "Left" && result.left._tag, "Disconnected")
      assert.strictEqual(result._tag === "Left" && result.left._tag === "Disconnected" && result.left.code, 1000)
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(states)), ["connected", "disconnected"])
      assert.strictEqual(yield* Client.getState(client), "disconnected")
      assert.strictEqual(yield* server.connectionCount, 0)
      const send = yield* failure(Client.sendMessage(client, "x"))
      assert.strictEqual(send._tag === "NotConnected" && send.state, "disconnected")
      const request = yield* failure(Client.request(client, { method: "x" }))
      assert.strictEqual(request._tag, "NotConnected")
      const subscribe = yield* failure(Client.subscribe(client, ["a"]))
      assert.strictEqual(subscribe._tag, "NotConnected")
      assert.strictEqual(Chunk.size(yield* Stream.runCollect(client.messages)), 0)
      assert.deepStrictEqual(yield* Client.subscriptions(client), [])
    }))

  it.scopedLive("the events stream ends with Closed", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      const events = yield* client.eventsScoped
      const fiber = yield* events.pipe(Stream.runCollect, Effect.fork)
      yield* Client.close(client)
      const tags = Chunk.toReadonlyArray(yield* Fiber.join(fiber)).map((e) => e._tag)
      assert.deepStrictEqual(tags, ["Closed"])
    }))

  it.scopedLive("closing the scope closes the client: the server sees no connection", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* Effect.scoped(Client.connect(server.url))
      assert.strictEqual(yield* server.totalConnections, 1)
      assert.strictEqual(yield* server.connectionCount, 0)
    }))
})

describe("Client layers", () => {
  it.scopedLive("Client.layer and Client.layerConfig provide a connected client", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const viaLayer = Effect.gen(function*() {
        const client = yield* Client.Client
        return yield* Client.request(client, { method: "public/test" })
      })
      const a = yield* viaLayer.pipe(Effect.provide(Client.layer(server.url)))
      assert.deepStrictEqual(a, { version: "mock" })
      const config = Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["FEED_URL", server.url]])))
      const b = yield* viaLayer.pipe(
        Effect.provide(Client.layerConfig(Config.string("FEED_URL")).pipe(Layer.provide(config)))
      )
      assert.deepStrictEqual(b, { version: "mock" })
      assert.strictEqual(yield* server.connectionCount, 0)
    }))

  it.scopedLive("Testing.layerClient swaps in a client connected to the mock server", () =>
    Effect.gen(function*() {
      const result = yield* Effect.gen(function*() {
        const client = yield* Client.Client
        const server = yield* Testing.MockServer
        yield* Client.sendMessage(client, "from app")
        return yield* server.assertMessageSent("from app")
      }).pipe(Effect.provide(Testing.layerClient().pipe(Layer.provideMerge(Testing.layer()))))
      assert.strictEqual(result.data, "from app")
    }))
})

describe("handshake failures over raw TCP", () => {
  const rawServer = (reply: (key: string) => string) =>
    Effect.acquireRelease(
      Effect.async<Net.Server>((resume) => {
        const server = Net.createServer((socket) => {
          socket.once("data", (data) => {
            const key = /sec-websocket-key: (.+)\r\n/i.exec(data.toString())?.[1] ?? ""
            socket.end(reply(key))
          })
          socket.on("error", () => {})
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) => Effect.sync(() => server.close())
    )

  it.scopedLive("a 101 with a wrong Sec-WebSocket-Accept is a protocol error, not a timeout", () =>
    Effect.gen(function*() {
      const server = yield* rawServer(() =>
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: bogus\r\n\r\n"
      )
      const port = (server.address() as Net.AddressInfo).port
      const error = yield* failure(Client.connect(`ws://127.0.0.1:${port}`, { retryCount: 0 }))
      assert.strictEqual(error._tag === "ConnectError" && error.reason, "protocol")
      assert.include(String((error as { cause: Error }).cause), "Sec-WebSocket-Accept")
    }))

  it.scopedLive("a connection reset during the handshake is a network error", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.async<Net.Server>((resume) => {
          const s = Net.createServer((socket) => socket.once("data", () => socket.resetAndDestroy()))
          s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
        }),
        (s) => Effect.sync(() => s.close())
      )
      const port = (server.address() as Net.AddressInfo).port
      const error = yield* failure(Client.connect(`ws://127.0.0.1:${port}`, { retryCount: 0 }))
      assert.strictEqual(error._tag === "ConnectError" && error.reason, "network")
      assert.strictEqual((error as { cause: { code: string } }).cause.code, "ECONNRESET")
    }))
})
