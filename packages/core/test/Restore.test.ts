/**
 * Recovery that never silently loses state, against a simulated Deribit that enforces its rules: one refused channel
 * fails a whole subscribe request (13778 for a `.raw` feed without auth), frames over 32 kB are refused (-32600), and
 * faults can be queued (a transient 10028, no answer, a dropped link).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { createServer } from "node:http"
import { WebSocketServer } from "ws"
import * as Client from "../src/Client.js"
import type * as ClientEvent from "../src/ClientEvent.js"
import type * as ClientOptions from "../src/ClientOptions.js"
import * as ClientSupervisor from "../src/ClientSupervisor.js"
import * as Dialect from "../src/Dialect.js"
import * as RateLimiter from "../src/RateLimiter.js"
import * as Testing from "../src/Testing.js"
import { driveShortSleeps } from "./utils/clock.js"
import { recordEvents, type Tag } from "./utils/events.js"

const auth = (secret = "secret") => ({
  method: "public/auth",
  params: { grant_type: "client_credentials", client_id: "key", client_secret: secret }
})

const authHook = (secret: Ref.Ref<string> | string = "secret"): ClientOptions.RestoreHook => (session) =>
  Effect.flatMap(
    typeof secret === "string" ? Effect.succeed(secret) : Ref.get(secret),
    (s) => Effect.asVoid(session.request(auth(s)))
  )

const count = (events: ReadonlyArray<ClientEvent.ClientEvent>, tag: Tag) => events.filter((e) => e._tag === tag).length

const sorted = (channels: ReadonlyArray<string>) => [...channels].sort()

/** Requests of one kind the venue received after the first `from`. */
const requestsAfter = (venue: Testing.VenueServer, from: number, op: Testing.VenueRequest["op"]) =>
  Effect.map(venue.requests, (all) => all.slice(from).filter((r) => r.op === op))

/** Fails the test (instead of hanging it) when an awaited event does not come. */
const within = <A, E, R>(effect: Effect.Effect<A, E, R>, what: string) =>
  Effect.timeoutFail(effect, { duration: "3 seconds", onTimeout: () => new Error(`no ${what} within 3 s`) })

const instruments = (n: number) =>
  Array.from({ length: n }, (_, i) => `book.BTC-27DEC24-${String(10_000 + i * 500)}-C.none.20.100ms`)

const live = { retryDelay: 5, maxBackoff: 20, jitter: false, retryCount: Infinity } as const

describe("restore per channel, in batches that fit", () => {
  it.scopedLive("a .raw channel without auth is reported rejected while every other channel is restored", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, live)
      // authorized on the first connection only (no restore hook): after a reconnect the .raw feed is refused
      yield* Client.request(client, auth())
      const channels = [
        "ticker.BTC-PERPETUAL.100ms",
        "book.ETH-PERPETUAL.100ms",
        "trades.BTC-PERPETUAL.raw",
        "deribit_price_index.btc_usd",
        "ticker.ETH-PERPETUAL.100ms"
      ]
      yield* Client.subscribe(client, channels)
      assert.deepStrictEqual(sorted(yield* venue.holding), sorted(channels))
      const events = yield* recordEvents(client)
      yield* venue.simulateDisconnect("abnormal")
      const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
      yield* within(events.next("Connected"), "Connected")
      const others = channels.filter((c) => !c.endsWith(".raw"))
      assert.deepStrictEqual(restored.restored, others)
      assert.deepStrictEqual(restored.rejected.map((r) => r.channel), ["trades.BTC-PERPETUAL.raw"])
      const [rejected] = restored.rejected
      assert.strictEqual(rejected?.error._tag === "RpcError" && rejected.error.code, 13778)
      assert.deepStrictEqual(sorted(yield* Client.subscriptions(client)), sorted(others))
      assert.deepStrictEqual(sorted(yield* venue.holding), sorted(others))
      assert.strictEqual(count(yield* events.all, "Connected"), 1)
    }))

  it.scopedLive("1 000 channels restored under the venue's 32 kB frame limit: every frame fits, none refused", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, live)
      const channels = instruments(1_000)
      // the same batching for the user's own subscribe: ~47 kB of names cannot go in one frame
      yield* Client.subscribe(client, channels)
      assert.strictEqual((yield* venue.holding).length, 1_000)
      const before = (yield* venue.requests).length
      const events = yield* recordEvents(client)
      yield* venue.simulateDisconnect("abnormal")
      const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
      yield* within(events.next("Connected"), "Connected")
      assert.strictEqual(restored.restored.length, 1_000)
      assert.deepStrictEqual(restored.rejected, [])
      const sent = yield* requestsAfter(venue, before, "subscribe")
      assert.isAtLeast(sent.length, 2)
      for (const request of sent) assert.isAtMost(request.bytes, venue.limits.maxFrameBytes)
      assert.strictEqual(sent.reduce((n, r) => n + r.channels.length, 0), 1_000, "each channel sent once")
      assert.deepStrictEqual(sorted(yield* venue.holding), sorted(channels))
      assert.deepStrictEqual(sorted(yield* Client.subscriptions(client)), sorted(channels))
    }))

  it.scoped("1 000 channels in 50 requests keep to Deribit's subscribe pacing: 10 at once, then 3.3 per second (TestClock)", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const dialect = Dialect.jsonRpc({ limits: { maxChannelsPerRequest: 20 } })
      const { burst, perSecond } = dialect.limits.pacing!
      const client = yield* Client.connect(venue.url, {
        subscriptionProtocol: dialect,
        retryDelay: 100,
        jitter: false,
        retryCount: Infinity,
        requestTimeout: "1 minute"
      })
      const channels = instruments(1_000)
      const bound = (elapsedMs: number) => burst + Math.floor((perSecond * elapsedMs) / 1000) + 1
      const checkPace = (from: number) => (elapsedMs: number) =>
        Effect.map(
          requestsAfter(venue, from, "subscribe"),
          (sent) => assert.isAtMost(sent.length, bound(elapsedMs), `${sent.length} requests after ${elapsedMs} ms`)
        )
      const subscribing = yield* Effect.fork(Client.subscribe(client, channels))
      yield* driveShortSleeps(subscribing, checkPace(0))
      yield* Fiber.join(subscribing)
      yield* TestClock.adjust("20 seconds") // the bucket fills up again
      const before = (yield* venue.requests).length
      const events = yield* recordEvents(client)
      yield* venue.simulateDisconnect("abnormal")
      const restoring = yield* Effect.fork(events.next("SubscriptionsRestored"))
      const elapsedMs = yield* driveShortSleeps(restoring, checkPace(before))
      const restored = yield* Fiber.join(restoring)
      assert.strictEqual(restored.restored.length, 1_000)
      const sent = yield* requestsAfter(venue, before, "subscribe")
      assert.strictEqual(sent.length, 50)
      // 40 requests beyond the burst cannot go out faster than 3.3 per second
      assert.isAtLeast(elapsedMs, Math.floor(((50 - burst) / perSecond) * 1000) - 1)
    }))

  it.scopedLive("the restore is paced through the client's RateLimiter too: one token per restore frame", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("bybit")
      const limiter = yield* RateLimiter.make({ capacity: 100, refillRate: 1, refillInterval: 60_000, cost: "simple" })
      const client = yield* Client.connect(venue.url, { ...live, subscriptionProtocol: Dialect.bybit() }).pipe(
        Effect.provideService(RateLimiter.RateLimiter, limiter)
      )
      const topics = Array.from({ length: 25 }, (_, i) => `publicTrade.COIN${i}USDT`)
      yield* Client.subscribe(client, topics)
      const before = (yield* venue.requests).length
      const tokens = (yield* RateLimiter.status(limiter)).tokens
      const events = yield* recordEvents(client)
      yield* venue.simulateDisconnect("abnormal")
      yield* within(events.next("Connected"), "Connected")
      const sent = yield* requestsAfter(venue, before, "subscribe")
      assert.deepStrictEqual(sent.map((r) => r.channels.length), [10, 10, 5], "Bybit: at most 10 args per request")
      assert.strictEqual((yield* RateLimiter.status(limiter)).tokens, tokens - sent.length)
    }))

  it.scopedLive("a batch refused as a whole is split down to the channel at fault (the user's subscribe too)", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      // no pacing here: this test is about the splitting
      const client = yield* Client.connect(venue.url, {
        ...live,
        subscriptionProtocol: Dialect.jsonRpc({ limits: { pacing: undefined } })
      })
      const channels = instruments(200)
      channels.splice(137, 0, "trades.ETH-PERPETUAL.raw")
      const error = yield* Effect.flip(Client.subscribe(client, channels))
      assert.strictEqual(error._tag === "RpcError" && error.code, 13778)
      const tracked = yield* Client.subscriptions(client)
      assert.strictEqual(tracked.length, 200)
      assert.isFalse(tracked.includes("trades.ETH-PERPETUAL.raw"))
      assert.deepStrictEqual(sorted(yield* venue.holding), sorted(tracked))
      // one request, then halving: two requests per level down to the single bad channel
      assert.isAtMost((yield* venue.requests).length, 1 + 2 * Math.ceil(Math.log2(201)))
    }))

  it.scopedLive("a supervised client keeps what the server confirmed when one channel of a subscribe is refused", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const supervisor = yield* ClientSupervisor.make
      const client = yield* supervisor.startClient(venue.url, { id: "feed" })
      const error = yield* Effect.flip(
        Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms", "trades.BTC-PERPETUAL.raw"])
      )
      assert.strictEqual(error._tag === "RpcError" && error.code, 13778)
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["ticker.BTC-PERPETUAL.100ms"])
      assert.deepStrictEqual(yield* venue.holding, ["ticker.BTC-PERPETUAL.100ms"])
    }))

  it.scopedLive("onRestoreRejected: \"fail\" fails the attempt and retries it, keeping the channel", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const connections = yield* Ref.make(0)
      // no auth on the first reconnect attempt, auth from the second on
      const hook: ClientOptions.RestoreHook = (session) =>
        Effect.flatMap(Ref.updateAndGet(connections, (n) => n + 1), (n) => n >= 3 ? authHook()(session) : Effect.void)
      const client = yield* Client.connect(venue.url, { ...live, onRestoreRejected: "fail", restoreHooks: [hook] })
      yield* Client.request(client, auth())
      const channels = ["ticker.BTC-PERPETUAL.100ms", "trades.BTC-PERPETUAL.raw"]
      yield* Client.subscribe(client, channels)
      const events = yield* recordEvents(client)
      yield* venue.simulateDisconnect("abnormal")
      const partial = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
      assert.deepStrictEqual(partial.rejected.map((r) => r.channel), ["trades.BTC-PERPETUAL.raw"])
      const retried = yield* within(events.next("SubscriptionsRestored"), "a second SubscriptionsRestored")
      yield* within(events.next("Connected"), "Connected")
      assert.deepStrictEqual(retried.restored, channels)
      assert.deepStrictEqual(retried.rejected, [])
      const all = yield* events.all
      assert.strictEqual(count(all, "Connected"), 1, "the failed attempt published no Connected")
      assert.strictEqual(count(all, "Connecting"), 2)
      assert.strictEqual(count(all, "GaveUp"), 0)
      assert.deepStrictEqual(sorted(yield* venue.holding), sorted(channels))
      assert.deepStrictEqual(yield* Client.subscriptions(client), channels)
    }))
})

describe("Connected only when live and restored, once per recovery", () => {
  it.scopedLive("a link that dies in the middle of the restore does not publish Connected", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, live)
      const channels = ["ticker.BTC-PERPETUAL.100ms", "book.BTC-PERPETUAL.100ms"]
      yield* Client.subscribe(client, channels)
      const states = yield* Ref.make<Array<Client.State>>([])
      yield* client.stateChanges.pipe(Stream.runForEach((s) => Ref.update(states, (a) => [...a, s])), Effect.forkScoped)
      const events = yield* recordEvents(client)
      yield* venue.failNext("subscribe", 1, "terminate")
      yield* venue.simulateDisconnect("abnormal")
      yield* within(events.next("Connected"), "Connected")
      const all = yield* events.all
      assert.strictEqual(count(all, "Connected"), 1)
      assert.strictEqual(count(all, "Connecting"), 2, "the attempt whose link died, then one that finished")
      assert.strictEqual(count(all, "SubscriptionsRestored"), 1)
      assert.deepStrictEqual((yield* Ref.get(states)).filter((s) => s === "connected"), ["connected", "connected"])
      assert.deepStrictEqual(sorted(yield* venue.holding), sorted(channels))
      assert.deepStrictEqual(sorted(yield* Client.subscriptions(client)), sorted(channels))
    }))

  it.scopedLive("a restore request that times out is retried (not Connected with nothing subscribed)", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, { ...live, requestTimeout: 200 })
      const channels = ["ticker.BTC-PERPETUAL.100ms"]
      yield* Client.subscribe(client, channels)
      const events = yield* recordEvents(client)
      yield* venue.failNext("subscribe", 1, "silent")
      yield* venue.simulateDisconnect("abnormal")
      yield* within(events.next("Connected"), "Connected")
      const all = yield* events.all
      assert.strictEqual(count(all, "Connected"), 1)
      assert.strictEqual(count(all, "Connecting"), 2)
      assert.deepStrictEqual(yield* venue.holding, channels)
      assert.deepStrictEqual(yield* Client.subscriptions(client), channels)
    }))

  it.scopedLive("over three recoveries (one needing three attempts) Connected and \"connected\" come once each", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, { ...live, requestTimeout: 200 })
      yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
      const states = yield* Ref.make<Array<Client.State>>([])
      yield* client.stateChanges.pipe(Stream.runForEach((s) => Ref.update(states, (a) => [...a, s])), Effect.forkScoped)
      const events = yield* recordEvents(client)
      for (const fault of [undefined, "terminate", "silent"] as const) {
        if (fault !== undefined) yield* venue.failNext("subscribe", 2, fault)
        yield* venue.simulateDisconnect("abnormal")
        yield* within(events.next("Connected"), "Connected")
      }
      const all = yield* events.all
      assert.strictEqual(count(all, "Connected"), 3)
      assert.strictEqual(count(all, "Connecting"), 1 + 3 + 3)
      assert.strictEqual((yield* Ref.get(states)).filter((s) => s === "connected").length, 1 + 3)
      assert.deepStrictEqual(yield* venue.holding, ["ticker.BTC-PERPETUAL.100ms"])
    }))

  it.scopedLive("with restoreSubscriptions off, subscriptions() is cleared when the link goes", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, { ...live, restoreSubscriptions: false })
      yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms", "book.ETH-PERPETUAL.100ms"])
      const events = yield* recordEvents(client)
      yield* venue.simulateDisconnect("abnormal")
      yield* within(events.next("Connected"), "Connected")
      assert.deepStrictEqual(yield* venue.holding, [])
      assert.deepStrictEqual(yield* Client.subscriptions(client), [])
      assert.strictEqual(count(yield* events.all, "SubscriptionsRestored"), 0)
    }))
})

describe("errors classified per dialect", () => {
  it.scopedLive("a restore hook that gets 10028 three times, then succeeds, ends Connected with all channels", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, { ...live, restoreHooks: [authHook()] })
      const channels = ["trades.BTC-PERPETUAL.raw", "ticker.BTC-PERPETUAL.100ms", "user.orders.BTC-PERPETUAL.raw"]
      yield* Client.subscribe(client, channels)
      const before = (yield* venue.requests).length
      const events = yield* recordEvents(client)
      yield* venue.failNext("auth", 3, "error")
      yield* venue.simulateDisconnect("abnormal")
      const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
      yield* within(events.next("Connected"), "Connected")
      const all = yield* events.all
      assert.strictEqual(count(all, "GaveUp"), 0)
      assert.strictEqual(count(all, "Connecting"), 4)
      assert.strictEqual(count(all, "Connected"), 1)
      assert.strictEqual((yield* requestsAfter(venue, before, "auth")).length, 4)
      assert.deepStrictEqual(restored.restored, channels)
      assert.deepStrictEqual(sorted(yield* venue.holding), sorted(channels))
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))

  it.scopedLive("bad credentials give up once, with that cause (one attempt, one auth request)", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const secret = yield* Ref.make("secret")
      const client = yield* Client.connect(venue.url, { ...live, restoreHooks: [authHook(secret)] })
      yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
      const before = (yield* venue.requests).length
      const events = yield* recordEvents(client)
      yield* Ref.set(secret, "rotated-away")
      yield* venue.simulateDisconnect("abnormal")
      const gaveUp = yield* within(events.next("GaveUp"), "GaveUp")
      const cause = gaveUp.cause as { _tag: string; reason: string; retryable?: boolean; cause: any }
      assert.strictEqual(cause._tag, "ConnectError")
      assert.strictEqual(cause.reason, "restore")
      assert.strictEqual(cause.retryable, false)
      assert.strictEqual(cause.cause.code, 13004)
      const all = yield* events.all
      assert.strictEqual(count(all, "Connecting"), 1)
      assert.strictEqual(count(all, "GaveUp"), 1)
      assert.strictEqual(count(all, "Connected"), 0)
      assert.strictEqual((yield* requestsAfter(venue, before, "auth")).length, 1)
      assert.strictEqual(yield* Client.getState(client), "disconnected")
      // and at connect: one attempt, the cause as the failure
      const refused = yield* Effect.flip(Client.connect(venue.url, { ...live, restoreHooks: [authHook("wrong")] }))
      assert.strictEqual(refused._tag === "ConnectError" && refused.reason, "restore")
      assert.strictEqual((yield* requestsAfter(venue, before, "auth")).length, 2)
    }))

  it.scopedLive("a transient whole-request refusal of a restore is retried as it is, not split", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, live)
      const channels = instruments(64)
      yield* Client.subscribe(client, channels)
      const before = (yield* venue.requests).length
      const events = yield* recordEvents(client)
      yield* venue.failNext("subscribe", 1, "error")
      yield* venue.simulateDisconnect("abnormal")
      const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
      yield* within(events.next("Connected"), "Connected")
      assert.strictEqual(restored.restored.length, 64)
      assert.strictEqual((yield* requestsAfter(venue, before, "subscribe")).length, 2, "10028, then the same batch")
      assert.strictEqual(count(yield* events.all, "Connecting"), 2)
    }))

  it.scopedLive("the retryable option overrides the dialect's classifier", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, {
        ...live,
        restoreHooks: [authHook()],
        retryable: (error) => !(typeof error === "object" && error !== null && (error as any).code === 10028)
      })
      const events = yield* recordEvents(client)
      yield* venue.failNext("auth", 1, "error")
      yield* venue.simulateDisconnect("abnormal")
      const gaveUp = yield* within(events.next("GaveUp"), "GaveUp")
      assert.strictEqual((gaveUp.cause as any).cause.code, 10028)
      assert.strictEqual(count(yield* events.all, "Connecting"), 1)
    }))
})

describe("Retry-After", () => {
  /** A server that accepts the first upgrade and answers every later one with `status` and a Retry-After header. */
  const refusingAfterFirst = (status: number, retryAfter: string) =>
    Effect.acquireRelease(
      Effect.async<{ url: string; close: () => void; drop: () => void }>((resume) => {
        const wss = new WebSocketServer({ noServer: true })
        let upgrades = 0
        const http = createServer()
        http.on("upgrade", (request, socket, head) => {
          if (upgrades++ === 0) return wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws))
          socket.end(`HTTP/1.1 ${status} Refused\r\nRetry-After: ${retryAfter}\r\nContent-Length: 0\r\n\r\n`)
        })
        http.listen(0, "127.0.0.1", () => {
          const port = (http.address() as { port: number }).port
          resume(Effect.succeed({
            url: `ws://127.0.0.1:${port}/ws`,
            close: () => {
              for (const ws of wss.clients) ws.terminate()
              http.closeAllConnections()
              http.close()
            },
            drop: () => {
              for (const ws of wss.clients) ws.terminate()
            }
          }))
        })
      }),
      (server) => Effect.sync(server.close)
    )

  it.scopedLive("a 429 with Retry-After sets the next delay", () =>
    Effect.gen(function*() {
      const server = yield* refusingAfterFirst(429, "3")
      const client = yield* Client.connect(server.url, { retryDelay: 100, maxBackoff: 10_000, jitter: false })
      const events = yield* recordEvents(client)
      server.drop()
      const first = yield* within(events.next("Reconnecting"), "Reconnecting")
      assert.strictEqual(first.delayMs, 100, "the link dropped: the normal backoff")
      const second = yield* within(events.next("Reconnecting"), "Reconnecting after the 429")
      assert.strictEqual(second.delayMs, 3_000)
    }))

  it.scopedLive("a 503 with a Retry-After beyond maxBackoff waits maxBackoff", () =>
    Effect.gen(function*() {
      const server = yield* refusingAfterFirst(503, "120")
      const client = yield* Client.connect(server.url, { retryDelay: 10, maxBackoff: 50, jitter: false })
      const events = yield* recordEvents(client)
      server.drop()
      yield* within(events.next("Reconnecting"), "Reconnecting")
      const capped = yield* within(events.next("Reconnecting"), "Reconnecting after the 503")
      assert.strictEqual(capped.delayMs, 50)
    }))
})
