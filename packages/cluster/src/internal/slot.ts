import type { Client } from "@zen-websocket/core"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"

/**
 * One tenure of a feed on this runner: from the moment its singleton starts here until it stops.
 *
 * @internal
 */
export interface Incarnation {
  /** the owner id recorded in the `FeedStore` */
  readonly owner: string
  /** when the singleton started here (ms since the epoch) */
  readonly since: number
  /** whether the previous owner never released the feed (it died): messages older than `since` may have reached it */
  readonly takeover: boolean
  /** completed once the client is connected and its stored subscriptions are restored */
  readonly client: Deferred.Deferred<Client.Client>
}

/**
 * Where the feed's singleton and its connection entity meet on one runner: the singleton publishes its incarnation,
 * the entity's handlers read it, and the entity's finalizer waits for the singleton to be gone before the shard is
 * released (so the next owner never connects while this one is still connected).
 *
 * @internal
 */
export class Slot {
  constructor(readonly name: string, readonly current: SubscriptionRef.SubscriptionRef<Option.Option<Incarnation>>) {}

  static make(name: string): Effect.Effect<Slot> {
    return Effect.map(SubscriptionRef.make(Option.none<Incarnation>()), (ref) => new Slot(name, ref))
  }

  /** the current incarnation, waiting for one to start */
  get incarnation(): Effect.Effect<Incarnation> {
    return Effect.flatMap(
      SubscriptionRef.get(this.current),
      (current) =>
        Option.isSome(current) ? Effect.succeed(current.value) : this.changes.pipe(
          Stream.filterMap((incarnation) => incarnation),
          Stream.runHead,
          Effect.flatten,
          Effect.orDie
        )
    )
  }

  /** waits until no incarnation runs here */
  get idle(): Effect.Effect<void> {
    return this.changes.pipe(Stream.filter(Option.isNone), Stream.runHead, Effect.asVoid)
  }

  private get changes(): Stream.Stream<Option.Option<Incarnation>> {
    return this.current.changes
  }
}
