/**
 * A maintained order book for Deribit's `book.{instrument}.{interval}` channel: built from the snapshot, updated with
 * the `new/change/delete` level changes, checked along the `change_id` / `prev_change_id` chain. A missed notification
 * is reported as a `BookGap` value, never thrown. Books are immutable, `Equal` (same instrument, change id and
 * levels), `Inspectable` and `Pipeable`.
 *
 * `track` / `step` is the small state machine a stream runs: live while the chain holds, awaiting a snapshot after a
 * gap (updates are ignored until the resubscription's snapshot arrives). `stream` runs it over a `DeribitSession`'s
 * book channel, resubscribing on a gap.
 *
 * Over 400 lines: the pure book, its state machine and the stream over a session are one concept, documented here
 * together (the bodies are in `internal/orderBook.ts` and `internal/bookStream.ts`).
 *
 * ```ts
 * import { DeribitChannels, OrderBook } from "@zen-websocket/deribit"
 * import * as Either from "effect/Either"
 *
 * const onUpdates = (snapshot: DeribitChannels.BookSnapshot, change: DeribitChannels.BookChange) => {
 *   let book = OrderBook.fromSnapshot(snapshot)
 *   const next = OrderBook.apply(book, change)
 *   if (Either.isRight(next)) book = next.right
 *   else console.log(next.left.message) // BookGap { expected, prevChangeId, changeId }: resubscribe
 *   return OrderBook.spread(book) // Option<number>
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import type * as Stream from "effect/Stream"
import type * as DeribitChannels from "./DeribitChannels.js"
import * as bookStream from "./internal/bookStream.js"
import type { DeribitSession } from "./internal/client/session.js"
import { stateOf } from "./internal/client/session.js"
import type { ChannelError } from "./internal/client/state.js"
import * as internal from "./internal/orderBook.js"

// -------------------------------------------------------------------------------------------------------------------
// models
// -------------------------------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof internal.TypeId = internal.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * One price level.
 *
 * @since 0.1.0
 * @category models
 */
export interface Level extends internal.Level {}

/**
 * A book at one `changeId`. `bids` iterate best (highest price) first, `asks` best (lowest) first.
 *
 * @since 0.1.0
 * @category models
 */
export interface OrderBook extends internal.Book {}

/**
 * Levels as `[price, amount]` pairs in any order (zero amounts are left out), for `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Input extends internal.Input {}

/**
 * An update whose `prev_change_id` is not the book's `changeId`: at least one notification was missed, the book can no
 * longer be trusted. Resubscribe the channel and wait for its snapshot.
 *
 * @since 0.1.0
 * @category errors
 */
export class BookGap extends Data.TaggedError("BookGap")<{
  readonly instrument: string
  /** the book's change id, which `prev_change_id` should have been */
  readonly expected: number
  readonly prevChangeId: number
  readonly changeId: number
}> {
  override get message(): string {
    return `Order book ${this.instrument}: expected prev_change_id ${this.expected}, got ${this.prevChangeId} (change_id ${this.changeId}); resubscribe for a snapshot`
  }
}

/**
 * An update for another instrument than the book's.
 *
 * @since 0.1.0
 * @category errors
 */
export class InstrumentMismatch extends Data.TaggedError("InstrumentMismatch")<{
  readonly expected: string
  readonly received: string
}> {
  override get message(): string {
    return `Order book ${this.expected}: received an update for ${this.received}`
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export type ApplyError = BookGap | InstrumentMismatch

/**
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 *
 * const describe = (u: unknown) => OrderBook.isOrderBook(u) ? `${u.instrument}@${u.changeId}` : "not a book"
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isOrderBook: (u: unknown) => u is OrderBook = internal.isOrderBook

// -------------------------------------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------------------------------------

/**
 * The book of a `snapshot` notification.
 *
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 *
 * const book = OrderBook.fromSnapshot({
 *   type: "snapshot",
 *   timestamp: 1,
 *   instrument_name: "BTC-PERPETUAL",
 *   change_id: 10,
 *   bids: [["new", 50_000, 100]],
 *   asks: [["new", 50_000.5, 40]]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSnapshot: (snapshot: DeribitChannels.BookSnapshot) => OrderBook = internal.fromSnapshot

/**
 * A book from levels (e.g. a `public/get_order_book` result or the simulator's state).
 *
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 *
 * const book = OrderBook.make("BTC-PERPETUAL", { changeId: 7, bids: [[50_000, 100]], asks: [[50_000.5, 40]] })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (instrument: string, input: Input) => OrderBook = internal.make

// -------------------------------------------------------------------------------------------------------------------
// updates
// -------------------------------------------------------------------------------------------------------------------

const errors: {
  readonly gap: (book: OrderBook, update: DeribitChannels.BookChange) => ApplyError
  readonly instrument: (book: OrderBook, update: DeribitChannels.BookUpdate) => ApplyError
} = {
  gap: (book: OrderBook, update: DeribitChannels.BookChange) =>
    new BookGap({
      instrument: book.instrument,
      expected: book.changeId,
      prevChangeId: update.prev_change_id,
      changeId: update.change_id
    }),
  instrument: (book: OrderBook, update: DeribitChannels.BookUpdate) =>
    new InstrumentMismatch({ expected: book.instrument, received: update.instrument_name })
}

/**
 * Applies one notification: a `snapshot` replaces the book; a `change` applies its levels (`delete`, or an amount of
 * 0, removes a level) if its `prev_change_id` is the book's `changeId`, otherwise the result is a `BookGap`.
 *
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 * import * as Either from "effect/Either"
 *
 * const book = OrderBook.make("BTC-PERPETUAL", { changeId: 7, bids: [[50_000, 100]], asks: [[50_000.5, 40]] })
 * const next = OrderBook.apply(book, {
 *   type: "change",
 *   timestamp: 2,
 *   instrument_name: "BTC-PERPETUAL",
 *   change_id: 8,
 *   prev_change_id: 7,
 *   bids: [["change", 50_000, 60]],
 *   asks: [["delete", 50_000.5, 0]]
 * })
 * if (Either.isLeft(next) && next.left._tag === "BookGap") {
 *   // resubscribe the channel and wait for its snapshot
 * }
 * ```
 *
 * @since 0.1.0
 * @category updates
 */
export const apply: {
  (update: DeribitChannels.BookUpdate): (book: OrderBook) => Either.Either<OrderBook, ApplyError>
  (book: OrderBook, update: DeribitChannels.BookUpdate): Either.Either<OrderBook, ApplyError>
} = dual(2, (book: OrderBook, update: DeribitChannels.BookUpdate) => internal.apply(book, update, errors))

/**
 * Applies updates in order, stopping at the first error.
 *
 * @example
 * ```ts
 * import { DeribitChannels, OrderBook } from "@zen-websocket/deribit"
 *
 * const replay = (snapshot: DeribitChannels.BookSnapshot, changes: ReadonlyArray<DeribitChannels.BookChange>) =>
 *   OrderBook.applyAll(OrderBook.fromSnapshot(snapshot), changes)
 * ```
 *
 * @since 0.1.0
 * @category updates
 */
export const applyAll: {
  (updates: ReadonlyArray<DeribitChannels.BookUpdate>): (book: OrderBook) => Either.Either<OrderBook, ApplyError>
  (book: OrderBook, updates: ReadonlyArray<DeribitChannels.BookUpdate>): Either.Either<OrderBook, ApplyError>
} = dual(2, (book: OrderBook, updates: ReadonlyArray<DeribitChannels.BookUpdate>) => {
  let current = book
  for (const update of updates) {
    const next = internal.apply(current, update, errors)
    if (Either.isLeft(next)) return next
    current = next.right
  }
  return Either.right(current)
})

// -------------------------------------------------------------------------------------------------------------------
// tracking
// -------------------------------------------------------------------------------------------------------------------

/**
 * The state of a book fed by a channel: `Live` while the chain holds; `AwaitingSnapshot` at the start and after a gap
 * (`gap` says which), until a snapshot arrives.
 *
 * @since 0.1.0
 * @category tracking
 */
export type Tracked =
  | { readonly _tag: "AwaitingSnapshot"; readonly instrument: string; readonly gap: Option.Option<BookGap> }
  | { readonly _tag: "Live"; readonly book: OrderBook; readonly resynced: Option.Option<BookGap> }

/**
 * Tracking starts awaiting the snapshot.
 *
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 *
 * let tracked = OrderBook.track("BTC-PERPETUAL") // awaiting the snapshot
 * ```
 *
 * @since 0.1.0
 * @category tracking
 */
export const track = (instrument: string): Tracked => ({ _tag: "AwaitingSnapshot", instrument, gap: Option.none() })

/**
 * One notification through the state machine:
 *
 * - a snapshot → `Live` (with `resynced` holding the gap it repairs, if it ends one);
 * - a chained change while `Live` → `Live` with the change applied (`resynced` cleared);
 * - a broken chain while `Live` → `AwaitingSnapshot` with the gap (the caller resubscribes);
 * - a change while `AwaitingSnapshot` → unchanged (ignored);
 * - an update for another instrument → unchanged.
 *
 * @example
 * ```ts
 * import { DeribitChannels, OrderBook } from "@zen-websocket/deribit"
 * import * as Option from "effect/Option"
 *
 * const onUpdate = (tracked: OrderBook.Tracked, update: DeribitChannels.BookUpdate) => {
 *   const next = OrderBook.step(tracked, update)
 *   if (tracked._tag === "Live" && next._tag === "AwaitingSnapshot") {
 *     // a gap (Option.getOrThrow(next.gap)): resubscribe for a snapshot
 *   }
 *   if (next._tag === "Live" && Option.isSome(next.resynced)) {
 *     // the snapshot after a gap arrived: the book is good again
 *   }
 *   return next
 * }
 * ```
 *
 * @since 0.1.0
 * @category tracking
 */
export const step: {
  (update: DeribitChannels.BookUpdate): (tracked: Tracked) => Tracked
  (tracked: Tracked, update: DeribitChannels.BookUpdate): Tracked
} = dual(2, (tracked: Tracked, update: DeribitChannels.BookUpdate): Tracked => {
  const instrument = tracked._tag === "Live" ? tracked.book.instrument : tracked.instrument
  if (update.instrument_name !== instrument) return tracked
  if (update.type === "snapshot") {
    const resynced = tracked._tag === "AwaitingSnapshot" ? tracked.gap : Option.none()
    return { _tag: "Live", book: internal.fromSnapshot(update), resynced }
  }
  if (tracked._tag === "AwaitingSnapshot") return tracked
  const next = internal.apply(tracked.book, update, errors)
  if (Either.isRight(next)) return { _tag: "Live", book: next.right, resynced: Option.none() }
  return next.left._tag === "BookGap"
    ? { _tag: "AwaitingSnapshot", instrument, gap: Option.some(next.left) }
    : tracked
})

// -------------------------------------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------------------------------------

/**
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 * import * as Option from "effect/Option"
 *
 * const book = OrderBook.make("BTC-PERPETUAL", { changeId: 1, bids: [[49_999, 5], [50_000, 100]], asks: [] })
 * OrderBook.bestBid(book) // Option.some({ price: 50_000, amount: 100 })
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const bestBid: (book: OrderBook) => Option.Option<Level> = internal.bestBid

/**
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 *
 * const book = OrderBook.make("BTC-PERPETUAL", { changeId: 1, bids: [], asks: [[50_001, 5], [50_000.5, 40]] })
 * OrderBook.bestAsk(book) // Option.some({ price: 50_000.5, amount: 40 })
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const bestAsk: (book: OrderBook) => Option.Option<Level> = internal.bestAsk

/**
 * Best ask minus best bid; `None` when a side is empty.
 *
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 *
 * const book = OrderBook.make("BTC-PERPETUAL", { changeId: 1, bids: [[50_000, 100]], asks: [[50_000.5, 40]] })
 * OrderBook.spread(book) // Option.some(0.5)
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const spread = (book: OrderBook): Option.Option<number> =>
  Option.zipWith(internal.bestAsk(book), internal.bestBid(book), (ask, bid) => ask.price - bid.price)

/**
 * The mid price; `None` when a side is empty.
 *
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 *
 * const book = OrderBook.make("BTC-PERPETUAL", { changeId: 1, bids: [[50_000, 100]], asks: [[50_001, 40]] })
 * OrderBook.mid(book) // Option.some(50_000.5)
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const mid = (book: OrderBook): Option.Option<number> =>
  Option.zipWith(internal.bestAsk(book), internal.bestBid(book), (ask, bid) => (ask.price + bid.price) / 2)

/**
 * The best `levels` of each side, best first.
 *
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 *
 * const book = OrderBook.make("BTC-PERPETUAL", { changeId: 1, bids: [[50_000, 100], [49_999, 5]], asks: [[50_001, 40]] })
 * const { asks, bids } = OrderBook.depth(book, 1) // bids: [{ price: 50_000, amount: 100 }], asks: [{ price: 50_001, amount: 40 }]
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const depth: {
  (levels: number): (book: OrderBook) => { readonly bids: ReadonlyArray<Level>; readonly asks: ReadonlyArray<Level> }
  (book: OrderBook, levels: number): { readonly bids: ReadonlyArray<Level>; readonly asks: ReadonlyArray<Level> }
} = dual(2, (book: OrderBook, levels: number) => ({
  bids: internal.take(book.bids, levels),
  asks: internal.take(book.asks, levels)
}))

/**
 * Same levels on both sides, whatever the change ids (`Equal.equals` also compares instrument and change id).
 *
 * @example
 * ```ts
 * import { OrderBook } from "@zen-websocket/deribit"
 *
 * const a = OrderBook.make("BTC-PERPETUAL", { changeId: 1, bids: [[50_000, 100]], asks: [] })
 * const b = OrderBook.make("BTC-PERPETUAL", { changeId: 9, bids: [[50_000, 100]], asks: [] })
 * OrderBook.sameLevels(a, b) // true (Equal.equals(a, b) is false: the change ids differ)
 * ```
 *
 * @since 0.1.0
 * @category comparisons
 */
export const sameLevels: {
  (that: OrderBook): (self: OrderBook) => boolean
  (self: OrderBook, that: OrderBook): boolean
} = dual(2, internal.sameLevelsOf)

// -------------------------------------------------------------------------------------------------------------------
// streams
// -------------------------------------------------------------------------------------------------------------------

/**
 * What {@link stream} emits: the book after each applied snapshot or change (`BookUpdated`, with the update), or,
 * after a gap, the book the fresh snapshot starts (`BookResynced`, with the gap it repairs).
 *
 * @since 0.1.0
 * @category streams
 */
export type Event = bookStream.Event<BookGap>

/**
 * A book maintained from a session's `book.{instrument}.{interval}` channel: from the snapshot, then every change,
 * checked along the `change_id` / `prev_change_id` chain. A gap (a notification missed) resubscribes the channel,
 * the changes until the fresh snapshot are ignored, and the snapshot's book comes as `BookResynced` — exactly one per
 * gap. After a reconnect the session is `connected` only once the book has its new snapshot. The channel is shared
 * with other streams of it (subscribed while one runs).
 *
 * @example
 * ```ts
 * import { DeribitClient, OrderBook } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 * import * as Stream from "effect/Stream"
 *
 * const topOfBook = (session: DeribitClient.DeribitSession) =>
 *   OrderBook.stream(session, "BTC-PERPETUAL", "100ms").pipe(
 *     Stream.tap((event) => event._tag === "BookResynced" ? Effect.log(`resynced after ${event.gap.message}`) : Effect.void),
 *     Stream.map((event) => Option.all([OrderBook.bestBid(event.book), OrderBook.bestAsk(event.book)])),
 *     Stream.take(10)
 *   )
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const stream = (
  session: DeribitSession,
  instrument: string,
  interval: DeribitChannels.Interval
): Stream.Stream<Event, ChannelError | ParseResult.ParseError> =>
  bookStream.stream<BookGap>(stateOf(session), instrument, interval, {
    track,
    step: (tracked, update) => step(tracked as Tracked, update)
  })
