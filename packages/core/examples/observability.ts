/**
 * Observability: push-style telemetry handlers, metrics, latency percentiles, heartbeat health and state metrics.
 * Run: pnpm --filter @zen-websocket/core example examples/observability.ts
 */
import { Client, Telemetry, Testing } from "@zen-websocket/core"
import { Console, Effect, Metric, Stream } from "effect"

const program = Effect.gen(function*() {
  // like :telemetry.attach in Elixir
  yield* Telemetry.attach(
    Telemetry.names.upgrade,
    (event) => Console.log(`upgrade in ${event.measurements.connect_time_ms} ms`)
  )
  yield* Telemetry.attach(
    Telemetry.names.messageReceived,
    (event) => Console.log(`received ${event.measurements.count} frames, ${event.measurements.bytes} bytes`)
  )

  const server = yield* Testing.startMockServer()
  const client = yield* Client.connect(server.url, { id: "demo", heartbeatConfig: { type: "ping", interval: 50 } })
  const messages = yield* client.messagesScoped
  for (let i = 0; i < 20; i++) yield* Client.request(client, { method: "public/test" })
  yield* server.injectMessage("hello")
  yield* messages.pipe(Stream.take(1), Stream.runDrain)
  yield* Effect.sleep("120 millis")

  yield* Console.log("latency", yield* Client.getLatencyStats(client))
  yield* Console.log("heartbeat", yield* Client.getHeartbeatHealth(client))
  yield* Console.log("state", yield* Client.getStateMetrics(client))
  const requests = yield* Metric.value(Telemetry.requestTotal.pipe(Metric.tagged("client_id", "demo")))
  yield* Console.log(`zen_websocket_request_total{client_id="demo"} = ${requests.count}`)
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(Telemetry.layer)))
