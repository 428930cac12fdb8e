/**
 * The demo: a client against an embedded mock exchange (no internet). It connects, subscribes to a ticker, prints the
 * streamed frames, makes a correlated request and closes.
 *
 * Run: pnpm demo
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { Client, ClientEvent, Testing } from "../src/index.js"

const channel = "ticker.BTC-PERPETUAL.100ms"

const ticker = (n: number) =>
  JSON.stringify({
    jsonrpc: "2.0",
    method: "subscription",
    params: { channel, data: { instrument_name: "BTC-PERPETUAL", mark_price: 97_000 + n * 2.5, seq: n } }
  })

const program = Effect.gen(function*() {
  const server = yield* Testing.startMockServer()
  yield* Console.log(`mock exchange listening on ${server.url}`)

  const client = yield* Client.connect(server.url, { heartbeatConfig: { type: "ping", interval: 1_000 } })
  yield* Console.log(`state: ${yield* Client.getState(client)}`)
  yield* client.events.pipe(
    Stream.runForEach((event) => Console.log(`  event: ${event._tag}`)),
    Effect.fork
  )

  // the exchange publishes a tick every 20 ms once someone subscribed
  yield* Effect.fork(
    server.assertMessageSent({ method: "public/subscribe" }, 5_000).pipe(
      Effect.zipRight(Effect.iterate(1, {
        while: () => true,
        body: (n) => Effect.as(Effect.delay(server.injectMessage(ticker(n)), "20 millis"), n + 1)
      }))
    )
  )

  yield* Client.stream(client, [channel]).pipe(
    Stream.take(5),
    Stream.runForEach((message) =>
      Console.log(`  frame: ${message._tag === "Text" ? message.data : `<${message.data.length} bytes>`}`)
    )
  )
  yield* Console.log(`subscriptions after the stream ended: ${JSON.stringify(yield* Client.subscriptions(client))}`)

  const result = yield* Client.request(client, { method: "public/test" }).pipe(
    Effect.retry(Schedule.recurs(1))
  )
  yield* Console.log(`request public/test -> ${JSON.stringify(result)}`)

  yield* Client.close(client)
  yield* Console.log(`state: ${yield* Client.getState(client)}`)
  void ClientEvent
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
