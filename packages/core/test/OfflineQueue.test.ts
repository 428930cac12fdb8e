import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import * as Client from "../src/Client.js"
import * as Testing from "../src/Testing.js"
import { recordEvents } from "./utils/events.js"

/** The server refuses to come back; the client is reconnecting (its first `Reconnecting` was published). */
const outage = (options: Client.Options) =>
  Effect.gen(function*() {
    const server = yield* Testing.startMockServer()
    const client = yield* Client.connect(server.url, { retryCount: Infinity, jitter: false, ...options })
    const events = yield* recordEvents(client)
    yield* server.refuseConnections(true)
    yield* server.simulateDisconnect("abnormal")
    yield* events.next("Reconnecting")
    return { server, client, events }
  })

/** Waits (in real time, whatever the clock) until `n` operations wait in the client's offline queue. */
const queued = (client: Client.Client, n: number) =>
  client.getStateMetrics.pipe(
    TestServices.provideWithLive((metrics) =>
      Effect.timeout(
        Effect.repeat(metrics, { until: (m) => m.queuedSends >= n, schedule: Schedule.spaced("2 millis") }),
        "5 seconds"
      )
    ),
    Effect.orDie
  )

/** What the server received, a JSON-RPC frame as its method (and channels for a subscription), a text as itself. */
const received = (server: Testing.MockServer) =>
  Effect.map(server.receivedMessages, (frames) =>
    frames.map((f) => {
      const text = f.data as string
      if (!text.startsWith("{")) return text
      const json = JSON.parse(text)
      return json.params?.channels !== undefined ? `${json.method} ${json.params.channels.join(",")}` : json.method
    }))

describe("offlineQueue: requests and subscribes during an outage wait for the restored connection", () => {
  it.scopedLive("they go out after the restore, in call order with queued sends, and settle normally", () =>
    Effect.gen(function*() {
      const { client, server } = yield* outage({
        retryDelay: 10,
        maxBackoff: 20,
        offlineQueue: { capacity: 10, strategy: "fail" }
      })
      const calls = [
        Effect.fork(Client.sendMessage(client, "q1")),
        Effect.fork(Client.request(client, { method: "public/get_time" })),
        Effect.fork(Client.subscribe(client, ["ticker.ETH"])),
        Effect.fork(Client.sendMessage(client, "q2"))
      ]
      const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
      for (const [i, call] of calls.entries()) {
        fibers.push(yield* call)
        yield* queued(client, i + 1)
      }
      assert.strictEqual(yield* Client.getState(client), "connecting")
      yield* server.clearReceived
      yield* server.refuseConnections(false)
      const [sent1, time, subscribed, sent2] = yield* Effect.forEach(fibers, (f) => Effect.either(Fiber.join(f)))
      yield* server.assertMessageSent("q2")
      assert.isTrue(Either.isRight(sent1) && Either.isRight(sent2))
      assert.strictEqual((Either.getOrUndefined(time!) as { method: string }).method, "public/get_time")
      assert.isTrue(Either.isRight(subscribed!), "the subscribe that waited got its ack")
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["ticker.ETH"], "and its channel is tracked")
      assert.deepStrictEqual(yield* received(server), ["q1", "public/get_time", "public/subscribe ticker.ETH", "q2"])
      assert.strictEqual(yield* Client.getState(client), "connected")
      assert.strictEqual((yield* Client.getStateMetrics(client)).queuedSends, 0)
    }))

  it.scopedLive("the restore comes first: hooks, then tracked channels, then what waited (unsubscribes too)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, {
        retryDelay: 10,
        maxBackoff: 20,
        retryCount: Infinity,
        offlineQueue: { capacity: 10, strategy: "fail" },
        restoreHooks: [(session) => session.request({ method: "public/auth", params: {} })]
      })
      const events = yield* recordEvents(client)
      yield* Client.subscribe(client, ["book.BTC", "old.X"])
      yield* server.refuseConnections(true)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Reconnecting")
      const request = yield* Effect.fork(Client.request(client, { method: "private/buy", params: { amount: 1 } }))
      yield* queued(client, 1)
      const unsubscribe = yield* Effect.fork(Client.unsubscribe(client, ["old.X"]))
      yield* queued(client, 2)
      const subscribe = yield* Effect.fork(Client.subscribe(client, ["ticker.ETH"]))
      yield* queued(client, 3)
      yield* server.clearReceived
      yield* server.refuseConnections(false)
      yield* Fiber.join(request)
      yield* Fiber.join(unsubscribe)
      yield* Fiber.join(subscribe)
      yield* server.assertMessageSent({ params: { channels: ["ticker.ETH"] } })
      assert.deepStrictEqual(yield* received(server), [
        "public/auth",
        "public/subscribe book.BTC,old.X",
        "private/buy",
        "public/unsubscribe old.X",
        "public/subscribe ticker.ETH"
      ])
      assert.sameMembers([...yield* Client.subscriptions(client)], ["book.BTC", "ticker.ETH"])
    }))

  it.scoped("a request that waited longer than its timeout fails with RequestTimeout and leaves the line (TestClock)", () =>
    Effect.gen(function*() {
      const { client, events, server } = yield* outage({
        retryDelay: 60_000,
        maxBackoff: 60_000,
        requestTimeout: 2_000,
        offlineQueue: { capacity: 10, strategy: "fail" }
      })
      const request = yield* Effect.fork(Client.request(client, { method: "public/get_time" }, { timeout: 1_000 }))
      yield* queued(client, 1)
      const subscribe = yield* Effect.fork(Client.subscribe(client, ["ticker.ETH"]))
      yield* queued(client, 2)
      yield* TestClock.adjust(999)
      assert.isNull(request.unsafePoll(), "still waiting within its timeout")
      yield* TestClock.adjust(1)
      const timedOut = yield* Effect.flip(Fiber.join(request))
      assert.strictEqual(timedOut._tag, "RequestTimeout")
      assert.strictEqual(timedOut._tag === "RequestTimeout" && timedOut.timeoutMs, 1_000)
      assert.strictEqual((yield* Client.getStateMetrics(client)).queuedSends, 1, "the request left the line")
      yield* TestClock.adjust(1_000)
      const subscribeTimedOut = yield* Effect.flip(Fiber.join(subscribe))
      assert.strictEqual(subscribeTimedOut._tag, "RequestTimeout", "a subscribe waits within requestTimeout")
      assert.deepStrictEqual(yield* Client.subscriptions(client), [])
      assert.strictEqual((yield* Client.getStateMetrics(client)).queuedSends, 0)
      // the next connection sends neither
      yield* server.clearReceived
      yield* server.refuseConnections(false)
      yield* TestClock.adjust(60_000)
      yield* events.next("Connected")
      yield* Client.sendMessage(client, "marker")
      yield* server.assertMessageSent("marker")
      assert.deepStrictEqual(yield* received(server), ["marker"])
    }))

  it.scopedLive("the queue's capacity counts waiting requests: one that does not fit fails with OfflineQueueFull", () =>
    Effect.gen(function*() {
      const { client } = yield* outage({
        retryDelay: 60_000,
        maxBackoff: 60_000,
        offlineQueue: { capacity: 1, strategy: "fail" }
      })
      yield* Effect.fork(Client.sendMessage(client, "waits"))
      yield* queued(client, 1)
      const refused = yield* Effect.flip(Client.request(client, { method: "public/get_time" }))
      assert.strictEqual(refused._tag === "OfflineQueueFull" && refused.evicted, false)
      const subscribeRefused = yield* Effect.flip(Client.subscribe(client, ["ticker.ETH"]))
      assert.strictEqual(subscribeRefused._tag, "OfflineQueueFull")
    }))

  it.scopedLive("closing the client fails what waits with NotConnected{ disconnected }", () =>
    Effect.gen(function*() {
      const { client } = yield* outage({
        retryDelay: 60_000,
        maxBackoff: 60_000,
        offlineQueue: { capacity: 10, strategy: "fail" }
      })
      const request = yield* Effect.fork(Client.request(client, { method: "public/get_time" }))
      const subscribe = yield* Effect.fork(Client.subscribe(client, ["ticker.ETH"]))
      yield* queued(client, 2)
      yield* Client.close(client)
      for (const fiber of [request, subscribe]) {
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag === "NotConnected" && error.state, "disconnected")
      }
    }))

  it.scopedLive("an interrupted send leaves the line: it never goes out", () =>
    Effect.gen(function*() {
      const { client, server } = yield* outage({
        retryDelay: 10,
        maxBackoff: 20,
        offlineQueue: { capacity: 10, strategy: "fail" }
      })
      const dropped = yield* Effect.fork(Client.sendMessage(client, "never"))
      yield* queued(client, 1)
      const kept = yield* Effect.fork(Client.sendMessage(client, "kept"))
      yield* queued(client, 2)
      yield* Fiber.interrupt(dropped)
      assert.strictEqual((yield* Client.getStateMetrics(client)).queuedSends, 1)
      yield* server.clearReceived
      yield* server.refuseConnections(false)
      yield* Fiber.join(kept)
      yield* server.assertMessageSent("kept")
      assert.deepStrictEqual(yield* received(server), ["kept"])
    }))

  it.scopedLive("a restore hook never waits in the queue: a link lost during the hook fails its send, and is retried", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const hookError = yield* Ref.make<string | undefined>(undefined)
      let runs = 0
      const client = yield* Client.connect(server.url, {
        retryDelay: 10,
        maxBackoff: 20,
        retryCount: Infinity,
        offlineQueue: { capacity: 10, strategy: "fail" },
        restoreHooks: [(session) =>
          Effect.suspend(() => {
            if (++runs !== 2) return Effect.void
            // the link goes during the hook; a send that waited for the next connection would wait for ever
            return Effect.zipRight(
              server.simulateDisconnect("abnormal"),
              Effect.forever(Effect.zipRight(session.sendMessage("probe"), Effect.sleep("5 millis")))
            ).pipe(
              Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => ({ _tag: "HookHung" as const }) }),
              Effect.tapError((error) => Ref.set(hookError, (error as { readonly _tag: string })._tag))
            )
          })]
      })
      const events = yield* recordEvents(client)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Connected")
      assert.strictEqual(yield* Ref.get(hookError), "NotConnected")
      assert.strictEqual(runs, 3)
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))

  it.scopedLive("without offlineQueue, requests and subscribes during an outage fail at once with NotConnected", () =>
    Effect.gen(function*() {
      const { client } = yield* outage({ retryDelay: 60_000, maxBackoff: 60_000 })
      const request = yield* Effect.flip(Client.request(client, { method: "public/get_time" }))
      assert.strictEqual(request._tag === "NotConnected" && request.state, "connecting")
      const subscribe = yield* Effect.flip(Client.subscribe(client, ["ticker.ETH"]))
      assert.strictEqual(subscribe._tag === "NotConnected" && subscribe.state, "connecting")
      const unsubscribe = yield* Effect.flip(Client.unsubscribe(client, ["ticker.ETH"]))
      assert.strictEqual(unsubscribe._tag, "NotConnected")
    }))
})
