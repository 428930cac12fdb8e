import { assert, describe, it } from "@effect/vitest"
import { Client } from "@zen-websocket/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { DeribitSimulator } from "../src/index.js"
import { authenticate, connect, errorCode } from "./utils/peer.js"

const quiet = { credits: false, market: { generate: false } } as const

describe("DeribitSimulator: faults", () => {
  it.scoped("restart: connections end with 1001, the same port serves again, orders and the book are kept", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      yield* authenticate(peer, sim)
      const order = yield* peer.call("private/buy", { instrument_name: "BTC-PERPETUAL", amount: 10, price: 40_000 })
      const book = yield* sim.book("BTC-PERPETUAL")
      yield* sim.restart
      assert.deepStrictEqual(yield* peer.closed(), { code: 1001, reason: "server shutting down" })
      const again = yield* connect(sim.url)
      assert.strictEqual((yield* again.call("public/test")).result.version, "1.2.26")
      assert.strictEqual(yield* sim.totalConnections, 2)
      assert.deepStrictEqual(yield* sim.book("BTC-PERPETUAL"), book)
      yield* authenticate(again, sim)
      const open = yield* again.call("private/get_open_orders_by_instrument", { instrument_name: "BTC-PERPETUAL" })
      assert.deepStrictEqual(open.result.map((o: any) => o.order_id), [order.result.order.order_id])
    }))

  it.scopedLive("stop refuses connections until restart; the core Client reconnects to the same URL", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const client = yield* Client.connect(sim.url, { retryDelay: 10, maxBackoff: 20, retryCount: 100, jitter: false })
      yield* sim.stop
      const refused = yield* Effect.exit(connect(sim.url))
      assert.isTrue(Exit.isFailure(refused))
      yield* sim.restart
      yield* sim.awaitConnections(2)
      yield* client.stateChanges.pipe(Stream.filter((s) => s === "connected"), Stream.take(1), Stream.runDrain)
      const time = yield* Client.request(client, { method: "public/get_time", params: {} })
      assert.isNumber(time)
    }))

  it.scoped("failMethod: an error code n times, then normal answers; or always until clearFaults", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      yield* sim.failMethod("public/ticker", { code: 13028, times: 2 })
      const ticker = () => peer.call("public/ticker", { instrument_name: "BTC-PERPETUAL" })
      const first = yield* ticker()
      assert.deepStrictEqual(first.error, { code: 13028, message: "temporarily_unavailable" })
      assert.strictEqual(errorCode(yield* ticker()), 13028)
      assert.isUndefined((yield* ticker()).error)
      yield* sim.failMethod("public/get_time", { code: 11051, data: { reason: "maintenance" } })
      for (let i = 0; i < 3; i++) {
        const r = yield* peer.call("public/get_time")
        assert.deepStrictEqual(r.error, { code: 11051, message: "system_maintenance", data: { reason: "maintenance" } })
      }
      yield* sim.clearFaults
      assert.isUndefined((yield* peer.call("public/get_time")).error)
    }))

  it.scoped("an injected 10028 also terminates the session", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      yield* sim.failMethod("public/test", { code: 10028, times: 1 })
      assert.strictEqual(errorCode(yield* peer.call("public/test")), 10028)
      assert.strictEqual((yield* peer.closed()).reason, "too_many_requests")
    }))

  it.scoped("stallMethod: no answer (later calls are answered), or an answer after a delay of Clock time", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const peer = yield* connect(sim.url)
      yield* sim.stallMethod("public/get_time", { times: 1 })
      const stalled = yield* peer.fire("public/get_time")
      const answered = yield* peer.call("public/get_time")
      assert.strictEqual(answered.result, 0)
      assert.isUndefined(peer.received.find((m) => m.id === stalled), "the stalled call got no answer")
      yield* sim.stallMethod("public/test", { times: 1, delay: "5 seconds" })
      const late = yield* peer.fire("public/test")
      yield* peer.call("public/get_time")
      assert.isUndefined(peer.received.find((m) => m.id === late))
      yield* TestClock.adjust("5 seconds")
      const response = yield* peer.waitFor((m) => m.id === late)
      assert.deepStrictEqual([response.result.version, response.usIn, response.usOut], ["1.2.26", 0, 5_000_000])
    }))

  it.scoped("drop: with a close code, or abnormally (1006); later connections are served", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const a = yield* connect(sim.url)
      const b = yield* connect(sim.url)
      yield* sim.drop({ connectionId: 1, code: 4000, reason: "go away" })
      assert.deepStrictEqual(yield* a.closed(), { code: 4000, reason: "go away" })
      assert.isTrue(b.isOpen())
      yield* sim.drop()
      assert.strictEqual((yield* b.closed()).code, 1006)
      assert.strictEqual(yield* sim.connectionCount, 0)
      const c = yield* connect(sim.url)
      assert.strictEqual((yield* c.call("public/get_time")).result, 0)
      const infos = yield* sim.connections
      assert.deepStrictEqual(infos.map((i) => [i.id, i.open, i.closed?.code]), [[1, false, 4000], [2, false, 1006], [
        3,
        true,
        undefined
      ]])
    }))

  it.scoped("the frame log shows every frame in and out, per connection, in order", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start(quiet)
      const a = yield* connect(sim.url)
      const b = yield* connect(sim.url)
      yield* a.call("public/test")
      yield* b.call("public/get_time")
      yield* a.call("public/get_time")
      const ofA = yield* sim.frames({ connectionId: 1 })
      assert.deepStrictEqual(ofA.map((f) => f.direction), ["in", "out", "in", "out"])
      assert.deepStrictEqual(ofA.filter((f) => f.direction === "out").map((f) => f.data), a.texts)
      const methods = (yield* sim.requests()).map((r) => [r.connectionId, r.method])
      assert.deepStrictEqual(methods, [[1, "public/test"], [2, "public/get_time"], [1, "public/get_time"]])
      yield* sim.clearLog
      assert.deepStrictEqual(yield* sim.frames(), [])
    }))

  it.effect("layer provides a simulator for the life of the layer; bad options fail with SimulatorError", () =>
    Effect.gen(function*() {
      const url = yield* Effect.gen(function*() {
        const sim = yield* DeribitSimulator.DeribitSimulator
        const peer = yield* connect(sim.url)
        assert.strictEqual((yield* peer.call("public/test")).result.version, "1.2.26")
        return sim.url
      }).pipe(Effect.scoped, Effect.provide(DeribitSimulator.layer(quiet)))
      const afterwards = yield* Effect.exit(Effect.scoped(connect(url)))
      assert.isTrue(Exit.isFailure(afterwards), "stopped with its layer")
      const bad = yield* Effect.flip(Effect.scoped(DeribitSimulator.start({ instruments: [] })))
      assert.deepStrictEqual([bad._tag, bad.reason], [
        "SimulatorError",
        "invalid options: instruments: give at least one"
      ])
    }))
})
