/** The operations a cluster test asks of a runner: what fixtures/runner.ts executes, and the in-process driver too. */
import * as EntityId from "@effect/cluster/EntityId"
import * as Sharding from "@effect/cluster/Sharding"
import { ClusterFeeds } from "@zen-websocket/cluster"
import * as Effect from "effect/Effect"
import type { Command } from "./protocol.js"

export const execute = (command: Command) =>
  Effect.gen(function*() {
    switch (command.op) {
      case "send":
        return yield* ClusterFeeds.send(command.feed, command.message)
      case "request":
        return yield* ClusterFeeds.request(command.feed, command.request, { timeout: command.timeoutMs })
      case "subscribe":
        return yield* ClusterFeeds.subscribe(command.feed, command.channels)
      case "unsubscribe":
        return yield* ClusterFeeds.unsubscribe(command.feed, command.channels)
      case "state":
        return yield* ClusterFeeds.state(command.feed, { timeout: command.timeoutMs })
      case "sendBalanced":
        return yield* ClusterFeeds.sendBalanced(command.pool, command.message)
      case "localFeeds":
        return yield* Effect.flatMap(ClusterFeeds.ClusterFeeds, (cluster) => cluster.localFeeds)
      case "shardOf": {
        const sharding = yield* Sharding.Sharding
        return sharding.getShardId(EntityId.make(command.feed), "default").id
      }
    }
  })
