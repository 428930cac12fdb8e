import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import * as Client from "../src/Client.js"
import * as ClientSupervisor from "../src/ClientSupervisor.js"
import type * as Message from "../src/Message.js"
import * as Testing from "../src/Testing.js"

const fast = { retryCount: 0, retryDelay: 5, jitter: false } as const

/** The supervisor's events from now on; `next(tag)` waits for the next one with that tag. */
const supervisorEvents = (supervisor: ClientSupervisor.ClientSupervisor) =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<ClientSupervisor.SupervisorEvent>()
    yield* supervisor.events.pipe(Stream.runForEach((e) => Queue.offer(queue, e)), Effect.forkScoped)
    yield* Effect.sleep("5 millis")
    const next = <T extends ClientSupervisor.SupervisorEvent["_tag"]>(
      tag: T
    ): Effect.Effect<Extract<ClientSupervisor.SupervisorEvent, { _tag: T }>> =>
      Effect.flatMap(Queue.take(queue), (e) => e._tag === tag ? Effect.succeed(e as any) : next(tag))
    return { next }
  })

describe("ClientSupervisor", () => {
  it.scopedLive("supervised clients deliver their messages like direct ones", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const supervisor = yield* ClientSupervisor.make
      const client = yield* supervisor.startClient(server.url, { id: "feed" })
      assert.strictEqual(client.id, "feed")
      assert.strictEqual(yield* Client.getState(client), "connected")
      const messages = yield* client.messagesScoped
      yield* server.injectMessage("tick")
      const [first] = yield* messages.pipe(Stream.take(1), Stream.runCollect)
      assert.strictEqual((first as Message.Text).data, "tick")
      assert.deepStrictEqual((yield* supervisor.listClients).map((c) => c.id), ["feed"])
    }))

  it.scopedLive("a client that gave up is restarted with its subscriptions", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const supervisor = yield* ClientSupervisor.make
      const events = yield* supervisorEvents(supervisor)
      const client = yield* supervisor.startClient(server.url, fast)
      yield* Client.subscribe(client, ["ticker.BTC"])
      yield* server.clearReceived
      yield* server.simulateDisconnect("abnormal")
      const restarted = yield* events.next("ClientRestarted")
      assert.strictEqual(restarted.restarts, 1)
      yield* server.assertMessageSent({ method: "public/subscribe", params: { channels: ["ticker.BTC"] } })
      yield* client.stateChanges.pipe(Stream.filter((s) => s === "connected"), Stream.take(1), Stream.runDrain)
      const messages = yield* client.messagesScoped
      yield* server.injectMessage("after restart")
      const [first] = yield* messages.pipe(Stream.take(1), Stream.runCollect)
      assert.strictEqual((first as Message.Text).data, "after restart")
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["ticker.BTC"])
      assert.strictEqual(yield* server.totalConnections, 2)
    }))

  it.scopedLive("restart intensity is honoured: past the limit the client stays down", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const supervisor = yield* ClientSupervisor.make
      const events = yield* supervisorEvents(supervisor)
      const client = yield* supervisor.startClient(server.url, {
        ...fast,
        maxRestarts: 2
      })
      for (let i = 1; i <= 2; i++) {
        yield* server.awaitConnections(i)
        yield* server.simulateDisconnect("abnormal")
        assert.strictEqual((yield* events.next("ClientRestarted")).restarts, i)
      }
      yield* server.awaitConnections(3)
      yield* server.simulateDisconnect("abnormal")
      const limit = yield* events.next("RestartLimitReached")
      assert.strictEqual(limit.restarts, 2)
      assert.strictEqual(yield* Client.getState(client), "disconnected")
      const error = yield* Effect.flip(Client.sendMessage(client, "x"))
      assert.strictEqual(error._tag === "NotConnected" && error.state, "disconnected")
      assert.strictEqual(yield* server.totalConnections, 3)
    }))

  it.scopedLive("lifecycle callbacks run on start, restart and stop; their failures are contained", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const calls = yield* Ref.make<Array<string>>([])
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(String(message)))
      const supervisor = yield* ClientSupervisor.make
      const events = yield* supervisorEvents(supervisor)
      const client = yield* supervisor.startClient(server.url, {
        ...fast,
        onConnect: (c) =>
          Effect.zipRight(
            Ref.update(calls, (a) => [...a, `connect:${c.id}`]),
            Effect.fail("callback failed on purpose")
          ),
        onDisconnect: (c) =>
          Effect.zipRight(
            Ref.update(calls, (a) => [...a, `disconnect:${c.id}`]),
            Effect.sync(() => {
              throw new Error("callback threw on purpose")
            })
          )
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      yield* Client.sendMessage(client, "works despite the failing onConnect")
      yield* server.assertMessageSent("works despite the failing onConnect")
      yield* server.simulateDisconnect("abnormal")
      yield* events.next("ClientRestarted")
      yield* server.awaitConnections(2)
      yield* client.stateChanges.pipe(Stream.filter((s) => s === "connected"), Stream.take(1), Stream.runDrain)
      yield* supervisor.stopClient(client)
      yield* events.next("ClientStopped")
      const id = client.id
      assert.deepStrictEqual(yield* Ref.get(calls), [
        `connect:${id}`,
        `disconnect:${id}`,
        `connect:${id}`,
        `disconnect:${id}`
      ])
      assert.isTrue(logs.some((l) => l.includes("Lifecycle callback error")), logs.join("\n"))
      assert.strictEqual(yield* server.connectionCount, 0)
      assert.deepStrictEqual(yield* supervisor.listClients, [])
    }))

  it.scopedLive("sendBalanced prefers the client with fewer pending requests", () =>
    Effect.gen(function*() {
      const busyServer = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const idleServer = yield* Testing.startMockServer()
      const supervisor = yield* ClientSupervisor.make
      const busy = yield* supervisor.startClient(busyServer.url, { id: "busy" })
      yield* supervisor.startClient(idleServer.url, { id: "idle" })
      for (let i = 0; i < 3; i++) yield* Effect.fork(Client.request(busy, { method: "slow" }))
      yield* busyServer.assertMessageSent((f) => (f.data as string).includes("\"id\":3"))
      for (let i = 0; i < 3; i++) assert.strictEqual(yield* supervisor.sendBalanced(`order-${i}`), "idle")
      yield* idleServer.assertMessageSent("order-2")
    }))

  it.scopedLive("ties rotate between equally healthy clients", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const supervisor = yield* ClientSupervisor.make
      yield* supervisor.startClient(server.url, { id: "a" })
      yield* supervisor.startClient(server.url, { id: "b" })
      const picks: Array<string> = []
      for (let i = 0; i < 4; i++) picks.push(yield* supervisor.sendBalanced("x"))
      assert.deepStrictEqual(new Set(picks), new Set(["a", "b"]))
      assert.notStrictEqual(picks[0], picks[1])
      assert.notStrictEqual(picks[1], picks[2])
    }))

  it.scopedLive("fails over on error, honours maxAttempts, and uses clientDiscovery", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const supervisor = yield* ClientSupervisor.make
      const tried: Array<string> = []
      const broken = (id: string): ClientSupervisor.Candidate => ({
        id,
        sendMessage: () => Effect.sync(() => tried.push(id)).pipe(Effect.zipRight(Effect.fail(`${id} is down`)))
      })
      const healthy = yield* Client.connect(server.url, { id: "elsewhere" })
      const used = yield* supervisor.sendBalanced("routed", {
        clientDiscovery: Effect.succeed([broken("r1"), healthy])
      })
      assert.strictEqual(used, "elsewhere")
      yield* server.assertMessageSent("routed")
      tried.length = 0
      const error = yield* Effect.flip(supervisor.sendBalanced("nowhere", {
        clientDiscovery: Effect.succeed([broken("x1"), broken("x2"), broken("x3")]),
        maxAttempts: 2
      }))
      assert.strictEqual(tried.length, 2)
      assert.include(String(error), "is down")
      const none = yield* Effect.flip(supervisor.sendBalanced("x"))
      assert.strictEqual((none as { _tag: string })._tag, "NoConnections")
    }))

  it.scopedLive("recent errors make a candidate less preferred", () =>
    Effect.gen(function*() {
      const supervisor = yield* ClientSupervisor.make
      let flaky = true
      const sent: Array<string> = []
      const candidate = (id: string, fails: () => boolean): ClientSupervisor.Candidate => ({
        id,
        sendMessage: () => fails() ? Effect.fail("oops") : Effect.sync(() => sent.push(id))
      })
      const discovery = Effect.succeed([candidate("flaky", () => flaky), candidate("steady", () => false)])
      for (let i = 0; i < 4; i++) yield* supervisor.sendBalanced("x", { clientDiscovery: discovery })
      flaky = false
      sent.length = 0
      for (let i = 0; i < 4; i++) yield* supervisor.sendBalanced("x", { clientDiscovery: discovery })
      assert.deepStrictEqual(sent, ["steady", "steady", "steady", "steady"])
    }))

  it.scopedLive("stopping the supervisor's layer closes every client", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* Effect.gen(function*() {
        const supervisor = yield* ClientSupervisor.ClientSupervisor
        yield* supervisor.startClient(server.url)
        yield* supervisor.startClient(server.url)
        assert.strictEqual(yield* server.connectionCount, 2)
      }).pipe(Effect.provide(ClientSupervisor.layer))
      assert.strictEqual(yield* server.connectionCount, 0)
    }))
})

describe("Pattern 3: fixed connections as layers", () => {
  class MarketData extends Context.Tag("MarketData")<MarketData, Client.Client>() {}
  class Orders extends Context.Tag("Orders")<Orders, Client.Client>() {}

  it.scopedLive("several tagged clients start and stop with the app's layer graph", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const connections = Layer.merge(
        Client.layerAs(MarketData, server.url, { id: "market-data" }),
        Client.layerAs(Orders, server.url, { id: "orders" })
      )
      const ids = yield* Effect.gen(function*() {
        const market = yield* MarketData
        const orders = yield* Orders
        yield* Client.sendMessage(orders, "buy")
        yield* server.assertMessageSent("buy")
        assert.strictEqual(yield* server.connectionCount, 2)
        return [market.id, orders.id]
      }).pipe(Effect.provide(connections))
      assert.deepStrictEqual(ids, ["market-data", "orders"])
      assert.strictEqual(yield* server.connectionCount, 0)
    }))
})

describe("ClientSupervisor restarts on a Schedule (TestClock)", () => {
  /**
   * Drives the TestClock from one sleep to the next (real I/O runs in between), until `done` holds; `onTime` is told
   * the time reached at every step.
   */
  const runClock = <E>(done: Effect.Effect<boolean>, onTime: (ms: number) => Effect.Effect<void, E>) =>
    Effect.gen(function*() {
      for (let steps = 0; steps < 500; steps++) {
        if (yield* done) return
        yield* TestClock.sleeps().pipe(
          TestServices.provideWithLive(Effect.repeat({
            until: (s) => Chunk.size(s) > 0,
            schedule: Schedule.spaced("2 millis").pipe(Schedule.upTo("2 seconds"))
          }))
        )
        const sleeps = yield* TestClock.sleeps()
        if (Chunk.size(sleeps) === 0) continue
        const next = Math.min(...Chunk.toReadonlyArray(sleeps))
        yield* TestClock.setTime(next)
        yield* onTime(next)
      }
      assert.fail("the clock ran 500 steps")
    })

  /** A mock server, a supervisor, and every supervisor event from now on in `seen`. */
  const supervisedServer = Effect.gen(function*() {
    const server = yield* Testing.startMockServer()
    const supervisor = yield* ClientSupervisor.make
    const seen: Array<ClientSupervisor.SupervisorEvent> = []
    yield* supervisor.events.pipe(Stream.runForEach((e) => Effect.sync(() => seen.push(e))), Effect.forkScoped)
    return { seen, server, supervisor }
  })

  it.scoped("a 10 s outage with retryCount 2, retryDelay 100, maxBackoff 1000 ends connected, restart delays growing", () =>
    Effect.gen(function*() {
      const { seen, server, supervisor } = yield* supervisedServer
      const client = yield* supervisor.startClient(server.url, {
        retryCount: 2,
        retryDelay: 100,
        maxBackoff: 1000,
        jitter: false
      })
      yield* server.refuseConnections(true)
      yield* server.simulateDisconnect("abnormal")
      let back = false
      yield* runClock(
        Effect.map(Client.getState(client), (state) => back && state === "connected"),
        (ms) =>
          Effect.gen(function*() {
            if (!back && ms >= 10_000) {
              back = true
              yield* server.refuseConnections(false)
            }
          })
      )
      const delays = seen.flatMap((e) => e._tag === "ClientRestarted" ? [e.delayMs] : [])
      assert.deepStrictEqual(delays.slice(0, 5), [100, 200, 400, 800, 1000], delays.join(", "))
      assert.isTrue(delays.slice(4).every((d) => d === 1000), delays.join(", "))
      assert.isAtLeast(delays.length, 7, "the outage lasted 10 s")
      assert.isFalse(seen.some((e) => e._tag === "RestartLimitReached"), "the restart budget holds")
      assert.strictEqual(yield* Client.getState(client), "connected")
      yield* Client.sendMessage(client, "back")
      yield* server.assertMessageSent("back")
    }))

  it.scoped("restartSchedule replaces the backoff; when it ends the client stays down", () =>
    Effect.gen(function*() {
      const { seen, server, supervisor } = yield* supervisedServer
      const client = yield* supervisor.startClient(server.url, {
        retryCount: 0,
        restartSchedule: Schedule.spaced("250 millis").pipe(Schedule.intersect(Schedule.recurs(3)))
      })
      yield* server.refuseConnections(true)
      yield* server.simulateDisconnect("abnormal")
      yield* runClock(Effect.sync(() => seen.some((e) => e._tag === "RestartLimitReached")), () => Effect.void)
      assert.deepStrictEqual(seen.flatMap((e) => e._tag === "ClientRestarted" ? [e.delayMs] : []), [250, 250, 250])
      assert.strictEqual(yield* Client.getState(client), "disconnected")
    }))

  it.effect("the restart policy is validated with the client's options: InvalidOptions names the field", () =>
    Effect.gen(function*() {
      const supervisor = yield* ClientSupervisor.make
      const cases: ReadonlyArray<readonly [ClientSupervisor.StartOptions, string]> = [
        [{ maxRestarts: -1 }, "maxRestarts"],
        [{ maxRestarts: 1.5 }, "maxRestarts"],
        [{ window: 0 }, "window"],
        [{ restartSchedule: "fast" as never }, "restartSchedule"]
      ]
      for (const [options, field] of cases) {
        const error = yield* Effect.flip(supervisor.startClient("ws://127.0.0.1:1/ws", options))
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.strictEqual((error as { field: string }).field, field)
      }
    }).pipe(Effect.scoped))
})
