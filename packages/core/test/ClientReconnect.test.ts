import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { WebSocketServer } from "ws"
import * as Client from "../src/Client.js"
import * as ClientSupervisor from "../src/ClientSupervisor.js"
import * as Testing from "../src/Testing.js"
import { recordEvents } from "./utils/events.js"

/** Answers JSON-RPC like the mock server's default handler, except `slow`, which it never answers. */
const answerAllButSlow: Testing.Handler = (frame) => {
  const { id, method, params } = JSON.parse(frame.data as string)
  if (method === "slow") return undefined
  const result = method.endsWith("subscribe") ? params.channels : { method }
  return JSON.stringify({ jsonrpc: "2.0", id, result })
}

const tags = (events: ReadonlyArray<{ readonly _tag: string }>) => events.map((e) => e._tag)

describe("Client.reconnect", () => {
  // TestClock: a backoff wait would never pass, so a reconnect that completes did not wait for one
  it.scoped("closes the live link, runs the whole reconnect path at once and succeeds when connected again", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: answerAllButSlow })
      let token = "first"
      const hookRuns = yield* Ref.make(0)
      const client = yield* Client.connect(server.url, {
        retryDelay: 60_000,
        maxBackoff: 60_000,
        headers: Effect.sync(() => ({ authorization: `Bearer ${token}` })),
        offlineQueue: { capacity: 10, strategy: "fail" },
        restoreHooks: [
          (session) => Effect.zipRight(Ref.update(hookRuns, (n) => n + 1), session.request({ method: "public/auth" }))
        ]
      })
      yield* Client.subscribe(client, ["book.BTC"])
      const inFlight = yield* Effect.fork(Client.request(client, { method: "slow" }))
      yield* server.assertMessageSent({ method: "slow" })
      const events = yield* recordEvents(client)
      token = "rotated"
      yield* server.clearReceived
      yield* Client.reconnect(client)
      assert.strictEqual(yield* Client.getState(client), "connected")
      yield* events.next("Connected")
      const lost = yield* Effect.flip(Fiber.join(inFlight))
      assert.strictEqual(lost._tag === "Disconnected" && lost.code, 1000, "a request in flight fails with the link")
      assert.strictEqual(yield* Ref.get(hookRuns), 2, "the restore hooks ran again")
      const upgrades = yield* server.upgradeRequests
      assert.strictEqual(upgrades.length, 2)
      assert.strictEqual(upgrades[1]!.headers.authorization, "Bearer rotated", "the headers Effect was evaluated again")
      yield* server.assertMessageSent({ method: "public/subscribe" })
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["book.BTC"])
      const seen = yield* events.all
      assert.deepStrictEqual(tags(seen), ["Disconnected", "Connecting", "SubscriptionsRestored", "Connected"])
      const [disconnected, connecting] = seen
      assert.strictEqual(disconnected!._tag === "Disconnected" && disconnected.code, 1000)
      assert.strictEqual(disconnected!._tag === "Disconnected" && disconnected.reason, "reconnect requested")
      assert.strictEqual(connecting!._tag === "Connecting" && connecting.attempt, 1)
      assert.strictEqual((yield* Client.getStateMetrics(client)).reconnects, 1)
    }))

  it.scoped("does not count as a failure: three reconnects, then an outage still has its retry (TestClock)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { retryCount: 1, retryDelay: 100, jitter: false })
      const events = yield* recordEvents(client)
      for (let i = 0; i < 3; i++) {
        yield* Client.reconnect(client)
        yield* events.next("Connected")
      }
      const connects = (yield* events.all).filter((e) => e._tag === "Connecting")
      assert.deepStrictEqual(connects.map((e) => e._tag === "Connecting" && e.attempt), [1, 1, 1])
      assert.notInclude(tags(yield* events.all), "Reconnecting", "no backoff wait")
      yield* server.simulateDisconnect("abnormal")
      const reconnecting = yield* events.next("Reconnecting")
      assert.strictEqual(reconnecting.attempt, 1)
      yield* TestClock.adjust(reconnecting.delayMs)
      yield* events.next("Connected")
      assert.notInclude(tags(yield* events.all), "GaveUp")
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))

  it.scoped("during an outage it cuts the backoff wait short and attempts at once (TestClock)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { retryCount: Infinity, retryDelay: 60_000, maxBackoff: 60_000 })
      const events = yield* recordEvents(client)
      yield* server.refuseConnections(true)
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("Reconnecting")
      yield* server.refuseConnections(false)
      yield* Client.reconnect(client)
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))

  it.scopedLive("the server sees a normal close (1000) of the old link", () =>
    Effect.gen(function*() {
      const codes: Array<number> = []
      const wss = yield* Effect.acquireRelease(
        Effect.async<WebSocketServer>((resume) => {
          const server: WebSocketServer = new WebSocketServer(
            { host: "127.0.0.1", port: 0 },
            () => resume(Effect.succeed(server))
          )
          server.on("connection", (ws) => ws.on("close", (code: number) => codes.push(code)))
        }),
        (server) =>
          Effect.async<void>((resume) => {
            for (const ws of server.clients) ws.terminate()
            server.close(() => resume(Effect.void))
          })
      )
      const port = (wss.address() as { port: number }).port
      const client = yield* Client.connect(`ws://127.0.0.1:${port}`)
      yield* Client.reconnect(client)
      yield* Effect.sync(() => codes.length).pipe(
        Effect.repeat({ until: (n) => n > 0, schedule: Schedule.spaced("5 millis") }),
        Effect.timeout("5 seconds")
      )
      assert.deepStrictEqual(codes, [1000])
      assert.strictEqual(wss.clients.size, 1)
    }))

  it.scoped("fails with NotConnected on a closed client", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      yield* Client.close(client)
      const error = yield* Effect.flip(Client.reconnect(client))
      assert.strictEqual(error._tag === "NotConnected" && error.state, "disconnected")
    }))

  it.scoped("fails with NotConnected when the reconnection gives up (TestClock)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { retryCount: 1, retryDelay: 100, jitter: false })
      const events = yield* recordEvents(client)
      yield* server.refuseConnections(true)
      const reconnect = yield* Effect.fork(Client.reconnect(client))
      const reconnecting = yield* events.next("Reconnecting")
      yield* TestClock.adjust(reconnecting.delayMs)
      yield* events.next("GaveUp")
      const error = yield* Effect.flip(Fiber.join(reconnect))
      assert.strictEqual(error._tag === "NotConnected" && error.state, "disconnected")
    }))

  it.scopedLive("a supervised handle reconnects its current incarnation; its streams carry on", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const supervisor = yield* ClientSupervisor.make
      const handle = yield* supervisor.startClient(server.url, { retryDelay: 10 })
      const events = yield* recordEvents(handle)
      yield* Client.subscribe(handle, ["book.BTC"])
      yield* Client.reconnect(handle)
      assert.strictEqual(yield* Client.getState(handle), "connected")
      yield* events.next("Connected")
      assert.strictEqual(yield* server.totalConnections, 2)
      assert.includeMembers(tags(yield* events.all), ["Disconnected", "Connecting", "Connected"])
      assert.deepStrictEqual(yield* Client.subscriptions(handle), ["book.BTC"])
    }))
})
