/**
 * The demo's program (see `Demo.ts`): a client against an embedded mock exchange.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Client from "../Client.js"
import * as Recorder from "../Recorder.js"
import * as Testing from "../Testing.js"

const channel = "ticker.BTC-PERPETUAL.100ms"

const ticker = (n: number) =>
  JSON.stringify({
    jsonrpc: "2.0",
    method: "subscription",
    params: { channel, data: { instrument_name: "BTC-PERPETUAL", mark_price: 97_000 + n * 2.5, seq: n } }
  })

/** The exchange publishes a tick every 20 ms to whoever is connected. */
const publishTicks = (server: Testing.MockServer) =>
  Effect.iterate(1, {
    while: () => true,
    body: (n) => Effect.as(Effect.delay(server.injectMessage(ticker(n)), "20 millis"), n + 1)
  })

/** @internal (typed by `Demo.run`) */
export const run = (options?: {
  readonly log?: ((line: string) => Effect.Effect<void>) | undefined
  readonly directory?: string | undefined
}) =>
  Effect.gen(function*() {
    const log = options?.log ?? Effect.log
    const printFrames = (client: Client.Client, count: number) =>
      Client.stream(client, [channel]).pipe(
        Stream.take(count),
        Stream.runForEach((message) =>
          log(`  frame: ${message._tag === "Text" ? message.data : `<${message.data.length} bytes>`}`)
        )
      )

    const server = yield* Testing.startMockServer()
    const directory = options?.directory ?? Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-demo-"))
    const recording = Path.join(directory, "session.jsonl")
    yield* log(`mock exchange listening on ${server.url}`)

    const client = yield* Client.connect(server.url, {
      heartbeatConfig: { type: "ping", interval: 1_000 },
      retryDelay: 100,
      retryCount: Infinity,
      recordTo: recording
    })
    yield* log(`state: ${yield* Client.getState(client)}`)
    const events = yield* client.eventsScoped
    yield* events.pipe(Stream.runForEach((event) => log(`  event: ${event._tag}`)), Effect.forkScoped)
    yield* Effect.forkScoped(publishTicks(server))

    yield* log(`subscribing to ${channel}`)
    yield* printFrames(client, 3)

    const result = yield* Client.request(client, { method: "public/test" })
    yield* log(`request public/test -> ${JSON.stringify(result)}`)

    // a tracked subscription (Client.stream unsubscribes when it ends): restored after every reconnect
    yield* Client.subscribe(client, [channel])
    const lifecycle = yield* client.eventsScoped
    yield* log("the exchange restarts…")
    yield* server.restart
    yield* lifecycle.pipe(Stream.takeUntil((e) => e._tag === "Connected"), Stream.runDrain)
    yield* log(`state: ${yield* Client.getState(client)}, subscriptions: ${yield* Client.subscriptions(client)}`)
    yield* printFrames(client, 2)

    const latency = yield* Client.getLatencyStats(client)
    yield* log(`latency: ${
      Option.match(latency, {
        onNone: () => "no samples",
        onSome: (l) => `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms over ${l.count} round trips`
      })
    }`)

    yield* Client.close(client)
    yield* log(`state: ${yield* Client.getState(client)}`)
    const meta = yield* Recorder.metadata(recording)
    yield* log(`recorded ${meta.count} frames (${meta.inbound} in, ${meta.outbound} out) to ${recording}`)
  })
