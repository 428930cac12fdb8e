/**
 * One runner of the example cluster: the program you would deploy on each machine. Every runner hosts the same three
 * feeds; the cluster connects each on exactly one of them. Configured from the environment:
 *
 * - `DATABASE_URL`: the cluster's Postgres (runner registry, shard locks, feed owners and subscriptions);
 * - `HOST`, `PORT`: this runner's address, as the other runners reach it (`ShardingConfig`);
 * - `SHARD_LOCK_REFRESH_INTERVAL`, `SHARD_LOCK_EXPIRATION`, `RUNNER_HEALTH_CHECK_INTERVAL`,
 *   `REFRESH_ASSIGNMENTS_INTERVAL`: how fast a dead runner's feeds are taken over (see docs/guides/cluster.md);
 * - `EXCHANGE_URL`: the WebSocket endpoint the feeds connect to.
 *
 * Run three of these (main.ts does) and stop one with SIGTERM (clean hand-over) or SIGKILL (takeover).
 */
import { NodeRuntime } from "@effect/platform-node"
import { ClusterFeeds, Feed } from "@zen-websocket/cluster"
import { Client } from "@zen-websocket/core"
import { Config, Console, Effect, Layer } from "effect"

const instruments = ["BTC", "ETH", "SOL"]

const feeds = (exchangeUrl: string, runner: string) =>
  instruments.map((instrument) =>
    Feed.make({
      name: `${instrument.toLowerCase()}-ticker`,
      url: `${exchangeUrl}?instrument=${instrument}`,
      options: {
        heartbeatConfig: { type: "ping", interval: 10_000 },
        // both run on the runner that owns the feed, on every start and stop there
        onConnect: (client) => Console.log(`${runner}: ${client.id} connected here`),
        onDisconnect: (client) => Console.log(`${runner}: ${client.id} leaves this runner`)
      },
      // the consumer: runs where the connection is, and moves with it
      run: (client) =>
        Effect.gen(function*() {
          yield* Client.subscribe(client, [`ticker.${instrument}-PERPETUAL.100ms`])
          yield* Client.forEachChunk(client, () => Effect.void)
        })
    })
  )

const Runner = Layer.unwrapEffect(Effect.gen(function*() {
  const exchangeUrl = yield* Config.string("EXCHANGE_URL")
  const runner = `${yield* Config.string("HOST")}:${yield* Config.integer("PORT")}`
  return ClusterFeeds.layer(feeds(exchangeUrl, runner)).pipe(
    Layer.provide(ClusterFeeds.layerNode({ storage: "sql" }))
  )
}))

Layer.launch(Runner).pipe(NodeRuntime.runMain)
