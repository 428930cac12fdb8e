import * as Sharding from "@effect/cluster/Sharding"
import * as Singleton from "@effect/cluster/Singleton"
import { ClientSupervisor } from "@zen-websocket/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import * as Feed from "../Feed.js"
import * as FeedStore from "../FeedStore.js"
import { WebSocketConnection } from "../WebSocketConnection.js"
import * as Caller from "./caller.js"
import * as Handlers from "./handlers.js"
import * as Owner from "./owner.js"
import { Slot } from "./slot.js"

/**
 * What `ClusterFeeds.layer` puts in place on a runner: the routing service, and the layer that registers the
 * connection entity and one singleton per feed (built on top of the entity, so on shutdown the singletons stop, and
 * close their connections, before the entity goes).
 *
 * @internal
 */
export const make = (
  feeds: ReadonlyArray<Feed.Feed<any, any>>,
  options: {
    readonly timeout?: Duration.DurationInput | undefined
    readonly handoverTimeout?: Duration.DurationInput | undefined
    readonly runRetry?: Schedule.Schedule<unknown, unknown> | undefined
  }
) =>
  Effect.gen(function*() {
    yield* Feed.validate(feeds)
    const sharding = yield* Sharding.Sharding
    const store = yield* FeedStore.FeedStore
    const slots = new Map<string, Slot>(
      yield* Effect.forEach(feeds, (feed) => Effect.map(Slot.make(feed.name), (slot) => [feed.name, slot] as const))
    )
    // made before the singletons, so it is closed after them: each stops its own client first
    const supervisor = yield* ClientSupervisor.make
    const connections = yield* sharding.makeClient(WebSocketConnection)
    const owner: Owner.OwnerContext = {
      supervisor,
      store,
      attach: (name) => Effect.map(connections(name).State(), (state) => state.runner),
      runRetry: options.runRetry ?? Owner.defaultRunRetry
    }
    const entity = WebSocketConnection.toLayer(
      Handlers.make({
        slots,
        store,
        sharding,
        handoverTimeout: Duration.decode(options.handoverTimeout ?? "10 seconds")
      }),
      { maxIdleTime: Duration.infinity, concurrency: "unbounded" }
    )
    const singletons = feeds.map((feed) => Singleton.make(feed.name, Owner.run(feed, slots.get(feed.name)!, owner)))
    return {
      service: Caller.make({ sharding, timeout: options.timeout ?? defaultTimeout, slots }),
      hosting: Layer.mergeAll(Layer.empty, ...singletons).pipe(Layer.provideMerge(entity))
    }
  })

/** @internal */
export const defaultTimeout: Duration.DurationInput = "30 seconds"
