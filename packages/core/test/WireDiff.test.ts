/**
 * The wire-diff test (issue 13, Build 5): a peer logs every frame it received and sent, in order, per connection;
 * one session goes through plain sends, JSON-RPC requests, subscribes with acks and notifications, a ping heartbeat,
 * a drop by the server (reconnect, restore), a forced `Client.reconnect`, more traffic and a close. The telemetry of
 * that session (the `Telemetry` service's events, made by the real code paths, and the client's metric counters) is
 * then compared with the peer's log frame by frame: `message_sent` (kind, size) against what the peer received,
 * `message_received` (count, size per chunk) against what it sent, heartbeat events against the pings and pongs.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { AddressInfo } from "node:net"
import { WebSocketServer } from "ws"
import * as Client from "../src/Client.js"
import * as Telemetry from "../src/Telemetry.js"

/** one frame on the peer's side of the wire */
interface Logged {
  readonly dir: "in" | "out"
  readonly type: "text" | "binary" | "ping" | "pong"
  readonly bytes: number
  readonly text?: string
}

/**
 * A small JSON-RPC peer that logs every frame, per connection: requests get a `result`, subscribes the channel list
 * (then one notification per channel), plain text an echo. Pings are answered by `ws` (auto pong), logged both ways.
 */
const startPeer = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly server: WebSocketServer; readonly log: Array<Array<Logged>> }>(
    (resume) => {
      const server = new WebSocketServer({ host: "127.0.0.1", port: 0 })
      const log: Array<Array<Logged>> = []
      server.on("connection", (socket) => {
        const frames: Array<Logged> = []
        log.push(frames)
        const send = (text: string) => {
          socket.send(text)
          frames.push({ dir: "out", type: "text", bytes: Buffer.byteLength(text), text })
        }
        socket.on("ping", (data) => {
          frames.push({ dir: "in", type: "ping", bytes: data.length })
          // ws answers with a pong carrying the same payload (autoPong), while the socket is open
          if (socket.readyState === socket.OPEN) frames.push({ dir: "out", type: "pong", bytes: data.length })
        })
        socket.on("message", (data: Buffer, isBinary) => {
          if (isBinary) {
            frames.push({ dir: "in", type: "binary", bytes: data.length })
            if (socket.readyState !== socket.OPEN) return
            socket.send(data, { binary: true })
            frames.push({ dir: "out", type: "binary", bytes: data.length })
            return
          }
          const text = data.toString()
          frames.push({ dir: "in", type: "text", bytes: data.length, text })
          if (socket.readyState !== socket.OPEN) return
          let json: { id?: number; method?: string; params?: { channels?: Array<string> } } | undefined
          try {
            json = text.startsWith("{") ? JSON.parse(text) : undefined
          } catch {
            json = undefined
          }
          if (json?.id === undefined || json.method === undefined) return send(`echo: ${text}`)
          if (/^(public|private)\/(un)?subscribe$/.test(json.method)) {
            const channels = json.params?.channels ?? []
            send(JSON.stringify({ jsonrpc: "2.0", id: json.id, result: channels }))
            if (!json.method.endsWith("unsubscribe")) {
              for (const channel of channels) {
                send(JSON.stringify({
                  jsonrpc: "2.0",
                  method: "subscription",
                  params: { channel, data: { price: 97000.5, note: "prix en €" } }
                }))
              }
            }
            return
          }
          send(JSON.stringify({ jsonrpc: "2.0", id: json.id, result: { method: json.method, echo: "ünïcødé" } }))
        })
      })
      server.on("listening", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `ws://127.0.0.1:${port}`, server, log }))
      })
    }
  ),
  ({ server }) =>
    Effect.async<void>((resume) => {
      for (const client of server.clients) client.terminate()
      server.close(() => resume(Effect.void))
    })
)

/** polls `condition` every 5 ms for at most `ms` (a bounded wait: the assertions after it say what is missing) */
const waitFor = (condition: () => boolean, ms = 5_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + ms
    while (!condition() && Date.now() < deadline) yield* Effect.sleep("5 millis")
  })

const awaitConnected = (client: Client.Client) =>
  client.stateChanges.pipe(Stream.filter((s) => s === "connected"), Stream.take(1), Stream.runDrain)

const isEvent = (event: Telemetry.TelemetryEvent, name: ReadonlyArray<string>) =>
  event.name.length === name.length && event.name.every((part, i) => part === name[i])

/** what a frame the peer received was, from its content (the restore frames by where they are) */
const expectedKind = (frame: Logged, restoring: boolean): Telemetry.FrameKind => {
  if (frame.type === "ping") return "heartbeat"
  if (restoring) return "restore"
  const text = frame.text ?? ""
  if (/"method":"(public|private)\/(un)?subscribe"/.test(text)) return "subscribe"
  if (text.startsWith("{") && text.includes("\"id\":")) return "request"
  return "message"
}

const counter = (metric: Metric.Metric.Counter<number>, id: string, kind?: Telemetry.FrameKind) =>
  Effect.map(
    Metric.value(
      kind === undefined
        ? metric.pipe(Metric.tagged("client_id", id))
        : metric.pipe(Metric.tagged("client_id", id), Metric.tagged("kind", kind))
    ),
    (state) => state.count
  )

describe("wire diff: the telemetry of a session against the frames a peer logged", () => {
  it.scopedLive(
    "sends, requests, subscribes, heartbeats, a drop, a forced reconnect: frame by frame",
    () =>
      Effect.gen(function*() {
        const peer = yield* startPeer
        const telemetry = yield* Telemetry.make({ capacity: 100_000 })
        const queue = yield* telemetry.subscribe
        const id = `wire-diff-${Math.random().toString(36).slice(2, 10)}`
        const received = () => peer.log.flat().filter((f) => f.dir === "in")
        const pings = () => received().filter((f) => f.type === "ping").length
        const dataIn = (n: number) => peer.log[n]?.filter((f) => f.dir === "in" && f.type !== "ping") ?? []

        const client = yield* Client.connect(peer.url, {
          id,
          retryDelay: 5,
          jitter: false,
          heartbeatConfig: { type: "ping", interval: 25, maxMissed: 50 }
        }).pipe(Effect.provideService(Telemetry.Telemetry, telemetry))

        // connection 1: plain sends (one not ASCII), requests, subscribes with acks, a few heartbeats
        yield* Client.sendMessage(client, "hello")
        yield* Client.sendMessage(client, "bonjour, ça va ? €")
        yield* Client.sendMessage(client, new Uint8Array([1, 2, 3, 4, 5]))
        yield* Client.request(client, { method: "public/get_time" })
        yield* Client.request(client, { method: "public/ticker", params: { instrument_name: "BTC-PERPETUAL" } })
        yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms", "book.ETH-PERPETUAL.100ms"])
        yield* Client.subscribe(client, ["trades.BTC-PERPETUAL.raw"])
        yield* Client.unsubscribe(client, ["book.ETH-PERPETUAL.100ms"])
        const pingsBefore = pings()
        yield* waitFor(() => pings() >= pingsBefore + 2)

        // connection 2: the server drops the link; the client reconnects and restores its two channels
        for (const socket of peer.server.clients) socket.close(4001, "maintenance")
        yield* waitFor(() => peer.log.length >= 2 && dataIn(1).length >= 1)
        yield* awaitConnected(client)
        yield* Client.sendMessage(client, "after the drop")
        yield* Client.request(client, { method: "public/test" })
        yield* Client.subscribe(client, ["ticker.ETH-PERPETUAL.100ms"])

        // connection 3: a forced reconnect, restore (three channels now), more traffic
        yield* Client.reconnect(client)
        yield* waitFor(() => peer.log.length >= 3 && dataIn(2).length >= 1)
        yield* awaitConnected(client)
        yield* Client.sendMessage(client, "after the forced reconnect")
        const pingsNow = pings()
        yield* waitFor(() => pings() >= pingsNow + 1)
        // the last frames in: answers to requests, which no reader sees (they still count)
        yield* Client.request(client, { method: "private/get_positions", params: { currency: "BTC" } })
        yield* Client.request(client, { method: "public/get_time" })
        yield* Client.close(client)

        // every frame the peer logged, and the events of the same session
        yield* waitFor(() => peer.log.every((frames) => frames.length > 0))
        const events: Array<Telemetry.TelemetryEvent> = []
        const inbound = peer.log.flat().filter((f) => f.dir === "out" && f.type !== "pong")
        yield* Effect.gen(function*() {
          const deadline = Date.now() + 5_000
          const count = (name: ReadonlyArray<string>) => events.filter((e) => isEvent(e, name)).length
          const receivedCount = () =>
            events.filter((e) => isEvent(e, Telemetry.names.messageReceived)).reduce(
              (n, e) => n + (e.measurements.count ?? 0),
              0
            )
          while (Date.now() < deadline) {
            events.push(...Chunk.toReadonlyArray(yield* Queue.takeAll(queue)))
            if (count(Telemetry.names.messageSent) >= received().length && receivedCount() >= inbound.length) break
            yield* Effect.sleep("5 millis")
          }
        })

        const wireIn = received() // what the client sent, in wire order, all connections one after the other
        const sent = events.filter((e) => isEvent(e, Telemetry.names.messageSent))
        assert.strictEqual(peer.log.length, 3, "three connections")
        assert.isAtLeast(wireIn.filter((f) => f.type === "ping").length, 3)

        // message_sent: one event per frame the peer received, same order, same size, the kind of what it was
        assert.deepStrictEqual(
          sent.map((e) => e.measurements.size),
          wireIn.map((f) => f.bytes),
          "message_sent sizes, in order, against the frames the peer received"
        )
        const expectedKinds: Array<Telemetry.FrameKind> = []
        peer.log.forEach((frames, connection) => {
          // on connections 2 and 3, what comes before the test's first frame there is the restore
          let restoring = connection > 0
          for (const frame of frames) {
            if (frame.dir !== "in") continue
            if (restoring && frame.type === "text" && frame.text!.startsWith("after")) restoring = false
            expectedKinds.push(expectedKind(frame, restoring))
          }
        })
        assert.deepStrictEqual(sent.map((e) => e.metadata.kind), expectedKinds, "message_sent kinds, in order")
        assert.strictEqual(expectedKinds.filter((k) => k === "restore").length, 2, "one restore subscribe each time")

        // message_received: chunks of the frames the peer sent (pongs are control frames), in order, same sizes
        const chunks = events.filter((e) => isEvent(e, Telemetry.names.messageReceived))
        let at = 0
        for (const chunk of chunks) {
          const count = chunk.measurements.count!
          assert.isAtLeast(count, 1)
          const frames = inbound.slice(at, at + count)
          assert.strictEqual(frames.length, count, `chunk at frame ${at}: more frames counted than the peer sent`)
          assert.strictEqual(chunk.measurements.size, frames.reduce((n, f) => n + f.bytes, 0), `chunk at frame ${at}`)
          assert.strictEqual(chunk.measurements.bytes, chunk.measurements.size)
          at += count
        }
        assert.strictEqual(at, inbound.length, "message_received counted every frame the peer sent")

        // heartbeats: the pings are exact (message_sent kind heartbeat above); a pong is timed when it answers the
        // ping still outstanding, and a heartbeat step reports the last RTT measured: a pong late for its ping, or one
        // measured just before a link ends, makes no event, so pong events are at most the pongs the peer sent
        const pongsSent = peer.log.flat().filter((f) => f.type === "pong").length
        const pongEvents = events.filter((e) => isEvent(e, Telemetry.names.pong))
        assert.isAtMost(pongEvents.length, pongsSent)
        assert.isAtLeast(pongEvents.length, 1)
        for (const pong of pongEvents) {
          assert.strictEqual(pong.metadata.type, "ping")
          assert.isAtLeast(pong.measurements.rtt_ms!, 0)
        }
        assert.strictEqual(events.filter((e) => isEvent(e, Telemetry.names.upgrade)).length, 3)
        assert.strictEqual(events.find((e) => isEvent(e, Telemetry.names.disconnect))?.metadata.code, 4001)
        assert.deepStrictEqual(
          events.filter((e) => isEvent(e, Telemetry.names.subscriptionsRestored)).map((e) =>
            e.measurements.channel_count
          ),
          [2, 3]
        )

        // the counters: by kind, and the totals, against the peer's log
        for (const kind of Telemetry.frameKinds) {
          assert.strictEqual(
            yield* counter(Telemetry.messageSent, id, kind),
            expectedKinds.filter((k) => k === kind).length,
            kind
          )
        }
        let framesSent = 0
        let bytesSent = 0
        for (const kind of Telemetry.frameKinds) {
          framesSent += yield* counter(Telemetry.messageSent, id, kind)
          bytesSent += yield* counter(Telemetry.bytesSent, id, kind)
        }
        assert.strictEqual(framesSent, wireIn.length)
        assert.strictEqual(bytesSent, wireIn.reduce((n, f) => n + f.bytes, 0))
        assert.strictEqual(yield* counter(Telemetry.messageReceived, id), inbound.length)
        assert.strictEqual(yield* counter(Telemetry.bytesReceived, id), inbound.reduce((n, f) => n + f.bytes, 0))
      }),
    { timeout: 30_000 }
  )
})
