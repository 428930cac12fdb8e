/**
 * Telemetry true to the wire (issue 13 item 4): every frame that went out is counted with its kind, the events carry
 * sizes, the redacted URL, the heartbeat measurements and the rate limiter's pressure, and the number of metric
 * series stays flat as clients come and go.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { AddressInfo } from "node:net"
import { WebSocketServer } from "ws"
import * as Client from "../src/Client.js"
import * as RateLimiter from "../src/RateLimiter.js"
import * as Telemetry from "../src/Telemetry.js"
import * as Testing from "../src/Testing.js"

let n = 0
const freshId = () => `wire-${++n}-${Math.random().toString(36).slice(2, 8)}`

const sentOf = (id: string, kind: Telemetry.FrameKind) =>
  Effect.map(
    Metric.value(Telemetry.messageSent.pipe(Metric.tagged("client_id", id), Metric.tagged("kind", kind))),
    (s) => s.count
  )

const awaitConnected = (client: Client.Client) =>
  client.stateChanges.pipe(Stream.filter((s) => s === "connected"), Stream.take(1), Stream.runDrain)

describe("message_sent counts every outbound frame, by kind", () => {
  it.scopedLive("messages, requests, subscribes, heartbeats and restore frames: the counts match what the server got", () =>
    Effect.gen(function*() {
      const id = freshId()
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, {
        id,
        retryDelay: 5,
        jitter: false,
        heartbeatConfig: {
          type: "custom",
          message: "ping",
          interval: 40,
          isResponse: (m) => m._tag === "Text" && m.data === "pong"
        }
      })
      yield* Client.sendMessage(client, "hello")
      yield* Client.request(client, { method: "public/test" })
      yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
      yield* Effect.sleep("100 millis") // a few heartbeats
      yield* server.simulateDisconnect(4001)
      yield* server.awaitConnections(2)
      yield* awaitConnected(client)
      yield* Client.close(client)

      const frames = (yield* server.receivedMessages).filter((f) => f._tag === "Text").map((f) => f.data as string)
      const expected: Record<Telemetry.FrameKind, number> = {
        message: frames.filter((f) => f === "hello").length,
        request: frames.filter((f) => f.includes("public/test")).length,
        subscribe: frames.filter((f) => f.includes("public/subscribe") && f.includes("\"id\":")).length - 1,
        heartbeat: frames.filter((f) => f === "ping").length,
        restore: 1 // the re-subscribe on the second connection
      }
      assert.strictEqual(expected.message, 1)
      assert.strictEqual(expected.request, 1)
      assert.strictEqual(expected.subscribe, 1)
      assert.isAtLeast(expected.heartbeat, 1)
      for (const kind of Telemetry.frameKinds) {
        assert.strictEqual(yield* sentOf(id, kind), expected[kind], kind)
      }
      let total = 0
      for (const kind of Telemetry.frameKinds) total += yield* sentOf(id, kind)
      assert.strictEqual(total, frames.length)
    }))

  it.scopedLive("with a Telemetry service: one message_sent event per frame, with its kind and size, in wire order", () =>
    Effect.gen(function*() {
      const id = freshId()
      const server = yield* Testing.startMockServer()
      const events = yield* Effect.scoped(Effect.gen(function*() {
        const telemetry = yield* Telemetry.Telemetry
        const queue = yield* telemetry.subscribe
        const client = yield* Client.connect(server.url, { id })
        yield* Client.sendMessage(client, "héllo")
        yield* Client.request(client, { method: "public/test" })
        yield* Client.subscribe(client, ["a.b"])
        yield* Client.close(client)
        return Chunk.toReadonlyArray(yield* queue.takeAll)
      })).pipe(Effect.provide(Telemetry.layer))
      const sent = events.filter((e) => e.name === Telemetry.names.messageSent)
      const frames = (yield* server.receivedMessages).map((f) => f.data as string)
      assert.deepStrictEqual(sent.map((e) => e.metadata.kind), ["message", "request", "subscribe"])
      assert.deepStrictEqual(sent.map((e) => e.measurements.size), frames.map((f) => Buffer.byteLength(f)))
      assert.deepStrictEqual(sent.map((e) => e.measurements.bytes), frames.map((f) => Buffer.byteLength(f)))
      assert.strictEqual(sent[0]!.measurements.size, 6) // "héllo" is 6 bytes of UTF-8
      // the request's completion comes after its frame
      const requestFrame = events.findIndex((e) =>
        e.name === Telemetry.names.messageSent && e.metadata.kind === "request"
      )
      const completed = events.findIndex((e) => e.name === Telemetry.names.request)
      assert.isAtLeast(requestFrame, 0)
      assert.isBelow(requestFrame, completed)
    }))
})

describe("message_received counts every inbound data frame", () => {
  it.scopedLive("answers to requests count, even when no frame for the readers follows them", () =>
    Effect.gen(function*() {
      const id = freshId()
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { id })
      yield* Client.request(client, { method: "public/test" })
      yield* Client.request(client, { method: "public/get_time" })
      const received = Metric.value(Telemetry.messageReceived.pipe(Metric.tagged("client_id", id)))
      // the answers were read (the requests resolved): counted at the end of their turn, without a close
      for (let i = 0; i < 200 && (yield* received).count < 2; i++) yield* Effect.sleep("5 millis")
      assert.strictEqual((yield* received).count, 2)
      yield* Client.close(client)
      assert.strictEqual((yield* received).count, 2)
    }))
})

describe("a heartbeat ping counts only when it goes out", () => {
  it.scopedLive("a peer slow to finish the close handshake: the pings of the closing socket are neither sent nor counted", () =>
    Effect.gen(function*() {
      let pings = 0
      const server = new WebSocketServer({ host: "127.0.0.1", port: 0 })
      yield* Effect.addFinalizer(() => Effect.async<void>((resume) => server.close(() => resume(Effect.void))))
      yield* Effect.async<void>((resume) => {
        server.on("listening", () => resume(Effect.void))
      })
      const closing = Effect.runSync(Deferred.make<void>())
      server.on("connection", (socket) => {
        socket.on("ping", () => {
          pings++
          if (pings !== 3) return
          // the server closes, then reads nothing for a while: the client's socket stays CLOSING meanwhile
          socket.close(4001, "maintenance")
          socket.pause()
          Effect.runFork(Deferred.succeed(closing, undefined))
          setTimeout(() => socket.resume(), 300)
        })
      })
      const id = freshId()
      const client = yield* Client.connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, {
        id,
        retryCount: 0,
        closeTimeout: 2_000,
        heartbeatConfig: { type: "ping", interval: 10, maxMissed: 1_000 }
      })
      yield* Deferred.await(closing)
      yield* client.stateChanges.pipe(Stream.filter((s) => s !== "connected"), Stream.take(1), Stream.runDrain)
      yield* Client.close(client)
      // every ping the client wrote before its close reply was read by the server once it resumed
      assert.isAtLeast(pings, 3)
      assert.strictEqual(yield* sentOf(id, "heartbeat"), pings)
    }))
})

describe("rate_limiter.pressure", () => {
  it.scoped("a limiter in a client's send path emits each level change and sets the gauges (nothing emitted by hand)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const levels = yield* Effect.scoped(Effect.gen(function*() {
        const telemetry = yield* Telemetry.Telemetry
        const queue = yield* telemetry.subscribe
        const limiter = yield* RateLimiter.make({ capacity: 4, refillRate: 4, refillInterval: 1000 })
        const client = yield* Client.connect(server.url).pipe(Effect.provideService(RateLimiter.RateLimiter, limiter))
        for (const frame of ["a", "b", "c", "d"]) yield* Client.sendMessage(client, frame) // 4 of 4 tokens in use
        yield* Effect.yieldNow()
        assert.strictEqual(
          (yield* Metric.value(Telemetry.rateLimiterPressure)).value,
          Telemetry.pressureLevels.critical
        )
        yield* TestClock.adjust("1 second") // the refill: back to low, seen by the watcher
        yield* Effect.yieldNow()
        assert.strictEqual((yield* Metric.value(Telemetry.rateLimiterPressure)).value, Telemetry.pressureLevels.low)
        yield* Client.close(client)
        const events = Chunk.toReadonlyArray(yield* queue.takeAll)
        return events.filter((e) => e.name === Telemetry.names.pressure).map((e) => e.measurements.level)
      })).pipe(Effect.provide(Telemetry.layer))
      const { critical, high, low, medium } = Telemetry.pressureLevels
      assert.deepStrictEqual(levels, [medium, high, critical, low])
    }))

  it.scoped("without a Telemetry service the gauges follow the level too", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ capacity: 10, refillRate: 10, refillInterval: 1000, maxQueue: 5 })
      yield* limiter.acquire(6)
      assert.strictEqual((yield* Metric.value(Telemetry.rateLimiterPressure)).value, Telemetry.pressureLevels.high)
      const waiting = yield* Effect.fork(limiter.acquire(6))
      yield* TestClock.adjust(0)
      assert.strictEqual((yield* Metric.value(Telemetry.rateLimiterPressure)).value, Telemetry.pressureLevels.critical)
      assert.strictEqual((yield* Metric.value(Telemetry.rateLimiterQueueSize)).value, 1)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(waiting)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Metric.value(Telemetry.rateLimiterPressure)).value, Telemetry.pressureLevels.low)
    }))
})
