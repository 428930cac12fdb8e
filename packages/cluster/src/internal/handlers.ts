import * as Entity from "@effect/cluster/Entity"
import type { Sharding } from "@effect/cluster/Sharding"
import * as Snowflake from "@effect/cluster/Snowflake"
import type { Client } from "@zen-websocket/core"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type { FeedError } from "../FeedError.js"
import type { FeedStore } from "../FeedStore.js"
import type { FeedState } from "../WebSocketConnection.js"
import { WebSocketConnection } from "../WebSocketConnection.js"
import { feedError, fromCore, toFeedError } from "./errors.js"
import type { Slot } from "./slot.js"

/** @internal */
export interface HandlerContext {
  readonly slots: ReadonlyMap<string, Slot>
  readonly store: FeedStore
  readonly sharding: Sharding["Type"]
  /** how long releasing a shard waits for the feed's connection to close */
  readonly handoverTimeout: Duration.Duration
}

interface Envelope {
  readonly requestId: Snowflake.Snowflake
  readonly payload: { readonly timeoutMs: number }
}

/**
 * The connection entity's handlers on the runner that owns the feed. They act on the client the feed's singleton
 * published in its `Slot`, waiting (up to the caller's timeout) while it connects.
 *
 * @internal
 */
export const make = (context: HandlerContext) =>
  Effect.gen(function*() {
    const address = yield* Entity.CurrentAddress
    const { host, port } = yield* Entity.CurrentRunnerAddress
    const runner = `${host}:${port}`
    const name = address.entityId
    const slot = context.slots.get(name)

    if (slot !== undefined) {
      // the hand-over fence: when the shard is released, wait for the singleton to close the connection first
      yield* Effect.addFinalizer(() =>
        Effect.suspend(() =>
          context.sharding.hasShardId(address.shardId) ? Effect.void : slot.idle.pipe(
            Effect.timeoutOption(context.handoverTimeout),
            Effect.flatMap(Option.match({
              onNone: () =>
                Effect.logWarning(
                  `"${name}" still connected after ${
                    Duration.format(context.handoverTimeout)
                  }; releasing its shard anyway`
                ),
              onSome: () => Effect.void
            }))
          )
        )
      )
    }

    /** the connected client of the current incarnation; `checkOrigin`: refuse what may have reached a dead owner */
    const owned = <A, E>(
      envelope: Envelope,
      checkOrigin: boolean,
      f: (client: Client.Client, remainingMs: number) => Effect.Effect<A, E>
    ): Effect.Effect<A, E | FeedError> =>
      slot === undefined ? Effect.fail(unknownFeed(name, runner)) : Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const timeoutMs = envelope.payload.timeoutMs
        const client = yield* Effect.gen(function*() {
          const incarnation = yield* slot.incarnation
          if (checkOrigin && incarnation.takeover && Snowflake.timestamp(envelope.requestId) < incarnation.since) {
            return yield* feedError(
              name,
              "FailedOver",
              `"${name}" was taken over from a runner that died while this message was in flight; it may or may not have reached the server and was not sent again`
            )
          }
          return yield* Deferred.await(incarnation.client)
        }).pipe(
          Effect.timeoutFail({
            duration: Duration.millis(timeoutMs),
            onTimeout: () => feedError(name, "NotConnected", `"${name}" did not connect within ${timeoutMs} ms`)
          })
        )
        const elapsed = (yield* Clock.currentTimeMillis) - start
        return yield* f(client, Math.max(1, timeoutMs - elapsed))
      })

    return WebSocketConnection.of({
      Send: (envelope) =>
        owned(envelope, true, (client) =>
          client.sendMessage(envelope.payload.message).pipe(Effect.mapError(toFeedError(name)))),
      Request: (envelope) =>
        owned(envelope, true, (client, remainingMs) =>
          client.request(
            envelope.payload.params === undefined
              ? { method: envelope.payload.method }
              : { method: envelope.payload.method, params: envelope.payload.params },
            { timeout: remainingMs }
          ).pipe(Effect.mapError(fromCore(name)))),
      Subscribe: (envelope) =>
        owned(envelope, false, (client) =>
          Effect.gen(function*() {
            const requested = envelope.payload.channels
            yield* client.subscribe(requested).pipe(Effect.mapError(fromCore(name)))
            const confirmed = (yield* client.subscriptions).filter((channel) =>
              requested.includes(channel)
            )
            yield* context.store.addChannels(name, confirmed).pipe(
              Effect.mapError((error) =>
                feedError(name, "Unavailable", `subscribed, but not stored: not restored after a failover`, error)
              )
            )
            return confirmed
          })),
      Unsubscribe: (envelope) =>
        owned(envelope, false, (client) =>
          client.unsubscribe(envelope.payload.channels).pipe(
            Effect.mapError(fromCore(name)),
            Effect.zipRight(
              context.store.removeChannels(name, envelope.payload.channels).pipe(
                Effect.mapError((error) =>
                  feedError(name, "Unavailable", `unsubscribed, but still stored: restored after a failover`, error)
                )
              )
            )
          )),
      State: () => slot === undefined ? Effect.fail(unknownFeed(name, runner)) : stateOf(slot, runner)
    })
  })

const unknownFeed = (name: string, runner: string) =>
  feedError(name, "UnknownFeed", `no feed named "${name}" is configured on runner ${runner}, which owns its shard`)

const stateOf = (slot: Slot, runner: string): Effect.Effect<FeedState> =>
  Effect.gen(function*() {
    const current = yield* SubscriptionRef.get(slot.current)
    const base = { feed: slot.name, runner, subscriptions: [], pendingRequests: 0 }
    if (Option.isNone(current)) return { ...base, state: "connecting", since: 0, takeover: false } as const
    const { since, takeover } = current.value
    const client = yield* Deferred.poll(current.value.client)
    if (Option.isNone(client)) return { ...base, state: "connecting", since, takeover } as const
    const c = yield* client.value
    const metrics = yield* c.getStateMetrics
    const latency = yield* c.getLatencyStats
    return {
      ...base,
      state: metrics.state,
      since,
      takeover,
      subscriptions: yield* c.subscriptions,
      pendingRequests: metrics.pendingRequests,
      ...(Option.isSome(latency) ? { p99Ms: latency.value.p99 } : {})
    }
  })
