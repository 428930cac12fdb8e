import { assert, describe, it } from "@effect/vitest"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import type { HeartbeatConfig } from "../src/ClientOptions.js"
import * as Heartbeat from "../src/Heartbeat.js"
import * as HeartbeatScheduler from "../src/internal/heartbeatScheduler.js"
import { at } from "./utils/clock.js"

interface Death {
  readonly at: number
  readonly type: string
  readonly missed: number
  readonly silentMs: number
}

interface Options {
  readonly clock?: Clock.Clock
  readonly onMissed?: (missed: number) => Effect.Effect<void>
  readonly onDeadThrows?: boolean
  readonly scope?: Scope.CloseableScope
}

// A heartbeat over an in-memory link that records when (Clock ms) it pinged, sent, missed and died.
const build = (config: HeartbeatConfig, options: Options = {}) =>
  Effect.gen(function*() {
    const clock = options.clock ?? (yield* Effect.clock)
    const now = () => clock.unsafeCurrentTimeMillis()
    const pings: Array<number> = []
    const payloads: Array<Uint8Array> = []
    const sent: Array<number> = []
    const missed: Array<number> = []
    const rtts: Array<number> = []
    const deaths: Array<Death> = []
    let frames = 0
    const link: Heartbeat.Link = {
      ping: (payload) => {
        pings.push(now())
        payloads.push(payload)
      },
      send: () => {
        sent.push(now())
      },
      inboundFrames: () => frames
    }
    const hooks: Heartbeat.Hooks = {
      onMissed: (n) => Effect.zipRight(Effect.sync(() => missed.push(n)), options.onMissed?.(n) ?? Effect.void),
      onRtt: (ms) => Effect.sync(() => rtts.push(ms))
    }
    const hb = yield* Effect.withClock(Heartbeat.make(config, link, hooks), clock)
    const die = (timeout: Heartbeat.HeartbeatTimeout) => {
      deaths.push({ at: now(), type: timeout.type, missed: timeout.missed, silentMs: timeout.silentMs })
    }
    const frame = () => {
      frames++
    }
    return { hb, pings, payloads, sent, missed, rtts, deaths, die, frame }
  })

/** Registers a heartbeat on the scheduler in a scope of its own. */
const enlist = (config: HeartbeatConfig, options: Options = {}) =>
  Effect.gen(function*() {
    const env = yield* build(config, options)
    const scope = options.scope ?? (yield* Scope.make())
    const onDead = (timeout: Heartbeat.HeartbeatTimeout) => {
      env.die(timeout)
      if (options.onDeadThrows) throw new Error("onDead boom")
    }
    yield* Scope.extend(HeartbeatScheduler.register(env.hb, onDead), scope)
    yield* Effect.yieldNow()
    return { ...env, close: Scope.close(scope, Exit.void) }
  })

/** The same heartbeat on a fiber of its own (`run`). */
const runAlone = (config: HeartbeatConfig) =>
  Effect.gen(function*() {
    const env = yield* build(config)
    yield* Effect.fork(Effect.catchAll(env.hb.run, (timeout) => Effect.sync(() => env.die(timeout))))
    yield* Effect.yieldNow()
    return env
  })

const fibers = Effect.map(Effect.clock, HeartbeatScheduler.fiberCount)

const expectFibers = (n: number) => Effect.map(fibers, (count) => assert.strictEqual(count, n, "scheduler fibers"))

/** `from`, `from + step`, … up to `to` included. */
const times = (from: number, to: number, step: number) => {
  const out: Array<number> = []
  for (let t = from; t <= to; t += step) out.push(t)
  return out
}

describe("HeartbeatScheduler", () => {
  describe("runs every strategy exactly as run does", () => {
    // a pong answering the first ping at 1037, frames at 1300 and 2700 (credited at the next wake), a ping hook at
    // 3300 (timed exactly), then silence
    const cases: ReadonlyArray<readonly [HeartbeatConfig, Death]> = [
      [{ type: "ping", interval: 1000 }, { at: 6000, type: "ping", missed: 2, silentMs: 2700 }],
      [{ type: "custom", interval: 1000, message: "hb" }, { at: 6000, type: "custom", missed: 2, silentMs: 2700 }],
      // W = 2000: checks every 500, the last one 300 after the previous (at 3300 + W)
      [{ type: "pong", interval: 1000 }, { at: 5300, type: "pong", missed: 1, silentMs: 2000 }],
      [{ type: "deribit", interval: 1000 }, { at: 5300, type: "deribit", missed: 1, silentMs: 2000 }]
    ]
    for (const [config, death] of cases) {
      it.effect(config.type, () =>
        Effect.gen(function*() {
          const alone = yield* runAlone(config)
          const shared = yield* enlist(config)
          const both = [alone, shared]
          yield* at(1037)
          both.forEach((env) => env.hb.onPong(env.payloads[0] ?? new Uint8Array(0)))
          yield* at(1300)
          both.forEach((env) => env.frame())
          yield* at(2700)
          both.forEach((env) => env.frame())
          yield* at(3300)
          both.forEach((env) => env.hb.onPing(new Uint8Array(0)))
          yield* at(death.at - 1)
          assert.deepStrictEqual(shared.deaths, [])
          yield* at(death.at)
          assert.deepStrictEqual(shared.deaths, [death])
          yield* at(20000)
          assert.deepStrictEqual(shared.deaths, [death])
          if (config.type === "ping") assert.deepStrictEqual(shared.rtts, [37])
          const { deaths, missed, pings, rtts, sent } = alone
          assert.deepStrictEqual(
            { pings: shared.pings, sent: shared.sent, missed: shared.missed, rtts: shared.rtts, deaths: shared.deaths },
            { pings, sent, missed, rtts, deaths }
          )
          assert.deepStrictEqual(shared.hb.health(), alone.hb.health())
        }))
    }
  })

  it.effect("heartbeats registered at different times share one fiber and each keeps its own schedule", () =>
    Effect.gen(function*() {
      const a = yield* enlist({ type: "ping", interval: 1000 })
      yield* at(300)
      const b = yield* enlist({ type: "custom", interval: 1000, message: "hb" })
      yield* at(650)
      const c = yield* enlist({ type: "pong", interval: 3000, timeout: 1000 }) // W = 4000: period 1000 too
      yield* expectFibers(1)
      // a frame every 500 ms, never at a wake, until 5100
      for (let t = 1100; t <= 5100; t += 500) {
        yield* at(t)
        for (const env of [a, b, c]) env.frame()
      }
      yield* expectFibers(1)
      yield* at(20000)
      assert.deepStrictEqual(a.pings, times(1000, 7000, 1000))
      assert.deepStrictEqual(b.sent, times(1300, 6300, 1000))
      assert.deepStrictEqual(a.deaths, [{ at: 8000, type: "ping", missed: 2, silentMs: 2000 }])
      assert.deepStrictEqual(b.deaths, [{ at: 7300, type: "custom", missed: 2, silentMs: 2000 }])
      // the last frame (5100) is credited at the check of 5650
      assert.deepStrictEqual(c.deaths, [{ at: 9650, type: "pong", missed: 1, silentMs: 4000 }])
      yield* expectFibers(0)
    }))

  it.effect("a heartbeat registered while the fiber sleeps wakes on its own schedule, not the fiber's", () =>
    Effect.gen(function*() {
      const a = yield* enlist({ type: "ping", interval: 1000 })
      yield* at(400) // the fiber sleeps until 1000
      const b = yield* enlist({ type: "ping", interval: 1000 })
      yield* at(1000)
      assert.deepStrictEqual(a.pings, [1000])
      assert.deepStrictEqual(b.pings, [])
      yield* at(1399)
      assert.deepStrictEqual(b.pings, [])
      yield* at(1400)
      assert.deepStrictEqual(b.pings, [1400])
      yield* at(1700) // the fiber sleeps until 2000
      const c = yield* enlist({ type: "pong", interval: 3000, timeout: 1000 })
      yield* at(5699)
      assert.deepStrictEqual(c.deaths, [])
      yield* at(5700)
      assert.deepStrictEqual(c.deaths, [{ at: 5700, type: "pong", missed: 1, silentMs: 4000 }])
      assert.deepStrictEqual(a.deaths.map((d) => d.at), [3000])
      assert.deepStrictEqual(b.deaths.map((d) => d.at), [3400])
      yield* expectFibers(0)
    }))

  it.effect("a heartbeat whose scope closed never steps again; the others go on", () =>
    Effect.gen(function*() {
      const a = yield* enlist({ type: "ping", interval: 1000 })
      const b = yield* enlist({ type: "ping", interval: 1000 })
      yield* at(1500)
      a.frame()
      yield* b.close
      for (let t = 2500; t <= 5500; t += 1000) {
        yield* at(t)
        a.frame()
      }
      yield* at(6000)
      assert.deepStrictEqual(a.pings, times(1000, 6000, 1000))
      assert.deepStrictEqual(b.pings, [1000])
      yield* at(20000)
      assert.deepStrictEqual(b.pings, [1000])
      assert.deepStrictEqual(b.missed, [])
      assert.deepStrictEqual(b.deaths, [])
      assert.deepStrictEqual(a.deaths.map((d) => d.at), [8000])
    }))

  it.effect("a heartbeat dropped during a wake is not stepped in it, though due (ties run in registration order)", () =>
    Effect.gen(function*() {
      const scopeB = yield* Scope.make()
      // a and b are both due at 1000, 2000, …: a first, and its miss at 2000 closes b's scope
      const a = yield* enlist({ type: "ping", interval: 1000 }, { onMissed: () => Scope.close(scopeB, Exit.void) })
      const b = yield* enlist({ type: "ping", interval: 1000 }, { scope: scopeB })
      yield* at(1000)
      assert.deepStrictEqual(b.pings, [1000])
      yield* at(2000)
      assert.deepStrictEqual(a.missed, [1])
      assert.deepStrictEqual(a.pings, [1000, 2000])
      assert.deepStrictEqual(b.pings, [1000])
      yield* at(5000)
      assert.deepStrictEqual(b.pings, [1000])
      assert.deepStrictEqual(b.deaths, [])
    }))

  it.effect("a heartbeat whose scope closes during its own step is neither queued again nor declared dead", () =>
    Effect.gen(function*() {
      const scopeA = yield* Scope.make()
      const scopeB = yield* Scope.make()
      const closeA = () => Scope.close(scopeA, Exit.void)
      const closeB = () => Scope.close(scopeB, Exit.void)
      // a closes at its first miss (2000), then its step still pings; b closes at its fatal miss (2000)
      const a = yield* enlist({ type: "ping", interval: 1000, maxMissed: 3 }, { onMissed: closeA, scope: scopeA })
      const b = yield* enlist({ type: "ping", interval: 1000, maxMissed: 1 }, { onMissed: closeB, scope: scopeB })
      yield* at(10000)
      assert.deepStrictEqual(a.pings, [1000, 2000])
      assert.deepStrictEqual(a.missed, [1])
      assert.deepStrictEqual(b.missed, [1])
      assert.deepStrictEqual(b.deaths, [])
      yield* expectFibers(0)
    }))

  it.effect("a dead heartbeat calls onDead once, at exactly interval × (maxMissed + 1); the others go on", () =>
    Effect.gen(function*() {
      const dead = yield* enlist({ type: "ping", interval: 1000 })
      const alive = yield* enlist({ type: "ping", interval: 1000 })
      yield* at(500)
      alive.frame()
      yield* at(1500)
      alive.frame()
      yield* at(2500)
      alive.frame()
      yield* at(2999)
      assert.deepStrictEqual(dead.deaths, [])
      yield* at(3000)
      assert.deepStrictEqual(dead.deaths, [{ at: 3000, type: "ping", missed: 2, silentMs: 3000 }])
      for (let t = 3500; t <= 9500; t += 1000) {
        yield* at(t)
        alive.frame()
      }
      yield* at(10000)
      assert.deepStrictEqual(dead.deaths.length, 1)
      assert.deepStrictEqual(dead.pings, [1000, 2000])
      assert.deepStrictEqual(dead.missed, [1, 2])
      assert.deepStrictEqual(alive.pings, times(1000, 10000, 1000))
      assert.deepStrictEqual(alive.deaths, [])
      yield* expectFibers(1)
    }))

  it.effect("a step that dies, or an onDead that throws, is logged and dropped; the others go on", () => {
    const logs: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      logs.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
    })
    return Effect.gen(function*() {
      const defective = yield* enlist({ type: "ping", interval: 1000 }, { onMissed: () => Effect.dieMessage("boom") })
      const throwing = yield* enlist({ type: "ping", interval: 1000 }, { onDeadThrows: true })
      const healthy = yield* enlist({ type: "ping", interval: 1000 })
      for (let t = 500; t <= 5500; t += 1000) {
        yield* at(t)
        healthy.frame()
      }
      yield* at(6000)
      assert.deepStrictEqual(defective.pings, [1000]) // died in its step at 2000, before sending
      assert.deepStrictEqual(defective.deaths, [])
      assert.deepStrictEqual(throwing.deaths.map((d) => d.at), [3000])
      assert.deepStrictEqual(healthy.pings, times(1000, 6000, 1000))
      assert.deepStrictEqual(logs, [
        "ERROR Heartbeat step died; the heartbeat is dropped",
        "ERROR Heartbeat onDead threw"
      ])
      yield* expectFibers(1)
    }).pipe(Effect.provide(Logger.add(logger)))
  })

  it.effect("heartbeats of different periods run on their own fibers without interfering", () =>
    Effect.gen(function*() {
      const slow = yield* enlist({ type: "ping", interval: 1000 })
      const passive = yield* enlist({ type: "pong", interval: 500 }) // W = 1000: period 250
      const fast = yield* enlist({ type: "ping", interval: 300 })
      yield* expectFibers(3)
      yield* at(899)
      assert.deepStrictEqual(fast.deaths, [])
      yield* at(900)
      assert.deepStrictEqual(fast.deaths.map((d) => d.at), [900])
      yield* at(999)
      assert.deepStrictEqual(passive.deaths, [])
      yield* at(1000)
      assert.deepStrictEqual(passive.deaths, [{ at: 1000, type: "pong", missed: 1, silentMs: 1000 }])
      yield* expectFibers(1)
      yield* at(5000)
      assert.deepStrictEqual(fast.pings, [300, 600])
      assert.deepStrictEqual(slow.pings, [1000, 2000])
      assert.deepStrictEqual(slow.deaths.map((d) => d.at), [3000])
      yield* expectFibers(0)
    }))

  it.effect("each Clock has its own schedulers", () =>
    Effect.gen(function*() {
      // a TestClock of its own (made apart: providing TestContext here would replace this test's Clock)
      const other = Effect.runSync(Effect.provide(TestClock.testClock(), TestContext.TestContext))
      const here = yield* enlist({ type: "ping", interval: 1000 })
      const there = yield* enlist({ type: "ping", interval: 1000 }, { clock: other })
      assert.strictEqual(there.hb.beat.clock, other)
      yield* expectFibers(1)
      assert.strictEqual(HeartbeatScheduler.fiberCount(other), 1)
      yield* at(2000)
      assert.deepStrictEqual(here.pings, [1000, 2000])
      assert.deepStrictEqual(there.pings, [])
      yield* other.setTime(1000)
      assert.deepStrictEqual(there.pings, [1000])
      assert.deepStrictEqual(here.pings, [1000, 2000])
    }))

  it.effect("the fiber ends with its last registration, and a later registration starts a new one", () =>
    Effect.gen(function*() {
      yield* expectFibers(0)
      const a = yield* enlist({ type: "ping", interval: 1000 })
      const b = yield* enlist({ type: "ping", interval: 1000 })
      yield* expectFibers(1)
      yield* at(1500)
      yield* a.close
      yield* at(2500)
      yield* b.close
      yield* at(3000) // its next wake finds nothing left
      yield* expectFibers(0)
      assert.deepStrictEqual(b.pings, [1000, 2000])
      yield* at(3500)
      const c = yield* enlist({ type: "ping", interval: 1000 })
      yield* expectFibers(1)
      yield* at(4499)
      assert.deepStrictEqual(c.pings, [])
      yield* at(4500)
      assert.deepStrictEqual(c.pings, [4500])
      assert.deepStrictEqual(a.pings, [1000])
      assert.deepStrictEqual(b.pings, [1000, 2000])
    }))

  it.effect("many registrations and removals keep every schedule exact", () =>
    Effect.gen(function*() {
      // three heartbeats every 10 ms over one period; a third of them closed after 0, 1 or 2 pings
      type Env = Effect.Effect.Success<ReturnType<typeof enlist>>
      const events: Array<{ readonly at: number; readonly run: () => Effect.Effect<void> }> = []
      const registered: Array<{ readonly at: number; readonly closeAt: number | undefined; env?: Env }> = []
      for (let i = 0; i < 300; i++) {
        const start = Math.floor(i / 3) * 10
        const closeAt = i % 3 === 0 ? start + 555 + 1000 * (i % 9 / 3) : undefined
        const entry: (typeof registered)[number] = { at: start, closeAt }
        registered.push(entry)
        events.push({
          at: start,
          run: () => Effect.map(enlist({ type: "ping", interval: 1000 }), (env) => void (entry.env = env))
        })
        if (closeAt !== undefined) events.push({ at: closeAt, run: () => entry.env!.close })
      }
      events.sort((x, y) => x.at - y.at)
      for (const event of events) {
        yield* at(event.at)
        yield* event.run()
      }
      yield* expectFibers(1)
      yield* at(10000)
      for (const { at: start, closeAt, env } of registered) {
        const pings = [start + 1000, start + 2000].filter((t) => closeAt === undefined || t < closeAt)
        assert.deepStrictEqual(env!.pings, pings, `registered at ${start}`)
        assert.deepStrictEqual(
          env!.deaths.map((d) => d.at),
          closeAt === undefined ? [start + 3000] : [],
          `registered at ${start}`
        )
      }
      yield* expectFibers(0)
    }))

  it.effect("every strategy waits exactly one period before its first wake", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [HeartbeatConfig, number]> = [
        [{ type: "ping", interval: 1000 }, 1000],
        [{ type: "custom", interval: 700, message: "hb" }, 700],
        [{ type: "pong", interval: 1000, timeout: 300 }, 325],
        [{ type: "deribit", interval: 1000 }, 500]
      ]
      for (const [config, period] of cases) {
        const { hb } = yield* build(config)
        assert.strictEqual(hb.beat.period, period, config.type)
        assert.strictEqual(hb.beat.first, period, config.type)
      }
    }))
})
