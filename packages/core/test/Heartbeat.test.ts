import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type { HeartbeatConfig } from "../src/ClientOptions.js"
import * as Heartbeat from "../src/Heartbeat.js"
import * as Message from "../src/Message.js"
import { at } from "./utils/clock.js"

// An in-memory link: records what the heartbeat sends; `frame()` is one inbound data frame.
const makeLink = (options: { readonly throwing?: boolean } = {}) => {
  const pings: Array<Uint8Array> = []
  const sent: Array<string> = []
  let frames = 0
  const link: Heartbeat.Link = {
    ping: (payload) => {
      pings.push(payload)
      if (options.throwing) throw new Error("WebSocket is not open")
    },
    send: (frame) => {
      sent.push(frame)
      if (options.throwing) throw new Error("WebSocket is not open")
    },
    inboundFrames: () => frames
  }
  return {
    link,
    pings,
    sent,
    frame: () => {
      frames++
    }
  }
}

const makeHooks = () => {
  const missed: Array<number> = []
  const rtts: Array<number> = []
  const intervals: Array<number> = []
  const hooks: Heartbeat.Hooks = {
    onMissed: (n) => Effect.sync(() => missed.push(n)),
    onRtt: (ms) => Effect.sync(() => rtts.push(ms)),
    onInterval: (ms) => Effect.sync(() => intervals.push(ms))
  }
  return { hooks, missed, rtts, intervals }
}

const setup = (config: HeartbeatConfig, options: { readonly throwing?: boolean } = {}) =>
  Effect.gen(function*() {
    const l = makeLink(options)
    const h = makeHooks()
    const hb = yield* Heartbeat.make(config, l.link, h.hooks)
    const fiber = yield* Effect.fork(hb.run)
    yield* Effect.yieldNow()
    return { ...l, ...h, hb, fiber }
  })

const expectRunning = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.map(Fiber.poll(fiber), (o) => assert.isTrue(Option.isNone(o), "expected the heartbeat to be running"))

const expectTimeout = <A>(fiber: Fiber.Fiber<A, Heartbeat.HeartbeatTimeout>) =>
  Effect.map(Fiber.poll(fiber), (o) => {
    assert.isTrue(Option.isSome(o), "expected the heartbeat to have failed")
    const exit = Option.getOrThrow(o)
    assert.isTrue(Exit.isFailure(exit))
    if (Exit.isSuccess(exit)) throw new Error("unreachable")
    const error = Cause.failureOption(exit.cause)
    assert.isTrue(Option.isSome(error), "expected a HeartbeatTimeout failure")
    return Option.getOrThrow(error)
  })

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** A text frame as the connection delivers it: counted as an inbound frame, then offered to `onText`. */
const deliver = (env: { readonly frame: () => void; readonly hb: Heartbeat.Heartbeat }, data: string) => {
  env.frame()
  return env.hb.onText(Message.text(data))
}

class SpyText extends Message.Text {
  reads = 0
  override get json(): unknown {
    this.reads++
    return super.json
  }
}

const PUBLIC_TEST = { jsonrpc: "2.0", method: "public/test", params: {} }

describe("Heartbeat", () => {
  describe("ping", () => {
    it.effect("sends a ping with a unique payload every interval, the first one after one interval", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "ping", interval: 1000 })
        yield* at(999)
        assert.strictEqual(env.pings.length, 0)
        for (let i = 1; i <= 4; i++) {
          yield* at(i * 1000)
          assert.strictEqual(env.pings.length, i)
          env.hb.onPong(env.pings[i - 1])
        }
        const payloads = env.pings.map(decode)
        assert.deepStrictEqual(payloads, ["1", "2", "3", "4"])
        assert.strictEqual(new Set(payloads).size, 4)
        assert.deepStrictEqual(env.missed, [])
        yield* expectRunning(env.fiber)
      }))

    it.effect("a matching pong reports its RTT (onRtt at the next tick, health at once) and resets failures", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "ping", interval: 1000 })
        yield* at(2000) // ping 1 at 1000 unanswered: miss at 2000, ping 2 sent
        assert.deepStrictEqual(env.missed, [1])
        assert.strictEqual(env.hb.health().failures, 1)
        yield* at(2037)
        env.hb.onPong(env.pings[1])
        assert.deepStrictEqual(env.hb.health(), { failures: 1, lastAt: 2037, rttMs: 37 })
        assert.deepStrictEqual(env.rtts, [])
        yield* at(3000)
        assert.deepStrictEqual(env.rtts, [37])
        assert.deepStrictEqual(env.hb.health(), { failures: 0, lastAt: 2037, rttMs: 37 })
        // the same pong again is no second RTT
        env.hb.onPong(env.pings[1])
        yield* at(4000)
        assert.deepStrictEqual(env.rtts, [37])
        assert.deepStrictEqual(env.missed, [1])
        yield* expectRunning(env.fiber)
      }))

    it.effect("fails exactly at interval × (maxMissed + 1) on a silent link (default maxMissed 2)", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "ping", interval: 1000 })
        yield* at(2999)
        yield* expectRunning(env.fiber)
        assert.deepStrictEqual(env.missed, [1])
        yield* at(3000)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error._tag, "HeartbeatTimeout")
        assert.deepStrictEqual({ type: error.type, missed: error.missed, silentMs: error.silentMs }, {
          type: "ping",
          missed: 2,
          silentMs: 3000
        })
        assert.deepStrictEqual(env.missed, [1, 2])
        assert.strictEqual(env.pings.length, 2)
        assert.strictEqual(env.hb.health().failures, 2)
      }))

    it.effect("honours maxMissed and calls onMissed with 1, 2, 3 before failing", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "ping", interval: 500, maxMissed: 3 })
        yield* at(1999)
        yield* expectRunning(env.fiber)
        assert.deepStrictEqual(env.missed, [1, 2])
        yield* at(2000)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.missed, 3)
        assert.deepStrictEqual(env.missed, [1, 2, 3])
      }))

    it.effect("any inbound frame counts as liveness and resets the miss counter", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "ping", interval: 1000 })
        yield* at(2000)
        assert.deepStrictEqual(env.missed, [1])
        for (let t = 2500; t <= 10500; t += 1000) {
          yield* at(t)
          env.frame()
        }
        yield* at(11000)
        assert.deepStrictEqual(env.missed, [1])
        assert.deepStrictEqual(env.hb.health(), { failures: 0, lastAt: 11000, rttMs: undefined })
        // silence from now on: misses at 12000 and 13000
        yield* at(12999)
        yield* expectRunning(env.fiber)
        yield* at(13000)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.silentMs, 2000)
        assert.deepStrictEqual(env.missed, [1, 1, 2])
      }))

    it.effect("a server ping counts as liveness", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "ping", interval: 1000 })
        for (let t = 1500; t <= 5500; t += 1000) {
          yield* at(t)
          env.hb.onPing(new Uint8Array(0))
        }
        yield* at(6000)
        assert.deepStrictEqual(env.missed, [])
        assert.strictEqual(env.hb.health().lastAt, 5500)
        yield* expectRunning(env.fiber)
      }))

    it.effect("unknown, empty and late pong payloads are harmless: liveness only, no RTT", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "ping", interval: 1000 })
        env.hb.onPong(new Uint8Array(0)) // before any ping
        yield* at(1000)
        yield* at(1200)
        env.hb.onPong(new Uint8Array(0))
        env.hb.onPong(new TextEncoder().encode("not ours"))
        env.hb.onPong(new TextEncoder().encode("11")) // a prefix match is no match
        yield* at(2000)
        yield* at(2100)
        env.hb.onPong(env.pings[0]) // late answer to ping 1 while ping 2 is out
        yield* at(3000)
        assert.deepStrictEqual(env.missed, [])
        assert.deepStrictEqual(env.rtts, [])
        assert.deepStrictEqual(env.hb.health(), { failures: 0, lastAt: 2100, rttMs: undefined })
        yield* expectRunning(env.fiber)
      }))

    it.effect("a link whose ping throws is detected as dead, not crashed", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "ping", interval: 1000 }, { throwing: true })
        yield* at(3000)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.missed, 2)
        assert.strictEqual(env.pings.length, 2)
      }))
  })

  describe("pong (passive)", () => {
    it.effect("is dead after interval + timeout (default timeout = interval) without pings", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "pong", interval: 1000 })
        yield* at(1999)
        yield* expectRunning(env.fiber)
        assert.deepStrictEqual(env.missed, [])
        yield* at(2000)
        const error = yield* expectTimeout(env.fiber)
        assert.deepStrictEqual({ type: error.type, missed: error.missed, silentMs: error.silentMs }, {
          type: "pong",
          missed: 1,
          silentMs: 2000
        })
        assert.deepStrictEqual(env.missed, [1])
      }))

    it.effect("uses the configured timeout", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "pong", interval: 1000, timeout: 300 })
        yield* at(1299)
        yield* expectRunning(env.fiber)
        yield* at(1300)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.silentMs, 1300)
      }))

    it.effect("stays alive while the server pings (empty payloads too), and dies interval + timeout after the last", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "pong", interval: 1000 })
        for (let t = 900; t <= 9900; t += 900) {
          yield* at(t)
          env.hb.onPing(new Uint8Array(0))
        }
        yield* at(11899)
        yield* expectRunning(env.fiber)
        assert.deepStrictEqual(env.missed, [])
        assert.deepStrictEqual(env.hb.health(), { failures: 0, lastAt: 9900, rttMs: undefined })
        // no round trip to measure: the interval between the server's pings instead, one per check at most
        assert.deepStrictEqual(env.intervals, Array(10).fill(900))
        assert.deepStrictEqual(env.rtts, [])
        yield* at(11900)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.silentMs, 2000)
        assert.strictEqual(env.hb.health().failures, 1)
      }))

    it.effect("other frames are credited at the check that sees them (checks every window / 4)", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "pong", interval: 1000 })
        yield* at(1100) // checks at 500 and 1000 passed; a frame arrives before the 1500 check
        env.frame()
        yield* at(1499)
        assert.strictEqual(env.hb.health().lastAt, undefined)
        yield* at(1500) // the check at 1500 sees it
        assert.strictEqual(env.hb.health().lastAt, 1500)
        yield* at(3499)
        yield* expectRunning(env.fiber)
        yield* at(3500)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.silentMs, 2000)
      }))
  })

  describe("deribit", () => {
    it.effect("answers test_request with public/test at once and consumes it", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "deribit", interval: 10000 })
        const consumed = deliver(
          env,
          JSON.stringify({ jsonrpc: "2.0", method: "heartbeat", params: { type: "test_request" } })
        )
        assert.isTrue(consumed)
        assert.strictEqual(env.sent.length, 2)
        assert.deepStrictEqual(JSON.parse(env.sent[1]), { ...PUBLIC_TEST, id: "zen_websocket.heartbeat" })
        // its answer is consumed too
        assert.isTrue(deliver(env, "{\"jsonrpc\":\"2.0\",\"id\":\"zen_websocket.heartbeat\",\"result\":{}}"))
      }))

    it.effect("asks for Deribit's heartbeat at its start, with the interval in seconds", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "deribit", interval: "15 seconds" })
        assert.deepStrictEqual(env.sent.map((f) => JSON.parse(f)), [{
          jsonrpc: "2.0",
          id: "zen_websocket.heartbeat",
          method: "public/set_heartbeat",
          params: { interval: 15 }
        }])
      }))

    it.effect("sends public/test itself after 1.5 intervals of silence; answered, a quiet link lives on", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "deribit", interval: 10_000 })
        const answer = "{\"jsonrpc\":\"2.0\",\"id\":\"zen_websocket.heartbeat\",\"result\":{\"version\":\"1\"}}"
        yield* at(14_999)
        assert.strictEqual(env.sent.length, 1, "only set_heartbeat before 1.5 intervals of silence")
        for (let i = 1; i <= 10; i++) {
          yield* at(i * 15_000)
          assert.strictEqual(env.sent.length, 1 + i, `a probe after interval ${i}`)
          assert.strictEqual(JSON.parse(env.sent[i]).method, "public/test")
          assert.isTrue(deliver(env, answer), "the answer is consumed")
        }
        yield* expectRunning(env.fiber)
        assert.deepStrictEqual(env.missed, [])
        // unanswered, the probe cannot save it
        yield* at(169_999)
        yield* expectRunning(env.fiber)
        yield* at(170_000)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.silentMs, 20_000)
        assert.strictEqual(env.sent.length, 12, "one probe per silence")
      }))

    it.effect("times its own requests' answers (onRtt) and the server's beats (onInterval)", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "deribit", interval: 10_000 })
        const answer = "{\"jsonrpc\":\"2.0\",\"id\":\"zen_websocket.heartbeat\",\"result\":{\"version\":\"1\"}}"
        yield* at(15_000) // the probe after 1.5 intervals of silence
        assert.strictEqual(JSON.parse(env.sent[1]).method, "public/test")
        yield* at(15_040)
        assert.isTrue(deliver(env, answer))
        assert.strictEqual(env.hb.health().rttMs, 40)
        const beat = JSON.stringify({ jsonrpc: "2.0", method: "heartbeat", params: { type: "heartbeat" } })
        yield* at(16_000)
        assert.isTrue(deliver(env, beat))
        yield* at(26_000)
        assert.isTrue(deliver(env, beat))
        yield* at(31_000)
        assert.deepStrictEqual(env.rtts, [40])
        assert.deepStrictEqual(env.intervals, [10_000])
      }))

    it.effect("consumes plain heartbeat beats without answering", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "deribit", interval: 10000 })
        assert.isTrue(
          deliver(env, "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"heartbeat\"}}")
        )
        assert.isTrue(deliver(env, "{ \"method\" : \"heartbeat\" }"))
        assert.deepStrictEqual(env.sent.map((f) => JSON.parse(f).method), ["public/set_heartbeat"])
      }))

    it.effect("does not consume other frames, and parses only frames that mention \"heartbeat\"", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "deribit", interval: 10000 })
        const plain = new SpyText(
          "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"ticker\"}}"
        )
        assert.isFalse(env.hb.onText(plain))
        assert.strictEqual(plain.reads, 0)
        const notJson = new SpyText("\"heartbeat\" is not JSON here {")
        assert.isFalse(env.hb.onText(notJson))
        assert.strictEqual(notJson.reads, 1)
        const other = new SpyText("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"channel\":\"heartbeat\"}}")
        assert.isFalse(env.hb.onText(other))
        assert.isFalse(env.hb.onText(new SpyText("{\"method\":\"heartbeat\"")))
        assert.deepStrictEqual(env.sent.map((f) => JSON.parse(f).method), ["public/set_heartbeat"])
      }))

    it.effect("is dead after 2 intervals without inbound traffic", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "deribit", interval: 1000 })
        yield* at(1999)
        yield* expectRunning(env.fiber)
        yield* at(2000)
        const error = yield* expectTimeout(env.fiber)
        assert.deepStrictEqual({ type: error.type, missed: error.missed, silentMs: error.silentMs }, {
          type: "deribit",
          missed: 1,
          silentMs: 2000
        })
        assert.deepStrictEqual(env.missed, [1])
      }))

    it.effect("any traffic keeps it alive; silence after the last frame kills it", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "deribit", interval: 1000 })
        for (let t = 1500; t <= 9000; t += 1500) {
          yield* at(t)
          deliver(env, t % 3000 === 0 ? "{\"method\":\"heartbeat\",\"params\":{\"type\":\"heartbeat\"}}" : "{\"id\":1}")
        }
        yield* at(10999)
        yield* expectRunning(env.fiber)
        assert.deepStrictEqual(env.missed, [])
        assert.strictEqual(env.hb.health().lastAt, 9000)
        yield* at(11000)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.silentMs, 2000)
      }))
  })

  describe("custom", () => {
    it.effect("sends the message every interval: a string as is, an object as JSON", () =>
      Effect.gen(function*() {
        const str = yield* setup({ type: "custom", interval: 1000, message: "ping" })
        const obj = yield* setup({ type: "custom", interval: 1000, message: { op: "ping" } })
        yield* at(999)
        assert.deepStrictEqual(str.sent, [])
        yield* at(1000)
        str.frame()
        obj.frame()
        yield* at(2000)
        assert.deepStrictEqual(str.sent, ["ping", "ping"])
        assert.deepStrictEqual(obj.sent, ["{\"op\":\"ping\"}", "{\"op\":\"ping\"}"])
      }))

    it.effect("without isResponse any inbound traffic answers; silence fails at interval × (maxMissed + 1)", () =>
      Effect.gen(function*() {
        const env = yield* setup({ type: "custom", interval: 1000, message: "ping" })
        for (let t = 1500; t <= 4500; t += 1000) {
          yield* at(t)
          env.frame()
        }
        yield* at(5000)
        assert.deepStrictEqual(env.missed, [])
        yield* at(6999)
        yield* expectRunning(env.fiber)
        yield* at(7000)
        const error = yield* expectTimeout(env.fiber)
        assert.deepStrictEqual({ type: error.type, missed: error.missed }, { type: "custom", missed: 2 })
        assert.deepStrictEqual(env.missed, [1, 2])
      }))

    it.effect("with isResponse only matching frames answer, and they are not consumed", () =>
      Effect.gen(function*() {
        const env = yield* setup({
          type: "custom",
          interval: 1000,
          message: { op: "ping" },
          isResponse: (m) => Message.isText(m) && m.data === "{\"op\":\"pong\"}"
        })
        for (let t = 1500; t <= 4500; t += 1000) {
          yield* at(t)
          assert.isFalse(deliver(env, "{\"op\":\"pong\"}"))
        }
        yield* at(5000)
        assert.deepStrictEqual(env.missed, [])
        // each beat (1000, 2000 …) was answered 500 ms later: that is its round trip, reported at the next tick
        assert.deepStrictEqual(env.hb.health(), { failures: 0, lastAt: 4500, rttMs: 500 })
        assert.deepStrictEqual(env.rtts, [500, 500, 500, 500])
        assert.deepStrictEqual(env.intervals, [])
        // other traffic, pings and pongs do not count as an answer
        for (let t = 5500; t <= 6500; t += 500) {
          yield* at(t)
          assert.isFalse(deliver(env, "{\"op\":\"trade\"}"))
          env.hb.onPing(new Uint8Array(0))
          env.hb.onPong(new Uint8Array(0))
        }
        yield* at(6999)
        yield* expectRunning(env.fiber)
        yield* at(7000)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.missed, 2)
        assert.strictEqual(error.silentMs, 2500)
        assert.strictEqual(env.hb.health().lastAt, 4500)
      }))

    it.effect("onMissed counts 1, 2, … and restarts after an answer; a throwing isResponse is a non-answer", () =>
      Effect.gen(function*() {
        const env = yield* setup({
          type: "custom",
          interval: 1000,
          message: "ping",
          maxMissed: 4,
          isResponse: (m) => {
            if (Message.isText(m) && m.data === "boom") throw new Error("boom")
            return Message.isText(m) && m.data === "pong"
          }
        })
        yield* at(3000)
        assert.deepStrictEqual(env.missed, [1, 2])
        assert.strictEqual(env.hb.health().failures, 2)
        yield* at(3100)
        assert.isFalse(deliver(env, "boom"))
        yield* at(4000)
        assert.deepStrictEqual(env.missed, [1, 2, 3])
        yield* at(4100)
        assert.isFalse(deliver(env, "pong"))
        yield* at(5000)
        assert.strictEqual(env.hb.health().failures, 0)
        yield* at(8999)
        yield* expectRunning(env.fiber)
        yield* at(9000)
        const error = yield* expectTimeout(env.fiber)
        assert.strictEqual(error.missed, 4)
        assert.deepStrictEqual(env.missed, [1, 2, 3, 1, 2, 3, 4])
      }))
  })

  describe("health and errors", () => {
    it.effect("health starts empty", () =>
      Effect.gen(function*() {
        for (
          const config of [
            { type: "ping", interval: 1000 },
            { type: "pong", interval: 1000 },
            { type: "deribit", interval: 1000 },
            { type: "custom", interval: 1000, message: "x" }
          ] as const
        ) {
          const env = yield* setup(config)
          assert.deepStrictEqual(env.hb.health(), { failures: 0, lastAt: undefined, rttMs: undefined })
        }
      }))

    it("HeartbeatTimeout is a tagged error with a readable message", () => {
      const error = new Heartbeat.HeartbeatTimeout({ type: "ping", missed: 2, silentMs: 3000 })
      assert.strictEqual(error._tag, "HeartbeatTimeout")
      assert.instanceOf(error, Error)
      assert.include(error.message, "ping")
      assert.include(error.message, "2 missed")
      assert.include(error.message, "3000 ms")
    })
  })
})
