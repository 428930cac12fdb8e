/**
 * Feeds on `@effect/cluster`: each feed is a cluster singleton, so exactly one runner holds its connection; when that
 * runner stops or dies another one takes the feed over, connects, and subscribes its channels again. Any runner
 * reaches a feed by name (`send`, `request`, `subscribe`, `state`, `sendBalanced`) through the feed's
 * `WebSocketConnection` entity, which lives on the owner.
 *
 * Deployment: `layerNode({ storage: "sql" })` for runners on several machines sharing a Postgres, `layerLocal()` for
 * one process with no database. The same program runs on both.
 *
 * @since 0.1.0
 */
import type * as MessageStorage from "@effect/cluster/MessageStorage"
import type * as Runners from "@effect/cluster/Runners"
import * as Sharding from "@effect/cluster/Sharding"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import type { SocketServerError } from "@effect/platform/SocketServer"
import type * as PgClient from "@effect/sql-pg/PgClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Client, JsonRpc, WebSocketError } from "@zen-websocket/core"
import type { ConfigError } from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type * as Feed from "./Feed.js"
import type { FeedError, FeedRpcError } from "./FeedError.js"
import type * as FeedStore from "./FeedStore.js"
import * as Caller from "./internal/caller.js"
import * as Deployment from "./internal/deployment.js"
import * as Hosting from "./internal/hosting.js"
import type { FeedState } from "./WebSocketConnection.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** how long the call may take, routing included (default: the layer's `timeout`, 30 s) */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ClusterFeeds {
  /** sends a frame through the feed's connection, wherever it is (objects are sent as JSON) */
  readonly send: (name: string, message: Client.Outbound, options?: CallOptions) => Effect.Effect<void, FeedError>
  /** a JSON-RPC request through the feed's connection; the server's `result` */
  readonly request: (
    name: string,
    request: JsonRpc.Request,
    options?: CallOptions
  ) => Effect.Effect<unknown, FeedError | FeedRpcError>
  /** subscribes the feed to channels (stored, so restored on the next owner); the confirmed ones */
  readonly subscribe: (
    name: string,
    channels: ReadonlyArray<string>,
    options?: CallOptions
  ) => Effect.Effect<ReadonlyArray<string>, FeedError | FeedRpcError>
  readonly unsubscribe: (
    name: string,
    channels: ReadonlyArray<string>,
    options?: CallOptions
  ) => Effect.Effect<void, FeedError | FeedRpcError>
  /** the feed's state on its owner, with the owner's address */
  readonly state: (name: string, options?: CallOptions) => Effect.Effect<FeedState, FeedError>
  /**
   * Sends through one feed of `pool`, skipping those whose owner does not report them `connected` and ranking the rest
   * by health like `ClientSupervisor.sendBalanced` (it fails over to the next on error, at most `maxAttempts`,
   * default 3). Succeeds with the name of the feed that took the message; `NoConnections` when none was connected.
   */
  readonly sendBalanced: (
    pool: ReadonlyArray<string>,
    message: Client.Outbound,
    options?: { readonly maxAttempts?: number | undefined } & CallOptions
  ) => Effect.Effect<string, FeedError | WebSocketError.NoConnections>
  /** the feeds this runner holds right now */
  readonly localFeeds: Effect.Effect<ReadonlyArray<string>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const ClusterFeeds: Context.Tag<ClusterFeeds, ClusterFeeds> = Context.GenericTag<ClusterFeeds>(
  "@zen-websocket/cluster/ClusterFeeds"
)

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** default deadline of every call (default 30 s) */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * When this runner gives a feed up, how long the release of its shard waits for the connection to close, so the
   * next owner never connects while this one still is (default 10 s).
   */
  readonly handoverTimeout?: Duration.DurationInput | undefined
  /** how a feed's failed `run` is run again (default: exponential from 1 s, at most 30 s apart, forever) */
  readonly runRetry?: Schedule.Schedule<unknown, unknown> | undefined
}

/**
 * Hosts `feeds` on this runner: registers each as a singleton (named after the feed) and the `WebSocketConnection`
 * entity, and provides `ClusterFeeds`. Every runner should register the same feeds. Fails with `InvalidOptions`
 * before anything connects when a feed is malformed.
 *
 * @example
 * ```ts
 * import { ClusterFeeds, Feed } from "@zen-websocket/cluster"
 * import { Effect, Layer } from "effect"
 *
 * const feeds = [
 *   Feed.make({ name: "btc", url: "wss://feed.example/ws?instrument=BTC" }),
 *   Feed.make({ name: "eth", url: "wss://feed.example/ws?instrument=ETH" })
 * ]
 *
 * const program = Effect.gen(function*() {
 *   yield* ClusterFeeds.send("btc", { method: "public/test" })
 *   const result = yield* ClusterFeeds.request("eth", { method: "public/get_time" })
 *   yield* Effect.log(result)
 * })
 *
 * // one process, no database; swap in ClusterFeeds.layerNode({ storage: "sql" }) for a cluster
 * const main = program.pipe(
 *   Effect.provide(ClusterFeeds.layer(feeds).pipe(Layer.provide(ClusterFeeds.layerLocal())))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <const Feeds extends ReadonlyArray<Feed.Feed<any, any>>>(
  feeds: Feeds,
  options?: Options
): Layer.Layer<
  ClusterFeeds,
  WebSocketError.InvalidOptions,
  Sharding.Sharding | FeedStore.FeedStore | Feed.Context<Feeds[number]>
> =>
  Layer.unwrapScoped(
    Effect.map(
      Hosting.make(feeds, options ?? {}),
      ({ hosting, service }) => Layer.provideMerge(hosting, Layer.scoped(ClusterFeeds, service))
    )
  )

/**
 * `ClusterFeeds` for a process that hosts no feeds (e.g. a client-only `NodeClusterSocket.layer({ clientOnly: true })`):
 * it routes to the runners that do.
 *
 * @example
 * ```ts
 * import { ClusterFeeds } from "@zen-websocket/cluster"
 * import { Layer } from "effect"
 *
 * // a web server that calls feeds without hosting any (DATABASE_URL from the environment)
 * const Feeds = ClusterFeeds.layerClient().pipe(
 *   Layer.provide(ClusterFeeds.layerNode({ storage: "sql", clientOnly: true }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (options?: Pick<Options, "timeout">): Layer.Layer<ClusterFeeds, never, Sharding.Sharding> =>
  Layer.scoped(
    ClusterFeeds,
    Effect.flatMap(
      Sharding.Sharding,
      (sharding) => Caller.make({ sharding, timeout: options?.timeout ?? Hosting.defaultTimeout, slots: new Map() })
    )
  )

/**
 * The cluster for runners on several machines: runners talk over TCP (`NodeClusterSocket`, msgpack), and runner
 * registrations, shard locks, messages and the `FeedStore` live in Postgres (`@effect/sql-pg`). `postgres` defaults to
 * `DATABASE_URL` from the `Config` provider. `shardingConfig` overrides the `ShardingConfig` read from the environment
 * (`HOST`, `PORT`, `SHARD_LOCK_EXPIRATION`, …): it sets this runner's address and how fast a dead runner's feeds are
 * taken over (see the cluster guide). `clientOnly: true` joins without becoming a runner (no feeds here, no shards):
 * pair it with `layerClient`.
 *
 * @example
 * ```ts
 * import { RunnerAddress } from "@effect/cluster"
 * import { ClusterFeeds } from "@zen-websocket/cluster"
 * import { Option, Redacted } from "effect"
 *
 * const Cluster = ClusterFeeds.layerNode({
 *   storage: "sql",
 *   postgres: { url: Redacted.make("postgres://cluster@db.internal:5432/cluster") },
 *   shardingConfig: { runnerAddress: Option.some(RunnerAddress.make("10.0.0.7", 34431)) }
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNode = (options: {
  readonly storage: "sql"
  readonly postgres?: PgClient.PgClientConfig | undefined
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
  readonly clientOnly?: boolean | undefined
}): Layer.Layer<
  Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage | FeedStore.FeedStore,
  SocketServerError | ConfigError | SqlError
> => Deployment.layerNode(options)

/**
 * The cluster in one process: a single runner holding every shard, storage in memory, no database and no network.
 * The embedded default: the program that runs on `layerNode` runs here unchanged (a feed just has nowhere to fail
 * over to).
 *
 * @example
 * ```ts
 * import { ClusterFeeds, Feed } from "@zen-websocket/cluster"
 * import { Layer } from "effect"
 *
 * const feeds = [Feed.make({ name: "btc", url: "wss://feed.example/ws" })]
 * const OnALaptop = ClusterFeeds.layer(feeds).pipe(Layer.provide(ClusterFeeds.layerLocal()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLocal = (options?: {
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}): Layer.Layer<
  Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage | FeedStore.FeedStore,
  ConfigError
> => Deployment.layerLocal(options)

/**
 * @example
 * ```ts
 * import { ClusterFeeds } from "@zen-websocket/cluster"
 *
 * // a text frame, bytes, or an object sent as JSON; through whichever runner owns "orders"
 * const program = ClusterFeeds.send("orders", { jsonrpc: "2.0", method: "public/test", params: {} })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const send = (
  name: string,
  message: Client.Outbound,
  options?: CallOptions
): Effect.Effect<void, FeedError, ClusterFeeds> =>
  Effect.flatMap(ClusterFeeds, (feeds) => feeds.send(name, message, options))

/**
 * @example
 * ```ts
 * import { ClusterFeeds } from "@zen-websocket/cluster"
 * import { Effect } from "effect"
 *
 * const time = ClusterFeeds.request("btc", { method: "public/get_time" }, { timeout: "5 seconds" }).pipe(
 *   Effect.catchTag("FeedRpcError", (error) => Effect.succeed(`the server said ${error.code}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const request = (
  name: string,
  request: JsonRpc.Request,
  options?: CallOptions
): Effect.Effect<unknown, FeedError | FeedRpcError, ClusterFeeds> =>
  Effect.flatMap(ClusterFeeds, (feeds) => feeds.request(name, request, options))

/**
 * @example
 * ```ts
 * import { ClusterFeeds } from "@zen-websocket/cluster"
 *
 * // confirmed channels are stored: the next owner subscribes them again
 * const confirmed = ClusterFeeds.subscribe("btc", ["ticker.BTC-PERPETUAL.100ms"])
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const subscribe = (
  name: string,
  channels: ReadonlyArray<string>,
  options?: CallOptions
): Effect.Effect<ReadonlyArray<string>, FeedError | FeedRpcError, ClusterFeeds> =>
  Effect.flatMap(ClusterFeeds, (feeds) => feeds.subscribe(name, channels, options))

/**
 * @example
 * ```ts
 * import { ClusterFeeds } from "@zen-websocket/cluster"
 *
 * const done = ClusterFeeds.unsubscribe("btc", ["ticker.BTC-PERPETUAL.100ms"])
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const unsubscribe = (
  name: string,
  channels: ReadonlyArray<string>,
  options?: CallOptions
): Effect.Effect<void, FeedError | FeedRpcError, ClusterFeeds> =>
  Effect.flatMap(ClusterFeeds, (feeds) => feeds.unsubscribe(name, channels, options))

/**
 * @example
 * ```ts
 * import { ClusterFeeds } from "@zen-websocket/cluster"
 * import { Effect } from "effect"
 *
 * const where = ClusterFeeds.state("btc").pipe(Effect.map((s) => `${s.state} on ${s.runner}`))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const state = (name: string, options?: CallOptions): Effect.Effect<FeedState, FeedError, ClusterFeeds> =>
  Effect.flatMap(ClusterFeeds, (feeds) => feeds.state(name, options))

/**
 * @example
 * ```ts
 * import { ClusterFeeds } from "@zen-websocket/cluster"
 *
 * // through one of the connected feeds of the pool; the name of the one that took it
 * const took = ClusterFeeds.sendBalanced(["orders-a", "orders-b", "orders-c"], { method: "public/test" })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const sendBalanced = (
  pool: ReadonlyArray<string>,
  message: Client.Outbound,
  options?: { readonly maxAttempts?: number | undefined } & CallOptions
): Effect.Effect<string, FeedError | WebSocketError.NoConnections, ClusterFeeds> =>
  Effect.flatMap(ClusterFeeds, (feeds) => feeds.sendBalanced(pool, message, options))
