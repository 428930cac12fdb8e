import { assert, describe, it } from "@effect/vitest"
import { Client } from "@zen-websocket/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { DeribitSimulator } from "../src/index.js"
import type { Peer } from "./utils/peer.js"
import { authenticate, connect, errorCode } from "./utils/peer.js"

const heartbeatOf = (type: string) => (m: { method?: string; params?: any }) =>
  m.method === "heartbeat" && m.params?.type === type

const restingBuy = (peer: Peer, price = 40_000) =>
  Effect.map(
    peer.call("private/buy", { instrument_name: "BTC-PERPETUAL", amount: 10, type: "limit", price }),
    (r) => r.result?.order?.order_id as string
  )

const orderState = (sim: DeribitSimulator.DeribitSimulator, id: string) =>
  Effect.map(sim.orders(), (orders) => orders.find((o) => o.order_id === id))

describe("DeribitSimulator: heartbeat", () => {
  it.scoped("set_heartbeat: test_request when silent, heartbeat when not; an unanswered test_request closes", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      assert.strictEqual((yield* peer.call("public/set_heartbeat", { interval: 10 })).result, "ok")
      yield* TestClock.adjust("9 seconds")
      assert.isUndefined(peer.received.find((m) => m.method === "heartbeat"), "nothing before the interval")
      yield* TestClock.adjust("1 second")
      const from = peer.received.length
      yield* peer.waitFor(heartbeatOf("test_request"))
      yield* peer.call("public/test")
      yield* TestClock.adjust("10 seconds")
      yield* peer.waitFor(heartbeatOf("heartbeat"), { from })
      assert.isTrue(peer.isOpen())
      // now silent: a test_request, then, unanswered, the close
      const before = peer.received.length
      yield* TestClock.adjust("10 seconds")
      yield* peer.waitFor(heartbeatOf("test_request"), { from: before })
      assert.isTrue(peer.isOpen(), "a test_request gives one interval to answer")
      yield* TestClock.adjust("10 seconds")
      const closed = yield* peer.closed()
      assert.deepStrictEqual(closed, { code: 1000, reason: "heartbeat: test_request not answered" })
      const [info] = yield* sim.connections
      assert.deepStrictEqual(info.closed, { by: "server", ...closed })
    }))

  it.scoped("traffic other than public/test does not answer a test_request", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      yield* peer.call("public/set_heartbeat", { interval: 10 })
      yield* TestClock.adjust("10 seconds")
      yield* peer.waitFor(heartbeatOf("test_request"))
      yield* peer.call("public/get_time")
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* peer.closed()).code, 1000)
    }))

  it.scoped("the core Client's deribit heartbeat keeps the link up through many intervals", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const client = yield* Client.connect(sim.url, { heartbeatConfig: { type: "deribit", interval: 10_000 } })
      yield* Client.request(client, { method: "public/set_heartbeat", params: { interval: 10 } })
      let testRequests = 0
      for (let i = 1; i <= 6; i++) {
        yield* TestClock.adjust("10 seconds")
        const at = i * 10_000
        const beat = yield* sim.awaitFrame((f) => f.direction === "out" && f.at === at && f.data.includes("heartbeat"))
        if (!beat.data.includes("test_request")) continue
        testRequests++
        // the client's answer, logged at the same Clock time
        yield* sim.awaitFrame((f) => f.direction === "in" && f.at === at && f.data.includes("public/test"))
      }
      assert.isAtLeast(testRequests, 3, "a quiet client gets a test_request every other interval")
      assert.strictEqual(yield* sim.connectionCount, 1)
      assert.strictEqual(yield* sim.totalConnections, 1)
      assert.strictEqual(yield* Client.getState(client), "connected")
    }))

  it.scoped("a quiet link survives 10 intervals: the core deribit heartbeat sets Deribit's heartbeat itself", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      // no public/set_heartbeat of our own: the heartbeat asks for one (in seconds) and answers every test_request
      const client = yield* Client.connect(sim.url, { heartbeatConfig: { type: "deribit", interval: "10 seconds" } })
      const delivered: Array<unknown> = []
      yield* (yield* client.messagesScoped).pipe(
        Stream.runForEach((m) => Effect.sync(() => delivered.push(m))),
        Effect.forkScoped
      )
      yield* sim.awaitFrame((f) => f.direction === "in" && f.data.includes("public/set_heartbeat"))
      yield* sim.awaitFrame((f) => f.direction === "out" && f.data.includes("zen_websocket.heartbeat"))
      for (let i = 1; i <= 10; i++) {
        yield* TestClock.adjust("10 seconds")
        const at = i * 10_000
        const beat = yield* sim.awaitFrame((f) => f.direction === "out" && f.at === at && f.data.includes("heartbeat"))
        if (beat.data.includes("test_request")) {
          yield* sim.awaitFrame((f) => f.direction === "in" && f.at === at && f.data.includes("public/test"))
        }
      }
      const [connection] = yield* sim.connections
      assert.strictEqual(connection.heartbeatSeconds, 10)
      assert.strictEqual(yield* sim.totalConnections, 1)
      assert.strictEqual(yield* Client.getState(client), "connected")
      assert.deepStrictEqual(delivered, [], "heartbeats and the heartbeat's answers never reach messages")
    }))

  it.scoped("disable_heartbeat stops the heartbeat", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      yield* peer.call("public/set_heartbeat", { interval: 10 })
      yield* peer.call("public/disable_heartbeat")
      yield* TestClock.adjust("60 seconds")
      yield* peer.call("public/test")
      assert.isTrue(peer.isOpen())
      assert.isUndefined(peer.received.find((m) => m.method === "heartbeat"))
    }))
})

describe("DeribitSimulator: cancel on disconnect", () => {
  it.scoped("COD on: a dropped connection's open orders are cancelled; its other orders and other connections' stay", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const a = yield* connect(sim.url)
      const b = yield* connect(sim.url)
      yield* authenticate(a, sim)
      yield* authenticate(b, sim)
      yield* b.call("private/subscribe", { channels: ["user.orders.BTC-PERPETUAL.raw"] })
      assert.strictEqual((yield* a.call("private/enable_cancel_on_disconnect", { scope: "connection" })).result, "ok")
      const cod = yield* a.call("private/get_cancel_on_disconnect", { scope: "connection" })
      assert.deepStrictEqual(cod.result, { scope: "connection", enabled: true })
      const fromA = yield* restingBuy(a)
      const fromB = yield* restingBuy(b, 40_100)
      yield* sim.drop({ connectionId: 1 })
      assert.strictEqual((yield* a.closed()).code, 1006)
      const cancelled = yield* orderState(sim, fromA)
      assert.strictEqual(cancelled?.order_state, "cancelled")
      assert.strictEqual(cancelled?.cancel_reason, "cancel_on_disconnect")
      assert.strictEqual((yield* orderState(sim, fromB))?.order_state, "open")
      const heard = yield* b.waitFor((m) =>
        m.params?.data?.order_id === fromA && m.params?.data?.order_state === "cancelled"
      )
      assert.strictEqual(heard.params.channel, "user.orders.BTC-PERPETUAL.raw")
      const open = yield* b.call("private/get_open_orders_by_instrument", { instrument_name: "BTC-PERPETUAL" })
      assert.deepStrictEqual(open.result.map((o: any) => o.order_id), [fromB])
    }))

  it.scoped("COD on: a client close and a heartbeat-detected disconnect cancel too", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const a = yield* connect(sim.url)
      yield* authenticate(a, sim)
      yield* a.call("private/enable_cancel_on_disconnect")
      const first = yield* restingBuy(a)
      a.ws.close(1000)
      yield* sim.awaitClosed(1)
      assert.strictEqual((yield* orderState(sim, first))?.order_state, "cancelled")
      const b = yield* connect(sim.url)
      yield* authenticate(b, sim)
      yield* b.call("private/enable_cancel_on_disconnect")
      const second = yield* restingBuy(b)
      yield* b.call("public/set_heartbeat", { interval: 10 })
      yield* TestClock.adjust("20 seconds")
      yield* sim.awaitClosed(2)
      assert.strictEqual((yield* orderState(sim, second))?.cancel_reason, "cancel_on_disconnect")
    }))

  it.scoped("private/logout closes without an answer and COD does not fire", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const a = yield* connect(sim.url)
      yield* authenticate(a, sim)
      yield* a.call("private/enable_cancel_on_disconnect")
      const order = yield* restingBuy(a)
      const id = yield* a.fire("private/logout")
      assert.deepStrictEqual(yield* a.closed(), { code: 1000, reason: "logout" })
      yield* sim.awaitClosed(1)
      assert.isUndefined(a.received.find((m) => m.id === id), "logout has no response")
      assert.strictEqual((yield* orderState(sim, order))?.order_state, "open")
      const [info] = yield* sim.connections
      assert.isTrue(info.loggedOut)
    }))

  it.scoped("COD off: a dropped connection's orders stay", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const a = yield* connect(sim.url)
      yield* authenticate(a, sim)
      const order = yield* restingBuy(a)
      yield* sim.drop()
      yield* sim.awaitClosed(1)
      assert.strictEqual((yield* orderState(sim, order))?.order_state, "open")
    }))

  it.scoped("account scope: every new connection of the account starts with COD on", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const a = yield* connect(sim.url)
      yield* authenticate(a, sim)
      yield* a.call("private/enable_cancel_on_disconnect", { scope: "account" })
      const account = yield* a.call("private/get_cancel_on_disconnect", { scope: "account" })
      assert.deepStrictEqual(account.result, { scope: "account", enabled: true })
      const b = yield* connect(sim.url)
      yield* authenticate(b, sim)
      const onB = yield* b.call("private/get_cancel_on_disconnect")
      assert.deepStrictEqual(onB.result, { scope: "connection", enabled: true })
      const order = yield* restingBuy(b)
      yield* sim.drop({ connectionId: 2 })
      assert.strictEqual((yield* orderState(sim, order))?.order_state, "cancelled")
      yield* a.call("private/disable_cancel_on_disconnect", { scope: "account" })
      const c = yield* connect(sim.url)
      yield* authenticate(c, sim)
      assert.isFalse((yield* c.call("private/get_cancel_on_disconnect")).result.enabled)
    }))
})

describe("DeribitSimulator: credits", () => {
  it.scoped("a burst over 100 non-matching calls: 10028 too_many_requests, then the session is terminated", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start()
      const peer = yield* connect(sim.url)
      for (let i = 0; i < 105; i++) yield* peer.fire("public/get_time")
      const closed = yield* peer.closed()
      assert.deepStrictEqual(closed, { code: 1000, reason: "too_many_requests" })
      const answers = peer.received.filter((m) => m.id !== undefined)
      assert.strictEqual(answers.filter((m) => m.result !== undefined).length, 100)
      const refusal = answers[100]
      assert.deepStrictEqual([refusal.id, refusal.error?.code, refusal.error?.message], [
        101,
        10028,
        "too_many_requests"
      ])
      assert.strictEqual(answers.length, 101, "nothing after the termination")
    }))

  it.scoped("credits refill at 10 000/s on the Clock: 50 ms buys one more call", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start()
      const peer = yield* connect(sim.url)
      for (let i = 0; i < 100; i++) yield* peer.fire("public/get_time")
      yield* peer.waitFor((m) => m.id === 100)
      yield* TestClock.adjust("50 millis")
      assert.isUndefined((yield* peer.call("public/get_time")).error)
      assert.strictEqual(errorCode(yield* peer.call("public/get_time")), 10028)
    }))

  it.scoped("subscribe calls have their own budget (burst 10)", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start()
      const peer = yield* connect(sim.url)
      for (let i = 0; i < 10; i++) {
        assert.isArray((yield* peer.call("public/subscribe", { channels: [`ticker.BTC-PERPETUAL.100ms`] })).result)
      }
      assert.isUndefined((yield* peer.call("public/get_time")).error, "the non-matching budget is untouched")
      assert.strictEqual(errorCode(yield* peer.call("public/unsubscribe", { channels: ["x"] })), 10028)
    }))

  it.scoped("matching-engine calls draw on the configured tier", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({
        credits: { matching: { cost: 500, capacity: 1_000, refillPerSecond: 500 } }
      })
      const peer = yield* connect(sim.url)
      yield* authenticate(peer, sim)
      assert.isString(yield* restingBuy(peer))
      assert.isString(yield* restingBuy(peer))
      assert.strictEqual(errorCode(yield* peer.call("private/cancel_all")), 10028)
    }))

  it.scoped("an authenticated account's budget is shared by its connections", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start()
      const a = yield* connect(sim.url)
      const b = yield* connect(sim.url)
      yield* authenticate(a, sim)
      yield* authenticate(b, sim)
      for (let i = 0; i < 100; i++) yield* a.fire("public/get_time")
      yield* a.waitFor((m) => m.id === 101)
      assert.strictEqual(errorCode(yield* b.call("public/get_time")), 10028)
    }))
})
