import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import * as Client from "../src/Client.js"
import type * as Message from "../src/Message.js"
import * as Testing from "../src/Testing.js"
import { awaitSleeps } from "./utils/clock.js"
import { recordEvents } from "./utils/events.js"
import { badFrame, closeFrame, startMisbehaving } from "./utils/misbehaving.js"

const backoffOf = (options: Client.Options, outages = 4) =>
  Effect.gen(function*() {
    const server = yield* Testing.startMockServer()
    const client = yield* Client.connect(server.url, options)
    const events = yield* recordEvents(client)
    yield* TestClock.adjust("10 seconds")
    yield* server.refuseConnections(true)
    yield* server.simulateDisconnect("abnormal")
    const delays: Array<number> = []
    for (let i = 0; i < outages; i++) {
      const reconnecting = yield* events.next("Reconnecting")
      delays.push(reconnecting.delayMs)
      yield* awaitSleeps(1)
      yield* TestClock.adjust(reconnecting.delayMs)
    }
    return { server, client, events, delays }
  })

describe("reconnect schedule (TestClock)", () => {
  it.scoped("exponential from retryDelay, capped at maxBackoff, retryCount retries, then GaveUp", () =>
    Effect.gen(function*() {
      const { client, delays, events } = yield* backoffOf({
        retryDelay: 1000,
        maxBackoff: 5000,
        retryCount: 4,
        jitter: false
      })
      assert.deepStrictEqual(delays, [1000, 2000, 4000, 5000])
      const gaveUp = yield* events.next("GaveUp")
      assert.strictEqual(gaveUp.attempts, 4)
      assert.strictEqual(yield* Client.getState(client), "disconnected")
      const send = yield* Effect.flip(Client.sendMessage(client, "x"))
      assert.strictEqual(send._tag === "NotConnected" && send.state, "disconnected")
      const request = yield* Effect.flip(Client.request(client, { method: "x" }))
      assert.strictEqual(request._tag, "NotConnected")
    }))

  it.scoped("jitter spreads every delay (cap included) within ±20 %", () =>
    Effect.gen(function*() {
      const { delays } = yield* backoffOf({ retryDelay: 1000, maxBackoff: 4000, retryCount: 5 }, 5).pipe(
        Effect.withRandom(Random.make("zen"))
      )
      const base = [1000, 2000, 4000, 4000, 4000]
      delays.forEach((delay, i) => {
        assert.isAtLeast(delay, base[i] * 0.8, `delay ${i}`)
        assert.isAtMost(delay, base[i] * 1.2, `delay ${i}`)
      })
      assert.notDeepEqual(delays, base)
      assert.strictEqual(new Set(delays.slice(2)).size, 3, "delays at the cap are spread too")
    }))

  it.scoped("the backoff starts over only after the link stayed up", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { retryDelay: 1000, jitter: false, retryCount: 10 })
      const events = yield* recordEvents(client)
      const dropAndReconnect = Effect.gen(function*() {
        yield* server.simulateDisconnect("abnormal")
        const reconnecting = yield* events.next("Reconnecting")
        yield* awaitSleeps(1)
        yield* TestClock.adjust(reconnecting.delayMs)
        yield* events.next("Connected")
        return reconnecting
      })
      yield* TestClock.adjust("10 seconds")
      const first = yield* dropAndReconnect
      const flapping = yield* dropAndReconnect
      yield* TestClock.adjust("10 seconds")
      const afterStable = yield* dropAndReconnect
      assert.deepStrictEqual([first.delayMs, flapping.delayMs, afterStable.delayMs], [1000, 2000, 1000])
      assert.deepStrictEqual([first.attempt, flapping.attempt, afterStable.attempt], [1, 1, 1])
      assert.strictEqual((yield* Client.getStateMetrics(client)).reconnects, 3)
    }))

  it.scoped("reconnectSchedule replaces the derived schedule", () =>
    Effect.gen(function*() {
      const { delays } = yield* backoffOf({ reconnectSchedule: Schedule.spaced("250 millis") }, 3)
      assert.deepStrictEqual(delays, [250, 250, 250])
    }))
})

describe("reconnect decisions", () => {
  it.scopedLive("re-evaluates the URL effect on every attempt", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const counter = yield* Ref.make(0)
      const url = Effect.map(Ref.updateAndGet(counter, (n) => n + 1), (n) => `${server.url}?sig=${n}`)
      const client = yield* Client.connect(url, { retryDelay: 5, jitter: false })
      const events = yield* recordEvents(client)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Connected")
      const urls = (yield* server.upgradeRequests).map((r) => r.url)
      assert.deepStrictEqual(urls, ["/ws?sig=1", "/ws?sig=2"])
    }))

  it.scopedLive("shouldReconnect is honoured: a refused close ends the client, sends fail fast", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, {
        retryDelay: 5,
        shouldReconnect: (cause) => !(cause as { code?: number }).code || (cause as { code: number }).code !== 4001
      })
      const events = yield* recordEvents(client)
      yield* server.simulateDisconnect(4001, "kicked")
      const disconnected = yield* events.next("Disconnected")
      assert.strictEqual(disconnected.code, 4001)
      assert.strictEqual(disconnected.reason, "kicked")
      yield* events.next("GaveUp")
      assert.strictEqual(yield* Client.getState(client), "disconnected")
      assert.strictEqual(yield* server.totalConnections, 1)
      const error = yield* Effect.flip(Client.sendMessage(client, "x"))
      assert.strictEqual(error._tag, "NotConnected")
    }))

  it.scopedLive("reconnectOnError: false never reconnects", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { reconnectOnError: false })
      const events = yield* recordEvents(client)
      yield* server.simulateDisconnect("going_away")
      yield* events.next("GaveUp")
      assert.strictEqual(yield* server.totalConnections, 1)
    }))

  it.scopedLive("a listener that never upgrades is retried with growing backoff, then given up", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* server.stallHandshake(true)
      const error = yield* Effect.flip(
        Client.connect(server.url, { timeout: 40, retryDelay: 10, jitter: false, retryCount: 2 })
      )
      assert.strictEqual(error._tag === "ConnectError" && error.reason, "max-attempts")
      assert.strictEqual((error as { cause: { reason: string } }).cause.reason, "timeout")
      assert.lengthOf(yield* server.upgradeRequests, 3)
      // after a drop too: each attempt times out, the delays grow, and the client gives up
      yield* server.stallHandshake(false)
      const client = yield* Client.connect(server.url, { timeout: 40, retryDelay: 10, jitter: false, retryCount: 3 })
      const events = yield* recordEvents(client)
      yield* server.stallHandshake(true)
      yield* server.simulateDisconnect("abnormal")
      const delays = [yield* events.next("Reconnecting"), yield* events.next("Reconnecting")]
      const gaveUp = yield* events.next("GaveUp")
      assert.deepStrictEqual(delays.map((d) => d.delayMs), [10, 20])
      assert.strictEqual(gaveUp.attempts, 3)
      assert.strictEqual((gaveUp.cause as { reason: string }).reason, "timeout")
    }))

  it.scopedLive("one close gives exactly one reconnect (no stale timer starts another)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { timeout: 100, retryDelay: 5, jitter: false })
      const events = yield* recordEvents(client)
      yield* server.simulateDisconnect("normal")
      yield* events.next("Connected")
      yield* Effect.sleep("250 millis") // longer than `timeout`: a stale attempt timer would have fired by now
      assert.strictEqual(yield* server.totalConnections, 2)
      assert.strictEqual(yield* server.connectionCount, 1)
      const tags = (yield* events.all).map((e) => e._tag)
      assert.deepStrictEqual(tags, ["Disconnected", "Reconnecting", "Connecting", "Connected"])
    }))

  it.scopedLive("close stops reconnecting for good: no zombie socket reaches the server", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { retryDelay: 20, jitter: false, retryCount: Infinity })
      const events = yield* recordEvents(client)
      yield* server.refuseConnections(true)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Reconnecting")
      yield* Client.close(client)
      yield* server.refuseConnections(false)
      yield* Effect.sleep("150 millis")
      assert.strictEqual(yield* server.totalConnections, 1)
      assert.strictEqual(yield* server.connectionCount, 0)
      assert.strictEqual(yield* Client.getState(client), "disconnected")
    }))
})

describe("restore after reconnect", () => {
  it.scopedLive("server restart: reconnect, subscriptions restored, frames flow again", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { retryDelay: 10, jitter: false, retryCount: Infinity })
      const events = yield* recordEvents(client)
      yield* Client.subscribe(client, ["ticker.BTC", "trades.ETH"])
      yield* server.clearReceived
      yield* server.restart
      const restored = yield* events.next("SubscriptionsRestored")
      assert.deepStrictEqual([...restored.restored].sort(), ["ticker.BTC", "trades.ETH"])
      assert.deepStrictEqual(restored.rejected, [])
      yield* server.assertMessageSent({
        method: "public/subscribe",
        params: { channels: ["ticker.BTC", "trades.ETH"] }
      })
      yield* events.next("Connected")
      assert.strictEqual((yield* Client.getStateMetrics(client)).reconnects, 1)
      const messages = yield* client.messagesScoped
      yield* server.injectMessage("after restart")
      const first = yield* messages.pipe(Stream.take(1), Stream.runCollect)
      assert.strictEqual((Chunk.unsafeHead(first) as Message.Text).data, "after restart")
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))

  it.scopedLive("channels the server no longer confirms are dropped and reported", () =>
    Effect.gen(function*() {
      const allowed = yield* Ref.make(new Set(["a", "b"]))
      const server = yield* Testing.startMockServer({
        handler: (frame) =>
          Effect.map(Ref.get(allowed), (ok) => {
            const { id, params } = JSON.parse(frame.data as string)
            return JSON.stringify({ jsonrpc: "2.0", id, result: params.channels.filter((c: string) => ok.has(c)) })
          })
      })
      const client = yield* Client.connect(server.url, { retryDelay: 5, jitter: false })
      const events = yield* recordEvents(client)
      yield* Client.subscribe(client, ["a", "b"])
      yield* Ref.set(allowed, new Set(["a"]))
      yield* server.simulateDisconnect("abnormal")
      const restored = yield* events.next("SubscriptionsRestored")
      assert.deepStrictEqual(restored.restored, ["a"])
      assert.deepStrictEqual(restored.rejected.map((r) => r.channel), ["b"])
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["a"])
    }))

  it.scopedLive("order on every connection: restore hooks → subscriptions → offline queue → connected", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const hookRuns = yield* Ref.make(0)
      const client = yield* Client.connect(server.url, {
        retryDelay: 10,
        maxBackoff: 20,
        jitter: false,
        retryCount: Infinity,
        offlineQueue: { capacity: 2, strategy: "dropOldest" },
        restoreHooks: [(session) =>
          Effect.zipRight(
            Ref.update(hookRuns, (n) => n + 1),
            session.request({ method: "public/auth", params: { grant_type: "client_credentials" } })
          )]
      })
      const events = yield* recordEvents(client)
      yield* Client.subscribe(client, ["book.BTC"])
      yield* server.refuseConnections(true)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Reconnecting")
      const q1 = yield* Effect.fork(Effect.either(Client.sendMessage(client, "q1")))
      yield* Effect.yieldNow()
      const q2 = yield* Effect.fork(Effect.either(Client.sendMessage(client, "q2")))
      yield* Effect.yieldNow()
      const q3 = yield* Effect.fork(Effect.either(Client.sendMessage(client, "q3")))
      const evicted = yield* Fiber.join(q1)
      assert.isTrue(Either.isLeft(evicted))
      assert.strictEqual(Either.isLeft(evicted) && evicted.left._tag, "OfflineQueueFull")
      assert.strictEqual((yield* Client.getStateMetrics(client)).queuedSends, 2)
      yield* server.clearReceived
      yield* server.refuseConnections(false)
      assert.isTrue(Either.isRight(yield* Fiber.join(q2)))
      assert.isTrue(Either.isRight(yield* Fiber.join(q3)))
      yield* server.assertMessageSent("q3")
      const order = (yield* server.receivedMessages).map((f) => {
        const text = f.data as string
        return text.startsWith("{") ? JSON.parse(text).method : text
      })
      assert.deepStrictEqual(order, ["public/auth", "public/subscribe", "q2", "q3"])
      assert.strictEqual(yield* Ref.get(hookRuns), 2)
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))

  it.scopedLive("offline queue with strategy fail refuses the send that does not fit", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, {
        retryDelay: 10,
        maxBackoff: 20,
        retryCount: Infinity,
        offlineQueue: { capacity: 1, strategy: "fail" }
      })
      const events = yield* recordEvents(client)
      yield* server.refuseConnections(true)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Reconnecting")
      const first = yield* Effect.fork(Client.sendMessage(client, "fits"))
      yield* Effect.yieldNow()
      const refused = yield* Effect.flip(Client.sendMessage(client, "does not fit"))
      assert.strictEqual(refused._tag === "OfflineQueueFull" && refused.evicted, false)
      yield* server.refuseConnections(false)
      yield* Fiber.join(first)
      yield* server.assertMessageSent("fits")
    }))

  it.scopedLive("without an offline queue, sends during an outage fail fast with NotConnected", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { retryDelay: 50, retryCount: Infinity })
      const events = yield* recordEvents(client)
      yield* server.refuseConnections(true)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Reconnecting")
      const error = yield* Effect.flip(Client.sendMessage(client, "x"))
      assert.strictEqual(error._tag === "NotConnected" && error.state, "connecting")
      assert.strictEqual(yield* Client.getState(client), "connecting", "the state during the backoff wait")
    }))
})

/**
 * The invariants of a recovery against the plain mock server: `Connected` only for a link that is live and restored,
 * once; a failed restore retried, never dropped; `subscriptions()` what the server holds.
 */
describe("recovery invariants (plain mock server)", () => {
  /** Answers JSON-RPC like the default handler; `onSubscribe` says what becomes of a subscribe on a connection. */
  const serverWith = (onSubscribe: (connection: Testing.MockConnection) => "answer" | "ignore" | "drop") =>
    Testing.startMockServer({
      handler: (frame, connection) => {
        const { id, method, params } = JSON.parse(frame.data as string)
        if (method === "public/subscribe") {
          const fate = onSubscribe(connection)
          if (fate === "drop") return connection.terminate()
          if (fate === "ignore") return undefined
        }
        return JSON.stringify({ jsonrpc: "2.0", id, result: params?.channels ?? { method } })
      }
    })

  const options: Client.Options = { retryDelay: 10, maxBackoff: 20, jitter: false, retryCount: Infinity }

  it.scopedLive("a link that dies during its restore is never published Connected: the next one is, once", () =>
    Effect.gen(function*() {
      const server = yield* serverWith((connection) => connection.id === 2 ? "drop" : "answer")
      const client = yield* Client.connect(server.url, options)
      yield* Client.subscribe(client, ["a"])
      const events = yield* recordEvents(client)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Connected")
      assert.strictEqual(yield* server.totalConnections, 3, "Connected came for the third connection, restored")
      const restored = (yield* server.receivedMessages).filter((f) => f.connectionId === 3)
      assert.include(restored[0]?.data as string, "public/subscribe")
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["a"])
      assert.strictEqual((yield* events.all).filter((e) => e._tag === "Connected").length, 1)
    }))

  it.scopedLive("a restore request that gets no answer fails the attempt, which is retried", () =>
    Effect.gen(function*() {
      const server = yield* serverWith((connection) => connection.id === 2 ? "ignore" : "answer")
      const client = yield* Client.connect(server.url, { ...options, requestTimeout: 300 })
      yield* Client.subscribe(client, ["a"])
      const events = yield* recordEvents(client)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Connected")
      assert.strictEqual(yield* server.totalConnections, 3, "not Connected on the link whose restore went unanswered")
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["a"])
      assert.strictEqual((yield* events.all).filter((e) => e._tag === "Connected").length, 1)
    }))

  it.scopedLive("with restoreSubscriptions off, subscriptions() is empty once the link is gone", () =>
    Effect.gen(function*() {
      const server = yield* serverWith(() => "answer")
      const client = yield* Client.connect(server.url, { ...options, restoreSubscriptions: false })
      yield* Client.subscribe(client, ["a"])
      const events = yield* recordEvents(client)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Connected")
      assert.deepStrictEqual(yield* Client.subscriptions(client), [], "the server holds nothing on the new link")
    }))
})

describe("heartbeats over real sockets", () => {
  it.scoped("a half-open server is detected after interval × (maxMissed + 1) and the client recovers", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, {
        heartbeatConfig: { type: "ping", interval: 1000, maxMissed: 2 },
        retryDelay: 100,
        jitter: false
      })
      const events = yield* recordEvents(client)
      yield* server.goSilent(true)
      yield* awaitSleeps(1)
      yield* TestClock.adjust("2999 millis")
      const missed = (yield* events.all).filter((e) => e._tag === "HeartbeatMissed")
      assert.lengthOf(missed, 1)
      assert.strictEqual(yield* Client.getState(client), "connected")
      yield* TestClock.adjust("1 millis")
      const disconnected = yield* events.next("Disconnected")
      assert.strictEqual((disconnected.cause as { _tag: string })._tag, "HeartbeatTimeout")
      yield* server.goSilent(false)
      const reconnecting = yield* events.next("Reconnecting")
      yield* awaitSleeps(1)
      yield* TestClock.adjust(reconnecting.delayMs)
      yield* events.next("Connected")
      yield* Client.sendMessage(client, "alive again")
      yield* server.assertMessageSent("alive again")
    }))

  it.scoped("pings answered by the server keep the link up and give an RTT", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { heartbeatConfig: { type: "ping", interval: 1000 } })
      const events = yield* recordEvents(client)
      for (let i = 0; i < 5; i++) {
        yield* awaitSleeps(1)
        yield* TestClock.adjust("1 second")
        yield* TestServices.provideLive(Effect.sleep("10 millis"))
      }
      assert.isAtLeast(yield* server.pingsReceived, 4)
      assert.strictEqual(yield* Client.getState(client), "connected")
      assert.isFalse((yield* events.all).some((e) => e._tag === "Disconnected"))
    }))

  it.scopedLive("deribit: test_request is answered with public/test and heartbeat frames never reach messages", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { heartbeatConfig: { type: "deribit", interval: 10_000 } })
      const messages = yield* client.messagesScoped
      yield* server.injectMessage(
        JSON.stringify({ jsonrpc: "2.0", method: "heartbeat", params: { type: "test_request" } })
      )
      yield* server.assertMessageSent({ method: "public/test" })
      yield* server.injectMessage("after")
      const first = yield* messages.pipe(Stream.take(1), Stream.runCollect)
      assert.strictEqual((Chunk.unsafeHead(first) as Message.Text).data, "after")
    }))

  it.scoped("deribit: a quiet link survives 10 intervals: the heartbeat sends public/test itself (regression)", () =>
    Effect.gen(function*() {
      // the mock server answers every JSON-RPC request; it never sends a heartbeat of its own
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { heartbeatConfig: { type: "deribit", interval: "10 seconds" } })
      const events = yield* recordEvents(client)
      const delivered: Array<Message.Message> = []
      yield* (yield* client.messagesScoped).pipe(
        Stream.runForEach((m) => Effect.sync(() => delivered.push(m))),
        Effect.forkScoped
      )
      const frames = () => Effect.map(Client.getStateMetrics(client), (m) => m.inboundFrames)
      yield* server.assertMessageSent({ method: "public/set_heartbeat", params: { interval: 10 } })
      const waitFrames = (n: number) =>
        frames().pipe(
          Effect.repeat({ until: (f) => f >= n, schedule: Schedule.spaced("2 millis") }),
          TestServices.provideLive
        )
      yield* waitFrames(1) // the answer to set_heartbeat
      // 15 intervals: a public/test of ours after each 1.5 intervals of silence, answered
      for (let i = 1; i <= 10; i++) {
        yield* awaitSleeps(1)
        yield* TestClock.adjust("15 seconds")
        yield* waitFrames(1 + i) // the answer to our public/test
      }
      const probes = (yield* server.receivedMessages).filter((f) => String(f.data).includes("public/test"))
      assert.strictEqual(probes.length, 10)
      assert.isFalse((yield* events.all).some((e) => e._tag === "Disconnected" || e._tag === "HeartbeatMissed"))
      assert.strictEqual(yield* Client.getState(client), "connected")
      assert.strictEqual(yield* server.totalConnections, 1)
      assert.deepStrictEqual(delivered, [], "the heartbeat's answers never reach messages")
    }))

  it.scopedLive("empty-payload pings and a close frame without a code break nothing", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({
        handler: (frame, connection) => {
          if (frame.data === "close-without-code") connection.close()
          return undefined
        }
      })
      const client = yield* Client.connect(server.url, {
        heartbeatConfig: { type: "pong", interval: 5_000 },
        retryDelay: 5,
        jitter: false
      })
      const events = yield* recordEvents(client)
      yield* server.pingClients("")
      yield* server.pingClients()
      yield* Client.sendMessage(client, "close-without-code")
      const disconnected = yield* events.next("Disconnected")
      assert.strictEqual(disconnected.code, 1005)
      yield* events.next("Connected")
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))
})

describe("outbound backpressure", () => {
  it.scopedLive(
    "sends wait while the socket has more than outbound.highWaterMark buffered",
    () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
        const client = yield* Client.connect(server.url, { outbound: { highWaterMark: 256 * 1024 } })
        yield* server.goSilent(true) // the server stops reading: TCP buffers fill, then ws buffers in userland
        const frame = "x".repeat(1024 * 1024)
        const sender = yield* Effect.fork(
          Effect.forEach(Array.from({ length: 32 }), () => Client.sendMessage(client, frame))
        )
        yield* Effect.sleep("200 millis")
        assert.isNull(sender.unsafePoll(), "a send waits instead of buffering 32 MiB")
        yield* server.goSilent(false)
        yield* Fiber.join(sender)
        yield* server.assertMessageSent((f) => f._tag === "Text" && f.data.length === frame.length, 5_000)
      }),
    20_000
  )
})

describe("inbound backpressure", () => {
  it.scopedLive(
    "suspend: a stalled consumer pauses the socket instead of buffering the blast",
    () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const client = yield* Client.connect(server.url, { inbound: { bufferSize: 64, strategy: "suspend" } })
        const messages = yield* client.messagesScoped // subscribed, but nobody pulls yet
        const frame = "x".repeat(16 * 1024)
        const total = 3000 // 48 MiB
        for (let i = 0; i < total; i++) yield* server.injectMessage(`${i}:${frame}`)
        yield* Effect.sleep("200 millis")
        const stalled = yield* Client.getStateMetrics(client)
        assert.isTrue(stalled.paused, "reading is paused")
        assert.isBelow(stalled.inboundFrames, 1000, "the rest waits in TCP buffers, not in our memory")
        const received = yield* messages.pipe(
          Stream.take(total),
          Stream.map((m) => Number((m as Message.Text).data.slice(0, (m as Message.Text).data.indexOf(":")))),
          Stream.runCollect
        )
        assert.deepStrictEqual(Chunk.toReadonlyArray(received), Array.from({ length: total }, (_, i) => i))
        assert.isFalse((yield* Client.getStateMetrics(client)).paused)
      }),
    20_000
  )

  it.scopedLive("dropping: a slow consumer loses the newest frames, the socket keeps reading", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { inbound: { bufferSize: 16, strategy: "dropping" } })
      const messages = yield* client.messagesScoped
      for (let i = 0; i < 200; i++) yield* server.injectMessage(String(i))
      yield* server.injectMessage("end")
      yield* Effect.sleep("100 millis")
      const metrics = yield* Client.getStateMetrics(client)
      assert.isFalse(metrics.paused)
      assert.strictEqual(metrics.inboundFrames, 201)
      const got = yield* messages.pipe(Stream.take(16), Stream.runCollect)
      assert.deepStrictEqual(Chunk.toReadonlyArray(got).map((m) => (m as Message.Text).data)[0], "0")
    }))
})

describe("a close handshake never outlasts closeTimeout", () => {
  const peerIgnoresOurClose = (reply: Buffer, expectedCode: number) =>
    Effect.gen(function*() {
      const server = yield* startMisbehaving(reply)
      // closeTimeout defaults to 1 s
      const client = yield* Client.connect(server.url, { retryDelay: 10, jitter: false })
      const events = yield* recordEvents(client)
      yield* Client.sendMessage(client, "trigger")
      // ws waited 30 s for the peer to close the TCP connection: the client stayed "connected" all that time
      const disconnected = yield* events.next("Disconnected").pipe(Effect.timeout("5 seconds"))
      assert.strictEqual(disconnected.code, expectedCode)
      yield* events.next("Connected").pipe(Effect.timeout("5 seconds"))
      assert.strictEqual(server.connections(), 2, "the normal reconnect ran")
      assert.strictEqual(yield* Client.getState(client), "connected")
    })

  it.scopedLive("a peer that sends a close frame and then ignores ours", () =>
    peerIgnoresOurClose(closeFrame(1001), 1001))

  it.scopedLive("a peer that sends a bad frame and then ignores our close", () => peerIgnoresOurClose(badFrame, 1002))

  it.scopedLive("our own close against a peer that never answers it ends within closeTimeout", () =>
    Effect.gen(function*() {
      const server = yield* startMisbehaving(Buffer.alloc(0))
      const client = yield* Client.connect(server.url, { closeTimeout: 100 })
      yield* Client.sendMessage(client, "trigger")
      const closed = yield* Client.close(client).pipe(Effect.timeout("5 seconds"), Effect.option)
      assert.isTrue(closed._tag === "Some", "Client.close waited for a close frame that never came")
      assert.strictEqual(yield* Client.getState(client), "disconnected")
    }))
})

describe("a slow consumer never gets a live link declared dead (TestClock)", () => {
  /** Waits, in real time, until the client paused reading for backpressure. */
  const awaitPaused = (client: Client.Client) =>
    Client.getStateMetrics(client).pipe(
      Effect.repeat({ until: (m) => m.paused, schedule: Schedule.spaced("5 millis") }),
      TestServices.provideLive
    )

  const slowConsumer = (heartbeatConfig: Client.Options["heartbeatConfig"], sleep: Duration.DurationInput) =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, {
        heartbeatConfig,
        inbound: { bufferSize: 16, strategy: "suspend" }
      })
      const events = yield* recordEvents(client)
      const messages = yield* client.messagesScoped
      const total = 2_000
      let first = true
      const received: Array<string> = []
      const consumer = yield* messages.pipe(
        Stream.take(total),
        Stream.runForEachChunk((chunk) => {
          for (const m of chunk) received.push((m as Message.Text).data)
          if (!first) return Effect.void
          first = false
          return Effect.sleep(sleep) // a consumer that takes its time (on the TestClock)
        }),
        Effect.fork
      )
      for (let i = 0; i < total; i++) yield* server.injectMessage(`${i}:${"x".repeat(1024)}`)
      yield* awaitPaused(client)
      yield* awaitSleeps(2) // the heartbeat's and the consumer's
      // the consumer sleeps; the socket stays paused, so the server's answers wait unread in it
      for (let t = 0; t < 3_000; t += 100) yield* TestClock.adjust("100 millis")
      const done = yield* Fiber.join(consumer).pipe(
        Effect.timeout("10 seconds"),
        Effect.option,
        TestServices.provideLive
      )
      assert.isTrue(done._tag === "Some", `frames were lost: ${received.length} of ${total} arrived`)
      return { client, events, received, total, server }
    })

  it.scoped("a consumer that sleeps 3 s under a 300 ms ping heartbeat loses nothing and is not disconnected", () =>
    Effect.gen(function*() {
      const { client, events, received, total, server } = yield* slowConsumer(
        { type: "ping", interval: 300 },
        "3 seconds"
      )
      assert.deepStrictEqual(
        received.map((d) => Number(d.slice(0, d.indexOf(":")))),
        Array.from({ length: total }, (_, i) => i)
      )
      const all = yield* events.all
      assert.isFalse(
        all.some((e) => e._tag === "Disconnected" || e._tag === "HeartbeatMissed"),
        JSON.stringify(all.map((e) => e._tag))
      )
      assert.strictEqual(yield* Client.getState(client), "connected")
      assert.strictEqual(yield* server.totalConnections, 1)
      // and the heartbeat still judges the link once reading resumed: the pongs count again
      for (let i = 0; i < 3; i++) {
        yield* TestClock.adjust("300 millis")
        yield* TestServices.provideLive(Effect.sleep("20 millis"))
      }
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))

  it.scoped("the same for a passive (pong) heartbeat: silence while reading is paused is excused", () =>
    Effect.gen(function*() {
      const { client, events, received, total } = yield* slowConsumer(
        { type: "pong", interval: 300, timeout: 300 },
        "3 seconds"
      )
      assert.strictEqual(received.length, total)
      assert.isFalse((yield* events.all).some((e) => e._tag === "Disconnected"))
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))

  it.scoped("a pause longer than maxPause no longer excuses the silence", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, {
        heartbeatConfig: { type: "ping", interval: 300, maxPause: 1_000 },
        inbound: { bufferSize: 16, strategy: "suspend" },
        retryCount: 0
      })
      const events = yield* recordEvents(client)
      yield* client.messagesScoped // subscribed, never pulled: stuck for good
      for (let i = 0; i < 200; i++) yield* server.injectMessage(`${i}:${"x".repeat(1024)}`)
      yield* awaitPaused(client)
      yield* awaitSleeps(1)
      for (let t = 0; t < 3_000; t += 100) yield* TestClock.adjust("100 millis")
      const disconnected = yield* events.next("Disconnected")
      assert.strictEqual((disconnected.cause as { _tag: string })._tag, "HeartbeatTimeout")
    }))
})
