import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Telemetry from "../src/Telemetry.js"

// the metrics are global: every test uses its own client ids
let nextId = 0
const freshId = () => `client-${++nextId}-${Math.random().toString(36).slice(2)}`

const counterOf = (metric: Metric.Metric.Counter<number>, id: string, ...tags: ReadonlyArray<[string, string]>) =>
  Effect.map(
    Metric.value(tags.reduce((m, [k, v]) => Metric.tagged(m, k, v), Metric.tagged(metric, "client_id", id))),
    (state) => state.count
  )

const gaugeOf = (metric: Metric.Metric.Gauge<number>, id: string) =>
  Effect.map(Metric.value(Metric.tagged(metric, "client_id", id)), (state) => state.value)

/** histograms are untagged (one series for all clients): what `effect` added to one */
const histogramDelta = <E, R>(metric: Metric.Metric.Histogram<number>, effect: Effect.Effect<unknown, E, R>) =>
  Effect.gen(function*() {
    const before = yield* Metric.value(metric)
    yield* effect
    const after = yield* Metric.value(metric)
    return { count: after.count - before.count, sum: after.sum - before.sum }
  })

/** runs `effect` and returns how much `read` moved */
const delta = <E, R, E2, R2>(read: Effect.Effect<number, E, R>, effect: Effect.Effect<unknown, E2, R2>) =>
  Effect.gen(function*() {
    const before = yield* read
    yield* effect
    return (yield* read) - before
  })

type Emit = (event: Telemetry.TelemetryEvent) => Effect.Effect<void>

// every metric test runs with `record` (no service) and with the service's `emit`
const emitters: ReadonlyArray<readonly [string, Effect.Effect<Emit>]> = [
  ["record", Effect.succeed(Telemetry.record)],
  ["Telemetry.emit", Effect.map(Telemetry.make(), (t) => t.emit)],
  ["emit without a service", Effect.succeed(Telemetry.emit)],
  [
    "emit with a service",
    Effect.map(Telemetry.make(), (t) => (e) => Effect.provideService(Telemetry.emit(e), Telemetry.Telemetry, t))
  ]
]

const ev = Telemetry.event

describe("Telemetry", () => {
  describe("names", () => {
    it("match the seed's events", () => {
      assert.deepStrictEqual(Telemetry.names.messageReceived, ["zen_websocket", "client", "message_received"])
      assert.deepStrictEqual(Telemetry.names.upgrade, ["zen_websocket", "connection", "upgrade"])
      assert.deepStrictEqual(Telemetry.names.pong, ["zen_websocket", "heartbeat", "pong"])
      assert.deepStrictEqual(Telemetry.names.pressure, ["zen_websocket", "rate_limiter", "pressure"])
    })

    it("each metric is registered under the seed's name, prefixed zen_websocket_", () => {
      const named = [
        [Telemetry.messageReceived, "zen_websocket_client_message_received"],
        [Telemetry.bytesReceived, "zen_websocket_client_bytes_received"],
        [Telemetry.messageSent, "zen_websocket_client_message_sent"],
        [Telemetry.bytesSent, "zen_websocket_client_bytes_sent"],
        [Telemetry.connectionUpgrade, "zen_websocket_connection_upgrade"],
        [Telemetry.heartbeatPong, "zen_websocket_heartbeat_pong"],
        [Telemetry.heartbeatMissed, "zen_websocket_heartbeat_missed"],
        [Telemetry.rateLimiterPressure, "zen_websocket_rate_limiter_pressure"],
        [Telemetry.rateLimiterQueueSize, "zen_websocket_rate_limiter_queue_size"],
        [Telemetry.rateLimiterRejections, "zen_websocket_rate_limiter_rejections"],
        [Telemetry.connectionDisconnects, "zen_websocket_connection_disconnects"],
        [Telemetry.connectionReconnectAttempts, "zen_websocket_connection_reconnect_attempts"],
        [Telemetry.connectionGiveUps, "zen_websocket_connection_give_ups"],
        [Telemetry.requestTotal, "zen_websocket_request_total"],
        [Telemetry.requestTimeouts, "zen_websocket_request_timeouts"],
        [Telemetry.requestDuration, "zen_websocket_request_duration"]
      ] as const
      for (const [metric, name] of named) {
        metric.register()
        const pair = Metric.unsafeSnapshot().find((p) => p.metricKey.name === name)
        assert.isDefined(pair, `${name} is registered`)
        assert.isTrue(Option.isSome(pair!.metricKey.description), `${name} has a description`)
      }
    })
  })

  for (const [label, makeEmit] of emitters) {
    describe(`metrics via ${label}`, () => {
      it.effect("message_received adds the chunk's frame count and bytes (count defaults to 1)", () =>
        Effect.gen(function*() {
          const emit = yield* makeEmit
          const id = freshId()
          const frames = counterOf(Telemetry.messageReceived, id)
          const bytes = counterOf(Telemetry.bytesReceived, id)
          const chunk = emit(ev(Telemetry.names.messageReceived, { count: 3, bytes: 120 }, { client_id: id }))
          assert.strictEqual(yield* delta(frames, chunk), 3)
          assert.strictEqual(yield* delta(bytes, chunk), 120)
          assert.strictEqual(
            yield* delta(frames, emit(ev(Telemetry.names.messageReceived, { bytes: 7 }, { client_id: id }))),
            1
          )
          assert.strictEqual(yield* counterOf(Telemetry.bytesReceived, id), 247)
          // another client's counters do not move
          const other = freshId()
          assert.strictEqual(yield* delta(counterOf(Telemetry.messageReceived, other), chunk), 0)
        }))

      it.effect("message_sent adds count and bytes", () =>
        Effect.gen(function*() {
          const emit = yield* makeEmit
          const id = freshId()
          const send = emit(ev(Telemetry.names.messageSent, { count: 2, bytes: 64 }, { client_id: id }))
          assert.strictEqual(yield* delta(counterOf(Telemetry.messageSent, id), send), 2)
          assert.strictEqual(yield* delta(counterOf(Telemetry.bytesSent, id), send), 64)
          // sent events do not count as received
          assert.strictEqual(yield* delta(counterOf(Telemetry.messageReceived, id), send), 0)
        }))

      it.effect("upgrade observes connect_time_ms", () =>
        Effect.gen(function*() {
          const emit = yield* makeEmit
          const id = freshId()
          const two = Effect.zipRight(
            emit(ev(Telemetry.names.upgrade, { connect_time_ms: 42 }, { client_id: id, url: "ws://x" })),
            emit(ev(Telemetry.names.upgrade, { connect_time_ms: 8 }, { client_id: id, url: "ws://x" }))
          )
          assert.deepStrictEqual(yield* histogramDelta(Telemetry.connectionUpgrade, two), { count: 2, sum: 50 })
          const tagged = yield* Metric.value(Metric.tagged(Telemetry.connectionUpgrade, "client_id", id))
          assert.strictEqual(tagged.count, 0, "histograms are not tagged by client")
        }))

      it.effect("pong observes rtt_ms", () =>
        Effect.gen(function*() {
          const emit = yield* makeEmit
          const id = freshId()
          const pong = emit(ev(Telemetry.names.pong, { rtt_ms: 0.75 }, { client_id: id, type: "ping_pong" }))
          assert.deepStrictEqual(yield* histogramDelta(Telemetry.heartbeatPong, pong), { count: 1, sum: 0.75 })
        }))

      it.effect("pressure sets the level and queue size gauges", () =>
        Effect.gen(function*() {
          const emit = yield* makeEmit
          const id = freshId()
          yield* emit(
            ev(Telemetry.names.pressure, { level: Telemetry.pressureLevels.high, queue_size: 5 }, { client_id: id })
          )
          assert.strictEqual(yield* gaugeOf(Telemetry.rateLimiterPressure, id), 2)
          assert.strictEqual(yield* gaugeOf(Telemetry.rateLimiterQueueSize, id), 5)
          yield* emit(ev(Telemetry.names.pressure, { level: 0, queue_size: 0 }, { client_id: id }))
          assert.strictEqual(yield* gaugeOf(Telemetry.rateLimiterPressure, id), 0)
          assert.strictEqual(yield* gaugeOf(Telemetry.rateLimiterQueueSize, id), 0)
        }))

      it.effect("disconnect counts per client_id and close code (absent code → \"unknown\")", () =>
        Effect.gen(function*() {
          const emit = yield* makeEmit
          const id = freshId()
          const c1006 = counterOf(Telemetry.connectionDisconnects, id, ["code", "1006"])
          const c1000 = counterOf(Telemetry.connectionDisconnects, id, ["code", "1000"])
          const unknown = counterOf(Telemetry.connectionDisconnects, id, ["code", "unknown"])
          const drop = emit(ev(Telemetry.names.disconnect, {}, { client_id: id, code: 1006, reason: "" }))
          assert.strictEqual(yield* delta(c1006, Effect.zipRight(drop, drop)), 2)
          assert.strictEqual(yield* delta(c1000, drop), 0)
          const normal = emit(ev(Telemetry.names.disconnect, {}, { client_id: id, code: 1000, reason: "bye" }))
          assert.strictEqual(yield* delta(c1000, normal), 1)
          assert.strictEqual(yield* delta(unknown, emit(ev(Telemetry.names.disconnect, {}, { client_id: id }))), 1)
        }))

      it.effect("reconnect, gave_up, heartbeat missed and rate-limiter rejections count 1 each", () =>
        Effect.gen(function*() {
          const emit = yield* makeEmit
          const id = freshId()
          const meta = { client_id: id }
          assert.strictEqual(
            yield* delta(
              counterOf(Telemetry.connectionReconnectAttempts, id),
              emit(ev(Telemetry.names.reconnect, { attempt: 4, delay_ms: 800 }, meta))
            ),
            1
          )
          assert.strictEqual(
            yield* delta(
              counterOf(Telemetry.connectionGiveUps, id),
              emit(ev(Telemetry.names.gaveUp, { attempts: 10 }, meta))
            ),
            1
          )
          assert.strictEqual(
            yield* delta(
              counterOf(Telemetry.heartbeatMissed, id),
              emit(ev(Telemetry.names.heartbeatMissed, { missed: 2 }, meta))
            ),
            1
          )
          assert.strictEqual(
            yield* delta(
              counterOf(Telemetry.rateLimiterRejections, id),
              emit(ev(Telemetry.names.rateLimited, { queue_size: 100 }, meta))
            ),
            1
          )
        }))

      it.effect("request counts a total and observes duration_ms; a timeout counts a total and a timeout", () =>
        Effect.gen(function*() {
          const emit = yield* makeEmit
          const id = freshId()
          const total = counterOf(Telemetry.requestTotal, id)
          const timeouts = counterOf(Telemetry.requestTimeouts, id)
          const done = emit(ev(Telemetry.names.request, { duration_ms: 12 }, { client_id: id, id: 1, outcome: "ok" }))
          assert.deepStrictEqual(
            yield* histogramDelta(Telemetry.requestDuration, delta(total, done)),
            { count: 1, sum: 12 }
          )
          assert.strictEqual(yield* counterOf(Telemetry.requestTimeouts, id), 0)
          const timedOut = emit(ev(Telemetry.names.requestTimeout, { timeout_ms: 5000 }, { client_id: id, id: 2 }))
          const before = yield* Effect.all([total, timeouts])
          assert.strictEqual((yield* histogramDelta(Telemetry.requestDuration, timedOut)).count, 0)
          const after = yield* Effect.all([total, timeouts])
          assert.deepStrictEqual([after[0] - before[0], after[1] - before[1]], [1, 1])
        }))
    })
  }

  describe("recording rules", () => {
    it.effect("a numeric client_id is tagged as its string; without client_id the untagged metric moves", () =>
      Effect.gen(function*() {
        const n = 900_000 + Math.floor(Math.random() * 100_000)
        const tagged = counterOf(Telemetry.messageSent, String(n))
        assert.strictEqual(
          yield* delta(tagged, Telemetry.record(ev(Telemetry.names.messageSent, { count: 1 }, { client_id: n }))),
          1
        )
        const untagged = Effect.map(Metric.value(Telemetry.messageSent), (s) => s.count)
        assert.strictEqual(
          yield* delta(untagged, Telemetry.record(ev(Telemetry.names.messageSent, { count: 4, bytes: 1 }))),
          4
        )
        assert.strictEqual(yield* delta(tagged, Telemetry.record(ev(Telemetry.names.messageSent, { count: 4 }))), 0)
      }))

    it.effect("non-finite measurements and negative counts are ignored; unknown names touch no metric", () =>
      Effect.gen(function*() {
        const id = freshId()
        const nan = Telemetry.record(ev(Telemetry.names.upgrade, { connect_time_ms: Number.NaN }, { client_id: id }))
        assert.strictEqual((yield* histogramDelta(Telemetry.connectionUpgrade, nan)).count, 0)
        const frames = counterOf(Telemetry.messageReceived, id)
        assert.strictEqual(
          yield* delta(
            frames,
            Telemetry.record(ev(Telemetry.names.messageReceived, { count: -5, bytes: Infinity }, { client_id: id }))
          ),
          0
        )
        assert.strictEqual(yield* counterOf(Telemetry.bytesReceived, id), 0)
        assert.strictEqual(
          yield* delta(
            frames,
            Telemetry.record(ev(["zen_websocket", "client", "other"], { count: 1 }, { client_id: id }))
          ),
          0
        )
      }))

    it.effect("names built by value (not the constants) record the same metrics", () =>
      Effect.gen(function*() {
        const id = freshId()
        const name = ["zen_websocket", "client", "message_received"]
        assert.strictEqual(
          yield* delta(
            counterOf(Telemetry.messageReceived, id),
            Telemetry.record(ev(name, { count: 2, bytes: 2 }, { client_id: id }))
          ),
          2
        )
      }))

    it("unsafeRecord updates synchronously", () => {
      const id = freshId()
      const metric = Metric.tagged(Telemetry.bytesReceived, "client_id", id)
      const before = metric.unsafeValue([]).count
      Telemetry.unsafeRecord(ev(Telemetry.names.messageReceived, { count: 1, bytes: 99 }, { client_id: id }))
      assert.strictEqual(metric.unsafeValue([]).count - before, 99)
    })
  })

  describe("events", () => {
    it.effect("the events stream sees emitted events in order", () =>
      Effect.gen(function*() {
        const telemetry = yield* Telemetry.Telemetry
        const id = freshId()
        const sent = [
          ev(Telemetry.names.upgrade, { connect_time_ms: 3 }, { client_id: id }),
          ev(Telemetry.names.messageReceived, { count: 2, bytes: 10 }, { client_id: id }),
          ev(["my_app", "custom"], { x: 1 }),
          ev(Telemetry.names.disconnect, {}, { client_id: id, code: 1006 }),
          ev(Telemetry.names.pong, { rtt_ms: 1 }, { client_id: id })
        ]
        // the forked stream subscribes asynchronously: emit probes until one arrives, then the real events
        const ready = yield* Deferred.make<void>()
        const isProbe = (e: Telemetry.TelemetryEvent) => e.name[0] === "probe"
        const fiber = yield* Telemetry.events.pipe(
          Stream.tap((e) => isProbe(e) ? Deferred.succeed(ready, void 0) : Effect.void),
          Stream.filter((e) => !isProbe(e)),
          Stream.take(sent.length),
          Stream.runCollect,
          Effect.fork
        )
        while (!(yield* Deferred.isDone(ready))) {
          yield* telemetry.emit(ev(["probe"], {}))
          yield* Effect.yieldNow()
        }
        for (const e of sent) yield* telemetry.emit(e)
        assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(fiber)), sent)
      }).pipe(Effect.provide(Telemetry.layer)))

    it.effect("subscribe sees every event emitted after it ran, in order", () =>
      Effect.gen(function*() {
        const telemetry = yield* Telemetry.Telemetry
        yield* telemetry.emit(ev(["before"], {}))
        const queue = yield* telemetry.subscribe
        const sent = Array.from({ length: 5 }, (_, i) => ev(Telemetry.names.pong, { rtt_ms: i }, { client_id: "s" }))
        for (const e of sent) yield* telemetry.emit(e)
        assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Queue.takeAll(queue)), sent)
      }).pipe(Effect.scoped, Effect.provide(Telemetry.layer)))

    it.effect("the module-level emit goes through the service in context: metrics, events and handlers", () =>
      Effect.gen(function*() {
        const telemetry = yield* Telemetry.Telemetry
        const queue = yield* telemetry.subscribe
        const handled: Array<Telemetry.TelemetryEvent> = []
        yield* Telemetry.attach(Telemetry.names.gaveUp, (e) => void handled.push(e))
        const id = freshId()
        const e = ev(Telemetry.names.gaveUp, { attempts: 3 }, { client_id: id })
        assert.strictEqual(yield* delta(counterOf(Telemetry.connectionGiveUps, id), Telemetry.emit(e)), 1)
        assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Queue.takeAll(queue)), [e])
        assert.deepStrictEqual(handled, [e])
      }).pipe(Effect.scoped, Effect.provide(Telemetry.layer)))

    it.effect("events of different services are separate", () =>
      Effect.gen(function*() {
        const a = yield* Telemetry.make()
        const b = yield* Telemetry.make()
        const qa = yield* a.subscribe
        const qb = yield* b.subscribe
        yield* a.emit(ev(["only", "a"], {}))
        assert.strictEqual(yield* Queue.size(qa), 1)
        assert.strictEqual(yield* Queue.size(qb), 0)
      }).pipe(Effect.scoped))

    it.effect("a subscriber that falls behind loses the oldest events, the emitter never waits", () =>
      Effect.gen(function*() {
        const t = yield* Telemetry.make({ capacity: 2 })
        const queue = yield* t.subscribe
        for (let i = 1; i <= 5; i++) yield* t.emit(ev(["n"], { i }))
        const got = yield* Queue.takeAll(queue)
        assert.deepStrictEqual(Chunk.toReadonlyArray(got).map((e) => e.measurements.i), [4, 5])
      }).pipe(Effect.scoped))
  })

  describe("attach", () => {
    it.effect("a handler gets only the events with its exact name, in emit order, before emit returns", () =>
      Effect.gen(function*() {
        const got: Array<number> = []
        const scope = yield* Scope.make()
        yield* Telemetry.attach(Telemetry.names.pong, (e) => {
          got.push(e.measurements.rtt_ms)
        }).pipe(Scope.extend(scope))
        const emit = (e: Telemetry.TelemetryEvent) => Effect.flatMap(Telemetry.Telemetry, (t) => t.emit(e))
        yield* emit(ev(Telemetry.names.pong, { rtt_ms: 1 }))
        assert.deepStrictEqual(got, [1])
        yield* emit(ev(Telemetry.names.upgrade, { connect_time_ms: 2 }))
        yield* emit(ev(["zen_websocket", "heartbeat"], { rtt_ms: 3 })) // a prefix is another name
        yield* emit(ev([...Telemetry.names.pong, "extra"], { rtt_ms: 4 }))
        yield* emit(ev(["zen_websocket", "heartbeat", "pong"], { rtt_ms: 5 })) // the same name, by value
        yield* emit(ev(Telemetry.names.pong, { rtt_ms: 6 }))
        assert.deepStrictEqual(got, [1, 5, 6])
        yield* Scope.close(scope, Exit.void)
      }).pipe(Effect.provide(Telemetry.layer)))

    it.effect("an Effect handler runs before emit returns, with the event", () =>
      Effect.gen(function*() {
        const got: Array<Telemetry.TelemetryEvent> = []
        yield* Telemetry.attach(Telemetry.names.upgrade, (e) => Effect.sync(() => got.push(e)))
        const e = ev(Telemetry.names.upgrade, { connect_time_ms: 9 }, { client_id: "x", url: "ws://h" })
        yield* Effect.flatMap(Telemetry.Telemetry, (t) => t.emit(e))
        assert.deepStrictEqual(got, [e])
      }).pipe(Effect.scoped, Effect.provide(Telemetry.layer)))

    it.effect("stops after its scope closes; other handlers on the same name stay", () =>
      Effect.gen(function*() {
        const t = yield* Telemetry.Telemetry
        const first: Array<number> = []
        const second: Array<number> = []
        const scope1 = yield* Scope.make()
        const scope2 = yield* Scope.make()
        yield* t.attach(["n"], (e) => void first.push(e.measurements.i)).pipe(Scope.extend(scope1))
        yield* t.attach(["n"], (e) => void second.push(e.measurements.i)).pipe(Scope.extend(scope2))
        yield* t.emit(ev(["n"], { i: 1 }))
        yield* Scope.close(scope1, Exit.void)
        yield* t.emit(ev(["n"], { i: 2 }))
        yield* Scope.close(scope2, Exit.void)
        yield* t.emit(ev(["n"], { i: 3 }))
        assert.deepStrictEqual(first, [1])
        assert.deepStrictEqual(second, [1, 2])
      }).pipe(Effect.provide(Telemetry.layer)))

    it.effect("the same function attached twice runs twice, and detaching one leaves the other", () =>
      Effect.gen(function*() {
        const t = yield* Telemetry.Telemetry
        const got: Array<number> = []
        const handler = (e: Telemetry.TelemetryEvent) => void got.push(e.measurements.i)
        const scope = yield* Scope.make()
        yield* t.attach(["n"], handler).pipe(Scope.extend(scope))
        yield* t.attach(["n"], handler)
        yield* t.emit(ev(["n"], { i: 1 }))
        yield* Scope.close(scope, Exit.void)
        yield* t.emit(ev(["n"], { i: 2 }))
        assert.deepStrictEqual(got, [1, 1, 2])
      }).pipe(Effect.scoped, Effect.provide(Telemetry.layer)))

    it.effect("a throwing, failing or dying handler is logged, stays attached, and breaks neither emit nor the others", () =>
      Effect.gen(function*() {
        const t = yield* Telemetry.Telemetry
        const got: Array<string> = []
        const logs: Array<string> = []
        const logger = Logger.make(({ message }) => {
          logs.push(String(Array.isArray(message) ? message[0] : message))
        })
        yield* t.attach(["n"], () => {
          got.push("throws")
          throw new Error("boom")
        })
        yield* t.attach(
          ["n"],
          () => Effect.zipRight(Effect.sync(() => got.push("fails")), Effect.fail("nope" as never))
        )
        yield* t.attach(["n"], () => Effect.zipRight(Effect.sync(() => got.push("dies")), Effect.die(new Error("x"))))
        yield* t.attach(["n"], () => void got.push("ok"))
        const id = freshId()
        const emitted = yield* t.emit(ev(["n"], {})).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Effect.exit
        )
        assert.isTrue(emitted._tag === "Success")
        assert.deepStrictEqual(got, ["throws", "fails", "dies", "ok"])
        assert.strictEqual(logs.length, 3)
        for (const line of logs) assert.include(line, "telemetry handler failed")
        // still attached: the next emit runs them all again, and metrics and the stream still work
        const queue = yield* t.subscribe
        const frames = counterOf(Telemetry.messageReceived, id)
        yield* t.attach(Telemetry.names.messageReceived, () => {
          throw new Error("boom")
        })
        const chunk = ev(Telemetry.names.messageReceived, { count: 2 }, { client_id: id })
        assert.strictEqual(
          yield* delta(frames, t.emit(chunk).pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))),
          2
        )
        assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Queue.takeAll(queue)), [chunk])
        yield* t.emit(ev(["n"], {})).pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
        assert.deepStrictEqual(got, ["throws", "fails", "dies", "ok", "throws", "fails", "dies", "ok"])
      }).pipe(Effect.scoped, Effect.provide(Telemetry.layer)))

    it.effect("a handler attached while an emit dispatches runs from the next emit on", () =>
      Effect.gen(function*() {
        const t = yield* Telemetry.Telemetry
        const got: Array<string> = []
        let attached = false
        yield* t.attach(["n"], () =>
          Effect.gen(function*() {
            got.push("first")
            if (attached) return
            attached = true
            yield* Effect.scoped(Effect.zipRight(t.attach(["n"], () => void got.push("gone")), Effect.void))
            yield* t.attach(["n"], () => void got.push("late")).pipe(Effect.provideService(Scope.Scope, scope))
          }))
        const scope = yield* Effect.scope
        yield* t.attach(["n"], () => void got.push("second"))
        yield* t.emit(ev(["n"], {}))
        assert.deepStrictEqual(got, ["first", "second"])
        yield* t.emit(ev(["n"], {}))
        assert.deepStrictEqual(got, ["first", "second", "first", "second", "late"])
      }).pipe(Effect.scoped, Effect.provide(Telemetry.layer)))
  })
})
