import * as MessageStorage from "@effect/cluster/MessageStorage"
import * as RunnerHealth from "@effect/cluster/RunnerHealth"
import * as Runners from "@effect/cluster/Runners"
import * as RunnerStorage from "@effect/cluster/RunnerStorage"
import * as Sharding from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Config from "effect/Config"
import * as Layer from "effect/Layer"
import * as FeedStore from "../FeedStore.js"

/** @internal */
export const layerNode = (options: {
  readonly postgres?: PgClient.PgClientConfig | undefined
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
  readonly clientOnly?: boolean | undefined
}) =>
  Layer.mergeAll(
    options.clientOnly === true
      ? NodeClusterSocket.layer({ storage: "sql", clientOnly: true, shardingConfig: options.shardingConfig })
      : NodeClusterSocket.layer({ storage: "sql", shardingConfig: options.shardingConfig }),
    FeedStore.layerSql()
  ).pipe(
    Layer.provide(
      options.postgres === undefined
        ? PgClient.layerConfig({ url: Config.redacted("DATABASE_URL") })
        : PgClient.layer(options.postgres)
    )
  )

/** @internal */
export const layerLocal = (options?: {
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}) =>
  Sharding.layer.pipe(
    Layer.provideMerge(Runners.layerNoop),
    Layer.provideMerge(MessageStorage.layerNoop),
    Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
    Layer.provide(ShardingConfig.layerFromEnv(options?.shardingConfig)),
    Layer.merge(FeedStore.layerMemory)
  )
