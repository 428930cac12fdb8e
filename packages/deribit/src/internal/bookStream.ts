/**
 * `OrderBook.stream`: a book maintained from a session's book channel (snapshot, then `new/change/delete` changes
 * checked along the `change_id` / `prev_change_id` chain). A gap resubscribes the channel (a fresh snapshot), and the
 * book that snapshot starts is announced as `BookResynced`. Every applied snapshot tells the session (the connection
 * is not `connected` before its maintained books have their snapshot).
 *
 * @since 0.1.0
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Stream from "effect/Stream"
import type * as DeribitChannels from "../DeribitChannels.js"
import type { ChannelError, SessionState } from "./client/state.js"
import * as streams from "./client/streams.js"
import type { Book } from "./orderBook.js"
import * as schemas from "./schemas.js"

/** @internal */
export type Event<G> =
  | { readonly _tag: "BookUpdated"; readonly book: Book; readonly update: DeribitChannels.BookUpdate }
  | { readonly _tag: "BookResynced"; readonly book: Book; readonly gap: G }

/** @internal */
export type Tracked<G> =
  | { readonly _tag: "AwaitingSnapshot"; readonly instrument: string; readonly gap: Option.Option<G> }
  | { readonly _tag: "Live"; readonly book: Book; readonly resynced: Option.Option<G> }

/** `OrderBook.track` and `OrderBook.step`. @internal */
export interface Steps<G> {
  readonly track: (instrument: string) => Tracked<G>
  readonly step: (tracked: Tracked<G>, update: DeribitChannels.BookUpdate) => Tracked<G>
}

const decodeUpdate = streams.schemaDecoder(schemas.BookUpdate)

/** @internal */
export const stream = <G>(
  state: SessionState,
  instrument: string,
  interval: DeribitChannels.Interval,
  steps: Steps<G>
): Stream.Stream<Event<G>, ChannelError | ParseResult.ParseError> => {
  const channel = `book.${instrument}.${interval}`
  const resubscribe = Effect.suspend(() => {
    const client = state.client!
    return Effect.ignore(Effect.zipRight(client.unsubscribe([channel]), client.subscribe([channel])))
  })
  return Stream.unwrapScoped(Effect.gen(function*() {
    yield* Effect.acquireRelease(
      Effect.sync(() => state.holdBook(channel)),
      () => Effect.sync(() => state.releaseBook(channel))
    )
    let tracked = steps.track(instrument)
    return streams.channel(state, channel, decodeUpdate).pipe(
      Stream.mapChunksEffect((updates) => {
        const events: Array<Event<G>> = []
        let gap = false
        for (const update of updates) {
          const before = tracked
          tracked = steps.step(tracked, update)
          if (tracked._tag === "Live") {
            if (update.type === "snapshot") state.bookSynced(channel)
            if (Option.isSome(tracked.resynced) && before._tag === "AwaitingSnapshot") {
              events.push({ _tag: "BookResynced", book: tracked.book, gap: tracked.resynced.value })
            } else if (tracked !== before) {
              events.push({ _tag: "BookUpdated", book: tracked.book, update })
            }
          } else if (before._tag === "Live") {
            gap = true
          }
        }
        const out = Chunk.unsafeFromArray(events)
        return gap ? Effect.as(resubscribe, out) : Effect.succeed(out)
      })
    )
  }))
}
