import type { Client, WebSocketError } from "@zen-websocket/core"
import type { ClientSupervisor } from "@zen-websocket/core"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as Feed from "../Feed.js"
import type { FeedStore } from "../FeedStore.js"
import type { Incarnation, Slot } from "./slot.js"

/** @internal */
export interface OwnerContext {
  readonly supervisor: ClientSupervisor.ClientSupervisor
  readonly store: FeedStore
  /**
   * Brings this feed's connection entity to life here, so releasing the shard waits for this singleton to end;
   * succeeds with this runner's address.
   */
  readonly attach: (name: string) => Effect.Effect<string, unknown>
  /** how a failed `run` is run again */
  readonly runRetry: Schedule.Schedule<unknown, unknown>
}

/** @internal */
export const defaultRunRetry: Schedule.Schedule<unknown, unknown> = Schedule.exponential("1 second").pipe(
  Schedule.either(Schedule.spaced("30 seconds"))
)

let incarnations = 0

/**
 * The feed's singleton: attaches its entity, claims the feed in the store, connects through the supervisor (retrying
 * until it can), restores the stored subscriptions, publishes the client, then runs the user's code. Everything is
 * undone in reverse when the runner gives the feed up: the client is stopped (`onDisconnect` runs), the store released
 * and the slot emptied, and only then can the entity let the shard go.
 *
 * @internal
 */
export const run = <E, R>(
  feed: Feed.Feed<E, R>,
  slot: Slot,
  context: OwnerContext
): Effect.Effect<void, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    const since = yield* Clock.currentTimeMillis
    // the fence first: from here on, releasing the shard waits for this singleton to end
    const runner = yield* context.attach(feed.name).pipe(
      Effect.retry({ times: 3, schedule: Schedule.spaced("100 millis") }),
      Effect.timeout("5 seconds"),
      Effect.catchAllCause((cause) =>
        Effect.as(Effect.logWarning("could not attach the connection entity", cause), "unknown runner")
      )
    )
    const owner = `${runner}/${process.pid}/${++incarnations}`
    const previous = yield* context.store.claim(feed.name, owner).pipe(
      Effect.catchAll((error) =>
        Effect.as(
          Effect.logWarning("could not record the feed's owner; treating this start as a takeover", error),
          Option.some("unknown")
        )
      )
    )
    const incarnation: Incarnation = {
      owner,
      since,
      takeover: Option.isSome(previous),
      client: yield* Deferred.make<Client.Client>()
    }
    yield* Effect.acquireRelease(
      SubscriptionRef.set(slot.current, Option.some(incarnation)),
      () => SubscriptionRef.set(slot.current, Option.none())
    )
    yield* Effect.addFinalizer(() =>
      context.store.release(feed.name, owner).pipe(
        Effect.catchAll((error) => Effect.logWarning("could not release the feed in the store", error))
      )
    )
    if (incarnation.takeover) {
      yield* Effect.logInfo(`taking over from ${Option.getOrThrow(previous)}, which did not hand it over`)
    }
    const client = yield* Effect.acquireRelease(
      connect(feed, context.supervisor),
      (client) => context.supervisor.stopClient(client)
    )
    yield* restore(client, feed.name, context.store)
    yield* Deferred.succeed(incarnation.client, client)
    if (feed.run !== undefined) yield* Effect.forkScoped(consume(feed.run, client, context.runRetry))
  }).pipe(Effect.annotateLogs({ package: "@zen-websocket/cluster", feed: feed.name }))

/** `startClient` until it connects: the feed stays ours while the server is down, so keep trying */
const connect = <E, R>(feed: Feed.Feed<E, R>, supervisor: ClientSupervisor.ClientSupervisor) => {
  const first = Duration.decode(feed.options?.retryDelay ?? "1 second")
  const cap = Duration.decode(feed.options?.maxBackoff ?? "30 seconds")
  return supervisor.startClient(feed.url, { ...feed.options, id: feed.name }).pipe(
    Effect.tapError((error) => Effect.logWarning("could not connect, retrying", error)),
    Effect.retry(Schedule.exponential(first).pipe(Schedule.either(Schedule.spaced(cap)))),
    Effect.orDie
  )
}

/**
 * Subscribes the stored channels again. If the server refuses the batch, each channel is tried alone: the ones it
 * refuses are dropped from the store, the ones that failed for another reason (the link went down) are kept for the
 * next try; either way a warning names them and says why.
 */
const restore = (client: Client.Client, name: string, store: FeedStore) =>
  Effect.gen(function*() {
    const channels = yield* store.channels(name).pipe(
      Effect.retry({ times: 3, schedule: Schedule.spaced("200 millis") }),
      Effect.catchAll((error) =>
        Effect.as(Effect.logWarning("could not read the stored subscriptions: none restored", error), [])
      )
    )
    if (channels.length === 0) return
    const batch = yield* subscribe(client, channels)
    const alone = batch._tag === "Left" && batch.left._tag === "RpcError"
      ? yield* Effect.forEach(channels, (channel) =>
        Effect.map(subscribe(client, [channel]), (r) => [channel, r] as const))
      : []
    const errors = new Map<string, Client.RequestError | WebSocketError.InvalidOptions>(
      batch._tag === "Right"
        ? []
        : batch.left._tag === "RpcError"
        ? alone.flatMap(([channel, r]) =>
          r._tag === "Left" ? [[channel, r.left] as const] : []
        )
        : channels.map((channel) => [channel, batch.left] as const)
    )
    const confirmed = new Set(yield* client.subscriptions)
    const missing = channels.filter((channel) => !confirmed.has(channel))
    const failed = missing.filter((channel) => errors.has(channel) && errors.get(channel)!._tag !== "RpcError")
    const refused = missing.filter((channel) => !failed.includes(channel))
    if (refused.length > 0) {
      const why = (channel: string) => errors.get(channel)?.message ?? "not confirmed"
      yield* Effect.logWarning(
        `the server refused to restore ${refused.map((channel) => `${channel} (${why(channel)})`).join(", ")}; dropped`
      )
      yield* store.removeChannels(name, refused).pipe(Effect.ignore)
    }
    if (failed.length > 0) {
      yield* Effect.logWarning(`could not restore ${failed.join(", ")}; kept for the next owner`, errors.get(failed[0]))
    }
  })

/** a subscribe, tried again (3 times, 1 s apart) unless the server refused it */
const subscribe = (client: Client.Client, channels: ReadonlyArray<string>) =>
  client.subscribe(channels).pipe(
    Effect.retry({ times: 3, schedule: Schedule.spaced("1 second"), while: (error) => error._tag !== "RpcError" }),
    Effect.either
  )

/** the user's code: a failure (or a defect) is logged and it runs again */
const consume = <E, R>(
  run: (client: Client.Client) => Effect.Effect<unknown, E, R>,
  client: Client.Client,
  retry: Schedule.Schedule<unknown, unknown>
) =>
  Effect.suspend(() => run(client)).pipe(
    Effect.sandbox,
    Effect.tapError((cause) => Effect.logError("the feed's run failed; running it again", cause)),
    Effect.retry(retry),
    Effect.ignore
  )
