import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import * as Client from "../src/Client.js"
import * as LatencyStats from "../src/LatencyStats.js"
import * as RateLimiter from "../src/RateLimiter.js"
import * as Telemetry from "../src/Telemetry.js"
import * as Testing from "../src/Testing.js"

let n = 0
const freshId = () => `obs-${++n}-${Math.random().toString(36).slice(2, 8)}`

const counter = (metric: Metric.Metric.Counter<number>, id: string, ...tags: ReadonlyArray<[string, string]>) =>
  Effect.map(
    Metric.value(tags.reduce((m, [k, v]) => Metric.tagged(m, k, v), Metric.tagged(metric, "client_id", id))),
    (s) => s.count
  )
/** histograms are one series for all clients: their count (read it before and after) */
const histogramCount = (metric: Metric.Metric.Histogram<number>) => Effect.map(Metric.value(metric), (s) => s.count)

describe("metrics move when their event happens", () => {
  it.scopedLive("upgrade, frames and bytes in/out, requests, timeouts, disconnects, reconnects, give-ups", () =>
    Effect.gen(function*() {
      const id = freshId()
      const server = yield* Testing.startMockServer({
        handler: (frame, connection) =>
          frame._tag === "Text" && frame.data.includes("\"slow\"")
            ? undefined
            : Testing.defaultHandler(frame, connection)
      })
      const upgradesBefore = yield* histogramCount(Telemetry.connectionUpgrade)
      const client = yield* Client.connect(server.url, { id, retryDelay: 5, jitter: false, retryCount: 1 })
      assert.strictEqual((yield* histogramCount(Telemetry.connectionUpgrade)) - upgradesBefore, 1)

      yield* Client.sendMessage(client, "hello")
      assert.strictEqual(yield* counter(Telemetry.messageSent, id, ["kind", "message"]), 1)
      assert.strictEqual(yield* counter(Telemetry.bytesSent, id, ["kind", "message"]), 5)

      const messages = yield* client.messagesScoped
      yield* server.injectMessage("abc")
      yield* server.injectMessage("defg")
      yield* messages.pipe(Stream.take(3), Stream.runDrain) // the echo of "hello" and the two injected frames
      yield* Effect.sleep("5 millis")
      assert.strictEqual(yield* counter(Telemetry.messageReceived, id), 3)
      assert.strictEqual(yield* counter(Telemetry.bytesReceived, id), "echo: hello".length + 3 + 4)

      const requestsBefore = yield* histogramCount(Telemetry.requestDuration)
      yield* Client.request(client, { method: "public/test" })
      assert.strictEqual(yield* counter(Telemetry.requestTotal, id), 1)
      // the request frame counts too, as a request
      assert.strictEqual(yield* counter(Telemetry.messageSent, id, ["kind", "request"]), 1)
      assert.strictEqual(yield* counter(Telemetry.messageSent, id, ["kind", "message"]), 1)
      assert.strictEqual((yield* histogramCount(Telemetry.requestDuration)) - requestsBefore, 1)
      yield* Effect.either(Client.request(client, { method: "slow" }, { timeout: 20 }))
      assert.strictEqual(yield* counter(Telemetry.requestTimeouts, id), 1)

      yield* server.simulateDisconnect(4001)
      yield* server.awaitConnections(2)
      yield* client.stateChanges.pipe(Stream.filter((s) => s === "connected"), Stream.take(1), Stream.runDrain)
      assert.strictEqual(yield* counter(Telemetry.connectionDisconnects, id, ["code", "4001"]), 1)
      assert.strictEqual(yield* counter(Telemetry.connectionReconnectAttempts, id), 1)

      yield* server.refuseConnections(true)
      yield* server.simulateDisconnect("abnormal")
      yield* client.stateChanges.pipe(Stream.filter((s) => s === "disconnected"), Stream.take(1), Stream.runDrain)
      assert.strictEqual(yield* counter(Telemetry.connectionGiveUps, id), 1)
      assert.strictEqual(yield* counter(Telemetry.connectionDisconnects, id, ["code", "1006"]), 1)
    }))

  it.scoped("heartbeat pong RTTs feed the histogram, the latency stats and the heartbeat health", () =>
    Effect.gen(function*() {
      const id = freshId()
      const server = yield* Testing.startMockServer()
      const pongsBefore = yield* histogramCount(Telemetry.heartbeatPong)
      const client = yield* Client.connect(server.url, { id, heartbeatConfig: { type: "ping", interval: 1000 } })
      assert.isTrue(Option.isNone(yield* Client.getLatencyStats(client)))
      for (let i = 0; i < 3; i++) {
        yield* TestClock.adjust("1 second")
        yield* server.awaitConnections(1)
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 15)))
      }
      yield* TestClock.adjust("1 second")
      const health = Option.getOrThrow(yield* Client.getHeartbeatHealth(client))
      assert.strictEqual(health.failures, 0)
      assert.isDefined(health.rttMs)
      assert.isAtLeast((yield* histogramCount(Telemetry.heartbeatPong)) - pongsBefore, 2)
      const stats = Option.getOrThrow(yield* Client.getLatencyStats(client))
      assert.isAtLeast(stats.count, 2)
    }))

  it.scopedLive("without a heartbeat, getHeartbeatHealth is None", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      assert.isTrue(Option.isNone(yield* Client.getHeartbeatHealth(client)))
    }))
})

describe("Telemetry service", () => {
  it.scopedLive("events stream and attached handlers see the client's events", () =>
    Effect.gen(function*() {
      const id = freshId()
      const server = yield* Testing.startMockServer()
      const seen = yield* Ref.make<Array<string>>([])
      const received = yield* Ref.make(0)
      const program = Effect.gen(function*() {
        const telemetry = yield* Telemetry.Telemetry
        yield* Telemetry.attach(Telemetry.names.messageReceived, (event) =>
          Ref.update(received, (total) => total + event.measurements.count))
        const subscription = yield* telemetry.subscribe
        const client = yield* Client.connect(server.url, { id })
        const messages = yield* client.messagesScoped
        yield* server.injectMessage("one")
        yield* server.injectMessage("two")
        yield* messages.pipe(Stream.take(2), Stream.runDrain)
        yield* Client.close(client)
        const all = yield* subscription.takeAll
        yield* Ref.set(
          seen,
          Chunk.toReadonlyArray(all).map((e) =>
            e.name.join(".")
          )
        )
      })
      yield* program.pipe(Effect.provide(Telemetry.layer))
      const names = yield* Ref.get(seen)
      assert.include(names, "zen_websocket.connection.upgrade")
      assert.include(names, "zen_websocket.client.message_received")
      assert.strictEqual(yield* Ref.get(received), 2)
    }))
})

describe("LatencyStats", () => {
  it.scopedLive("request round trips are sampled per client and in the shared collector", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const [own, shared] = yield* Effect.gen(function*() {
        const client = yield* Client.connect(server.url, { latencyBufferSize: 3 })
        for (let i = 0; i < 5; i++) yield* Client.request(client, { method: "public/test" })
        return [Option.getOrThrow(yield* Client.getLatencyStats(client)), yield* LatencyStats.summary] as const
      }).pipe(Effect.provide(LatencyStats.layer({ bufferSize: 10 })))
      assert.strictEqual(own.count, 3)
      assert.strictEqual(shared?.count, 5)
      assert.isAtLeast(own.p99, own.p50)
      assert.isAbove(own.last, 0)
    }))
})

describe("RateLimiter in the send path", () => {
  it.scoped("sends wait for tokens (TestClock), a full queue refuses with RateLimited and costs nothing", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const limiter = yield* RateLimiter.make({ capacity: 2, refillRate: 1, refillInterval: 1000, maxQueue: 1 })
      const client = yield* Client.connect(server.url).pipe(Effect.provideService(RateLimiter.RateLimiter, limiter))
      const events = yield* client.eventsScoped
      const rateLimited = yield* events.pipe(
        Stream.filter((e) => e._tag === "RateLimited"),
        Stream.take(1),
        Stream.runCollect,
        Effect.fork
      )
      yield* Client.sendMessage(client, "a")
      yield* Client.sendMessage(client, "b")
      const waiting = yield* Effect.fork(Client.sendMessage(client, "c"))
      yield* Effect.yieldNow()
      const refused = yield* Effect.flip(Client.sendMessage(client, "d"))
      assert.strictEqual(refused._tag, "RateLimited")
      assert.strictEqual((yield* RateLimiter.status(limiter)).queueSize, 1)
      yield* server.assertMessageSent("b")
      assert.isNull(waiting.unsafePoll())
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(waiting)
      yield* server.assertMessageSent("c")
      assert.isFalse((yield* server.receivedMessages).some((f) => f.data === "d"))
      assert.strictEqual(Chunk.size(yield* Fiber.join(rateLimited)), 1)
    }))

  it.scopedLive("requests and the subscription restore are paced through the limiter too", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const limiter = yield* RateLimiter.make({ capacity: 100, refillRate: 1, refillInterval: 60_000, cost: "deribit" })
      const client = yield* Client.connect(server.url, { retryDelay: 5, jitter: false }).pipe(
        Effect.provideService(RateLimiter.RateLimiter, limiter)
      )
      yield* Client.subscribe(client, ["ticker.BTC"])
      yield* Client.request(client, { method: "private/get_positions" })
      assert.strictEqual((yield* RateLimiter.status(limiter)).tokens, 100 - 1 - 5)
      yield* server.simulateDisconnect("abnormal")
      yield* client.events.pipe(
        Stream.filter((e) => e._tag === "SubscriptionsRestored"),
        Stream.take(1),
        Stream.runDrain
      )
      assert.strictEqual((yield* RateLimiter.status(limiter)).tokens, 100 - 1 - 5 - 1)
    }))
})

describe("spans", () => {
  /** a tracer that keeps the spans it made */
  const recordingTracer = () => {
    const spans: Array<Tracer.Span> = []
    const tracer = Tracer.make({
      span: (name, parent, context, links, startTime, kind) => {
        const span = new RecordedSpan(name, parent, context, links, startTime, kind)
        spans.push(span)
        return span
      },
      context: (f) => f()
    })
    return { spans, tracer }
  }

  it.scopedLive("connect and request make spans, children of the caller's span, when a tracer is installed", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const server = yield* Testing.startMockServer()
      yield* Effect.gen(function*() {
        const client = yield* Client.connect(server.url, { id: "traced" })
        yield* Client.request(client, { method: "public/test", id: 7 })
      }).pipe(Effect.withSpan("caller"), Effect.withTracer(tracer))
      const byName = new Map(spans.map((span) => [span.name, span]))
      const caller = byName.get("caller")
      const connect = byName.get("zen_websocket.connect")
      const request = byName.get("zen_websocket.request")
      assert.isDefined(connect)
      assert.isDefined(request)
      assert.strictEqual(Option.getOrThrow(request!.parent).spanId, caller!.spanId)
      assert.strictEqual(Option.getOrThrow(connect!.parent).spanId, caller!.spanId)
      const port = new URL(server.url).port
      const serverAttributes = {
        "url.full": `ws://127.0.0.1:${port}/ws`,
        "url.scheme": "ws",
        "server.address": "127.0.0.1",
        "server.port": Number(port),
        "network.protocol.name": "websocket"
      }
      assert.deepStrictEqual(Object.fromEntries(request!.attributes), {
        ...serverAttributes,
        "rpc.system": "jsonrpc",
        "rpc.method": "public/test",
        "rpc.jsonrpc.version": "2.0",
        "rpc.jsonrpc.request_id": "7",
        "zen_websocket.client_id": "traced"
      })
      assert.deepStrictEqual(Object.fromEntries(connect!.attributes), {
        ...serverAttributes,
        "zen_websocket.client_id": "traced"
      })
      assert.strictEqual(connect!.kind, "client")
      assert.strictEqual(request!.kind, "client")
      assert.strictEqual(request!.status._tag, "Ended")
    }))

  it.scopedLive("url.full has the URL's secrets masked; a Redacted URL shows only its server", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const server = yield* Testing.startMockServer()
      const port = new URL(server.url).port
      const secret = `ws://user:pw@127.0.0.1:${port}/ws?token=abc&depth=10`
      yield* Effect.gen(function*() {
        yield* Client.connect(secret, { id: "plain" })
        const hidden = yield* Client.connect(Redacted.make(server.url), { id: "hidden" })
        yield* Client.request(hidden, { method: "public/test" })
      }).pipe(Effect.withTracer(tracer))
      const connects = spans.filter((span) => span.name === "zen_websocket.connect")
      assert.strictEqual(connects[0].attributes.get("url.full"), `ws://***@127.0.0.1:${port}/ws?token=***&depth=10`)
      assert.strictEqual(connects[0].attributes.get("server.address"), "127.0.0.1")
      assert.strictEqual(connects[1].attributes.get("url.full"), "<redacted>")
      assert.strictEqual(connects[1].attributes.get("server.port"), Number(port))
      const request = spans.find((span) => span.name === "zen_websocket.request")
      assert.strictEqual(request!.attributes.get("url.full"), "<redacted>")
      assert.strictEqual(request!.attributes.get("server.address"), "127.0.0.1")
    }))

  it.scopedLive("a URL given as an Effect: the connect span gets its server once an attempt evaluated it", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const server = yield* Testing.startMockServer()
      const port = new URL(server.url).port
      yield* Client.connect(Effect.succeed(`${server.url}?access_token=fresh`), { id: "signed" }).pipe(
        Effect.withTracer(tracer)
      )
      const connect = spans.find((span) => span.name === "zen_websocket.connect")
      assert.strictEqual(connect!.attributes.get("url.full"), `ws://127.0.0.1:${port}/ws?access_token=***`)
      assert.strictEqual(connect!.attributes.get("server.port"), Number(port))
      assert.strictEqual(connect!.kind, "client")
    }))
})

let spanCount = 0

/** a span that keeps what it was told, like Effect's own in-memory one */
class RecordedSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId = `span-${++spanCount}`
  readonly traceId = "trace"
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  readonly links: Array<Tracer.SpanLink>
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind
  ) {
    this.status = { _tag: "Started", startTime }
    this.links = [...links]
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }
  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }
  event(): void {}
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
}
