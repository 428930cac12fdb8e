/**
 * What the cluster remembers about each feed across runners: who owns it now (so the next owner knows whether it took
 * the feed over from a runner that died), and the channels subscribed through `ClusterFeeds.subscribe` (so the next
 * owner subscribes them again). `layerSql` keeps it in the cluster's database; `layerMemory` in this process (one
 * runner, `ClusterFeeds.layerLocal`).
 *
 * @since 0.1.0
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type { FeedStoreError } from "./FeedError.js"
import * as internal from "./internal/store.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface FeedStore {
  /**
   * Records `owner` as the owner of `feed` and returns the owner it replaces: `Some` when the previous owner never
   * released the feed (it died, or lost its lease), `None` after a clean hand-over or on first start.
   */
  readonly claim: (feed: string, owner: string) => Effect.Effect<Option.Option<string>, FeedStoreError>
  /** Clears the owner of `feed` if it is still `owner` (a clean hand-over). */
  readonly release: (feed: string, owner: string) => Effect.Effect<void, FeedStoreError>
  /** The stored channels of `feed`, in the order they were first subscribed. */
  readonly channels: (feed: string) => Effect.Effect<ReadonlyArray<string>, FeedStoreError>
  readonly addChannels: (feed: string, channels: ReadonlyArray<string>) => Effect.Effect<void, FeedStoreError>
  readonly removeChannels: (feed: string, channels: ReadonlyArray<string>) => Effect.Effect<void, FeedStoreError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const FeedStore: Context.Tag<FeedStore, FeedStore> = Context.GenericTag<FeedStore>(
  "@zen-websocket/cluster/FeedStore"
)

/**
 * A store in this process's memory: for a single runner (`ClusterFeeds.layerLocal`), where there is no other runner
 * to hand a feed to.
 *
 * @example
 * ```ts
 * import { FeedStore } from "@zen-websocket/cluster"
 * import { Effect } from "effect"
 *
 * const stored = Effect.gen(function*() {
 *   const store = yield* FeedStore.FeedStore
 *   yield* store.addChannels("btc", ["ticker.BTC-PERPETUAL.100ms"])
 *   return yield* store.channels("btc")
 * }).pipe(Effect.provide(FeedStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<FeedStore> = Layer.sync(FeedStore, internal.makeMemory)

/**
 * A store in SQL tables (`<prefix>_feed_owners`, `<prefix>_feed_channels`, created if missing; prefix
 * `"zen_websocket"` by default), for runners sharing one database. Written for Postgres; the statements are plain
 * SQL with `ON CONFLICT`, so SQLite works too.
 *
 * @example
 * ```ts
 * import { FeedStore } from "@zen-websocket/cluster"
 * import { PgClient } from "@effect/sql-pg"
 * import { Layer, Redacted } from "effect"
 *
 * // what ClusterFeeds.layerNode provides; on its own, with another cluster setup
 * const Store = FeedStore.layerSql({ prefix: "trading" }).pipe(
 *   Layer.provide(PgClient.layer({ url: Redacted.make("postgres://cluster@db.internal/cluster") }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSql = (options?: {
  readonly prefix?: string | undefined
}): Layer.Layer<FeedStore, SqlError, SqlClient.SqlClient> =>
  Layer.effect(FeedStore, internal.makeSql(options?.prefix ?? "zen_websocket"))
