/**
 * The maintained book: two immutable sorted maps (price → amount), bids best (highest) first, asks best (lowest)
 * first, on a prototype that is `Equal`, `Inspectable` and `Pipeable`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Order from "effect/Order"
import { pipeArguments } from "effect/Pipeable"
import type * as Pipeable from "effect/Pipeable"
import * as SortedMap from "effect/SortedMap"
import type { BookChange, BookLevelChange, BookSnapshot, BookUpdate } from "./schemas.js"

/** @internal */
export const TypeId: unique symbol = Symbol.for("@zen-websocket/deribit/OrderBook")

/** @internal */
export type TypeId = typeof TypeId

type Levels = SortedMap.SortedMap<number, number>

/** @internal */
export interface Level {
  readonly price: number
  readonly amount: number
}

/** @internal */
export interface Book extends Equal.Equal, Inspectable.Inspectable, Pipeable.Pipeable {
  readonly [TypeId]: TypeId
  readonly instrument: string
  readonly changeId: number
  /** of the last update applied (ms since the epoch) */
  readonly timestamp: number
  /** best (highest) first */
  readonly bids: SortedMap.SortedMap<number, number>
  /** best (lowest) first */
  readonly asks: SortedMap.SortedMap<number, number>
}

/** @internal */
export interface Input {
  readonly changeId: number
  readonly timestamp?: number | undefined
  readonly bids: ReadonlyArray<readonly [number, number]>
  readonly asks: ReadonlyArray<readonly [number, number]>
}

const descending = Order.reverse(Order.number)

const levelsJson = (levels: Levels): Array<readonly [number, number]> => Array.from(SortedMap.entries(levels))

const sameLevels = (a: Levels, b: Levels): boolean => {
  if (SortedMap.size(a) !== SortedMap.size(b)) return false
  const right = SortedMap.entries(b)
  for (const [price, amount] of SortedMap.entries(a)) {
    const next = right.next()
    if (next.done === true || next.value[0] !== price || next.value[1] !== amount) return false
  }
  return true
}

const Proto = {
  [TypeId]: TypeId,
  ...Inspectable.BaseProto,
  toJSON(this: Book) {
    return {
      _id: "OrderBook",
      instrument: this.instrument,
      changeId: this.changeId,
      timestamp: this.timestamp,
      bids: levelsJson(this.bids),
      asks: levelsJson(this.asks)
    }
  },
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  },
  [Equal.symbol](this: Book, that: Equal.Equal): boolean {
    return isOrderBook(that) && this.instrument === that.instrument && this.changeId === that.changeId &&
      sameLevels(this.bids, that.bids) && sameLevels(this.asks, that.asks)
  },
  [Hash.symbol](this: Book): number {
    return Hash.cached(
      this,
      Hash.combine(Hash.hash(this.instrument))(
        Hash.combine(Hash.number(this.changeId))(
          Hash.number(SortedMap.size(this.bids) * 31 + SortedMap.size(this.asks))
        )
      )
    )
  }
}

/** @internal */
export const isOrderBook = (u: unknown): u is Book => typeof u === "object" && u !== null && TypeId in u

const makeBook = (instrument: string, changeId: number, timestamp: number, bids: Levels, asks: Levels): Book => {
  const book = Object.create(Proto)
  book.instrument = instrument
  book.changeId = changeId
  book.timestamp = timestamp
  book.bids = bids
  book.asks = asks
  return book
}

const fromLevels = (order: Order.Order<number>, levels: ReadonlyArray<readonly [number, number]>): Levels => {
  let map = SortedMap.empty<number, number>(order)
  for (const [price, amount] of levels) if (amount > 0) map = SortedMap.set(map, price, amount)
  return map
}

/** @internal */
export const make = (instrument: string, input: Input): Book =>
  makeBook(
    instrument,
    input.changeId,
    input.timestamp ?? 0,
    fromLevels(descending, input.bids),
    fromLevels(Order.number, input.asks)
  )

const applyChanges = (levels: Levels, changes: ReadonlyArray<BookLevelChange>): Levels => {
  let map = levels
  for (let i = 0; i < changes.length; i++) {
    const [action, price, amount] = changes[i]
    map = action === "delete" || amount <= 0 ? SortedMap.remove(map, price) : SortedMap.set(map, price, amount)
  }
  return map
}

/** @internal */
export const fromSnapshot = (snapshot: BookSnapshot): Book =>
  makeBook(
    snapshot.instrument_name,
    snapshot.change_id,
    snapshot.timestamp,
    applyChanges(SortedMap.empty(descending), snapshot.bids),
    applyChanges(SortedMap.empty(Order.number), snapshot.asks)
  )

/** @internal */
export const apply = <E>(
  book: Book,
  update: BookUpdate,
  errors: {
    readonly gap: (book: Book, update: BookChange) => E
    readonly instrument: (book: Book, update: BookUpdate) => E
  }
): Either.Either<Book, E> => {
  if (update.instrument_name !== book.instrument) return Either.left(errors.instrument(book, update))
  if (update.type === "snapshot") return Either.right(fromSnapshot(update))
  if (update.prev_change_id !== book.changeId) return Either.left(errors.gap(book, update))
  return Either.right(
    makeBook(
      book.instrument,
      update.change_id,
      update.timestamp,
      applyChanges(book.bids, update.bids),
      applyChanges(book.asks, update.asks)
    )
  )
}

const level = (entry: Option.Option<[number, number]>): Option.Option<Level> =>
  Option.map(entry, ([price, amount]) => ({ price, amount }))

/** @internal */
export const bestBid = (book: Book): Option.Option<Level> => level(SortedMap.headOption(book.bids))

/** @internal */
export const bestAsk = (book: Book): Option.Option<Level> => level(SortedMap.headOption(book.asks))

/** @internal */
export const take = (levels: Levels, n: number): Array<Level> => {
  const out: Array<Level> = []
  if (n <= 0) return out
  for (const [price, amount] of SortedMap.entries(levels)) {
    out.push({ price, amount })
    if (out.length >= n) break
  }
  return out
}

/** @internal */
export const sameLevelsOf = (a: Book, b: Book): boolean => sameLevels(a.bids, b.bids) && sameLevels(a.asks, b.asks)
