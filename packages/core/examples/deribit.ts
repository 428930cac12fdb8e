/**
 * A Deribit-style session against the mock server: authenticate in a restore hook (so it is done again on every
 * reconnect, before the private subscriptions are restored), let the `deribit` heartbeat enable Deribit's heartbeat
 * and answer its `test_request`s, subscribe to a private channel, and pace sends with Deribit's credit costs.
 * Run: pnpm --filter @zen-websocket/core example examples/deribit.ts
 */
import { Client, RateLimiter, SubscriptionProtocol, Testing } from "@zen-websocket/core"
import { Console, Effect, Layer, Stream } from "effect"

/** A tiny Deribit: auth, set_heartbeat, private/subscribe only after auth. */
const authenticated = new Set<number>()
const deribit: Testing.Handler = (frame, connection) => {
  if (frame._tag !== "Text") return undefined
  const { id, method, params } = JSON.parse(frame.data)
  const reply = (result: unknown) => JSON.stringify({ jsonrpc: "2.0", id, result })
  switch (method) {
    case "public/auth":
      authenticated.add(connection.id)
      return reply({ access_token: "token", expires_in: 900, token_type: "bearer" })
    case "public/set_heartbeat":
      return reply("ok")
    case "public/test":
      return id === undefined ? undefined : reply({ version: "mock" })
    case "private/subscribe":
      return authenticated.has(connection.id)
        ? reply(params.channels)
        : JSON.stringify({ jsonrpc: "2.0", id, error: { code: 13009, message: "unauthorized" } })
    default:
      return reply({ method })
  }
}

const program = Effect.gen(function*() {
  const server = yield* Testing.MockServer
  const client = yield* Client.connect(server.url, {
    // asks Deribit for its heartbeat (public/set_heartbeat, 10 s) on every connection, answers its test_requests
    heartbeatConfig: { type: "deribit", interval: "10 seconds" },
    subscriptionProtocol: SubscriptionProtocol.jsonRpc({
      subscribeMethod: "private/subscribe",
      unsubscribeMethod: "private/unsubscribe"
    }),
    retryDelay: 100,
    restoreHooks: [(session) =>
      session.request({
        method: "public/auth",
        params: { grant_type: "client_credentials", client_id: "id", client_secret: "secret" }
      })]
  })
  const events = yield* client.eventsScoped
  yield* events.pipe(Stream.runForEach((e) => Console.log(`  event: ${e._tag}`)), Effect.forkScoped)

  yield* Client.subscribe(client, ["user.orders.BTC-PERPETUAL.raw"])
  yield* Console.log(`subscribed: ${yield* Client.subscriptions(client)}`)

  yield* server.injectMessage(JSON.stringify({ jsonrpc: "2.0", method: "heartbeat", params: { type: "test_request" } }))
  yield* server.assertMessageSent({ method: "public/test" })
  yield* Console.log("answered the server's test_request with public/test")

  const reconnected = yield* client.eventsScoped
  yield* server.restart
  yield* reconnected.pipe(Stream.takeUntil((e) => e._tag === "Connected"), Stream.runDrain)
  yield* Console.log(`after a restart, re-authenticated and still subscribed: ${yield* Client.subscriptions(client)}`)

  const limiter = yield* RateLimiter.RateLimiter
  yield* Client.request(client, { method: "private/buy", params: { instrument_name: "BTC-PERPETUAL", amount: 10 } })
  const status = yield* RateLimiter.status(limiter)
  yield* Console.log(`credits left ${status.tokens}/${status.capacity} (pressure ${status.pressureLevel})`)
  yield* Client.close(client)
})

const Environment = Layer.merge(
  Testing.layer({ handler: deribit }),
  RateLimiter.layer({ capacity: 50, refillRate: 10, refillInterval: 1000, cost: "deribit" })
)

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(Environment)))
