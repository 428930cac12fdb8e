/**
 * Deribit's subscription channels: their names, and `Schema`s for the notifications they carry (ticker, trades, book
 * snapshot/change, user orders, user trades, user portfolio) and for the `heartbeat` notification.
 *
 * Decoders are compiled once (`decodeTicker`, `decodeBookUpdate`, …); `decodeTickerFast` is a hand-written path for
 * the ticker, checked against the Schema by the tests.
 *
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const channel = DeribitChannels.ticker("BTC-PERPETUAL", "100ms") // "ticker.BTC-PERPETUAL.100ms"
 * const bestBid = (frame: string) => DeribitChannels.decodeTicker(JSON.parse(frame).params.data).best_bid_price
 * ```
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as internal from "./internal/channels.js"
import * as fast from "./internal/fastDecode.js"
import * as schemas from "./internal/schemas.js"

// -------------------------------------------------------------------------------------------------------------------
// names
// -------------------------------------------------------------------------------------------------------------------

/**
 * How often a channel notifies: `raw` (every change; authenticated connections only), `100ms`, `agg2` (2 s).
 *
 * @since 0.1.0
 * @category names
 */
export type Interval = internal.Interval

/**
 * @since 0.1.0
 * @category names
 */
export type Kind = internal.Kind

/**
 * What a `trades` / `user.*` channel covers: one instrument, or a kind and currency (`future.BTC`, `any.any`).
 *
 * @since 0.1.0
 * @category names
 */
export type Target = internal.Target

/**
 * A parsed channel name.
 *
 * @since 0.1.0
 * @category names
 */
export type Channel = internal.Channel

/**
 * `ticker.{instrument}.{interval}`
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const channel = DeribitChannels.ticker("BTC-PERPETUAL", "100ms") // "ticker.BTC-PERPETUAL.100ms"
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const ticker = (instrument: string, interval: Interval): string => `ticker.${instrument}.${interval}`

/**
 * `book.{instrument}.{interval}`: a snapshot, then `new/change/delete` updates chained by change ids.
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const channel = DeribitChannels.book("ETH-PERPETUAL", "100ms") // "book.ETH-PERPETUAL.100ms"
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const book = (instrument: string, interval: Interval): string => `book.${instrument}.${interval}`

/**
 * `trades.{instrument}.{interval}` or `trades.{kind}.{currency}.{interval}`
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * DeribitChannels.trades("BTC-PERPETUAL", "100ms") // "trades.BTC-PERPETUAL.100ms"
 * DeribitChannels.trades({ kind: "future", currency: "BTC" }, "agg2") // "trades.future.BTC.agg2"
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const trades = (
  selector: string | { readonly kind: Kind; readonly currency: string },
  interval: Interval
): string => internal.format({ _tag: "Trades", target: internal.toTarget(selector), interval })

/**
 * `user.orders.{instrument}.{interval}` or `user.orders.{kind}.{currency}.{interval}` (private).
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * DeribitChannels.userOrders("BTC-PERPETUAL", "raw") // "user.orders.BTC-PERPETUAL.raw"
 * DeribitChannels.userOrders({ kind: "any", currency: "any" }, "100ms") // "user.orders.any.any.100ms"
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const userOrders = (
  selector: string | { readonly kind: Kind; readonly currency: string },
  interval: Interval
): string => internal.format({ _tag: "UserOrders", target: internal.toTarget(selector), interval })

/**
 * `user.trades.{instrument}.{interval}` or `user.trades.{kind}.{currency}.{interval}` (private).
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * DeribitChannels.userTrades({ kind: "future", currency: "ETH" }, "100ms") // "user.trades.future.ETH.100ms"
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const userTrades = (
  selector: string | { readonly kind: Kind; readonly currency: string },
  interval: Interval
): string => internal.format({ _tag: "UserTrades", target: internal.toTarget(selector), interval })

/**
 * `user.portfolio.{currency}` (private).
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * DeribitChannels.userPortfolio("BTC") // "user.portfolio.BTC"
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const userPortfolio = (currency: string): string => `user.portfolio.${currency}`

/**
 * Parses a channel name this package knows; `None` for anything else (including grouped book channels).
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 * import * as Option from "effect/Option"
 *
 * const channel = DeribitChannels.parse("book.BTC-PERPETUAL.100ms")
 * // Option.some({ _tag: "Book", instrument: "BTC-PERPETUAL", interval: "100ms" })
 * const instrument = Option.map(channel, (c) => c._tag === "Book" ? c.instrument : undefined)
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const parse = (name: string): Option.Option<Channel> => Option.fromNullable(internal.parse(name))

/**
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * DeribitChannels.format({ _tag: "Ticker", instrument: "BTC-PERPETUAL", interval: "agg2" }) // "ticker.BTC-PERPETUAL.agg2"
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const format: (channel: Channel) => string = internal.format

/**
 * `user.*` channels: only `private/subscribe` accepts them.
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const channels = ["ticker.BTC-PERPETUAL.100ms", "user.portfolio.BTC"]
 * const viaPrivateSubscribe = channels.filter(DeribitChannels.isPrivate) // ["user.portfolio.BTC"]
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const isPrivate: (name: string) => boolean = internal.isPrivateName

/**
 * Private and `.raw` channels need an authenticated connection (`.raw` without auth: 13778). Keep them out of
 * batches with other channels: Deribit may reject a whole batch for one of them.
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * DeribitChannels.requiresAuth("book.BTC-PERPETUAL.raw") // true: subscribe it alone, after public/auth
 * DeribitChannels.requiresAuth("book.BTC-PERPETUAL.100ms") // false
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const requiresAuth = (name: string): boolean => internal.isPrivateName(name) || internal.isRawName(name)

// -------------------------------------------------------------------------------------------------------------------
// shared shapes
// -------------------------------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category schemas
 */
export const Direction: typeof schemas.Direction = schemas.Direction

/**
 * @since 0.1.0
 * @category schemas
 */
export const Stats: typeof schemas.Stats = schemas.Stats

/**
 * The ticker of an instrument (the `ticker.*` notification data and the `public/ticker` result). Prices of an empty
 * side are `null`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Ticker: typeof schemas.Ticker = schemas.Ticker

/**
 * @since 0.1.0
 * @category models
 */
export interface Ticker extends Schema.Schema.Type<typeof Ticker> {}

/**
 * A public trade (elements of the `trades.*` notification data).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Trade: typeof schemas.Trade = schemas.Trade

/**
 * @since 0.1.0
 * @category models
 */
export interface Trade extends Schema.Schema.Type<typeof Trade> {}

/**
 * One level change `[action, price, amount]`; a snapshot lists every level as `"new"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BookLevelChange: typeof schemas.BookLevelChange = schemas.BookLevelChange

/**
 * @since 0.1.0
 * @category models
 */
export type BookLevelChange = Schema.Schema.Type<typeof BookLevelChange>

/**
 * @since 0.1.0
 * @category schemas
 */
export const BookSnapshot: typeof schemas.BookSnapshot = schemas.BookSnapshot

/**
 * @since 0.1.0
 * @category models
 */
export interface BookSnapshot extends Schema.Schema.Type<typeof BookSnapshot> {}

/**
 * An incremental update: `prev_change_id` must equal the `change_id` of the previous notification of the channel,
 * otherwise a notification was missed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BookChange: typeof schemas.BookChange = schemas.BookChange

/**
 * @since 0.1.0
 * @category models
 */
export interface BookChange extends Schema.Schema.Type<typeof BookChange> {}

/**
 * The `book.{instrument}.{interval}` notification data.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BookUpdate: typeof schemas.BookUpdate = schemas.BookUpdate

/**
 * @since 0.1.0
 * @category models
 */
export type BookUpdate = BookSnapshot | BookChange

/**
 * An order, as `user.orders.*` notifies it and the order methods return it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Order: typeof schemas.Order = schemas.Order

/**
 * @since 0.1.0
 * @category models
 */
export interface Order extends Schema.Schema.Type<typeof Order> {}

/**
 * A fill of one of the user's orders (`user.trades.*` and the `trades` of buy/sell/edit results).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserTrade: typeof schemas.UserTrade = schemas.UserTrade

/**
 * @since 0.1.0
 * @category models
 */
export interface UserTrade extends Schema.Schema.Type<typeof UserTrade> {}

/**
 * The `user.portfolio.{currency}` notification data (also the core of `private/get_account_summary`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Portfolio: typeof schemas.Portfolio = schemas.Portfolio

/**
 * @since 0.1.0
 * @category models
 */
export interface Portfolio extends Schema.Schema.Type<typeof Portfolio> {}

/**
 * `user.orders.*.raw` carries one order per notification, the aggregated intervals an array.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserOrdersData: typeof schemas.UserOrdersData = schemas.UserOrdersData

/**
 * @since 0.1.0
 * @category schemas
 */
export const TradesData: typeof schemas.TradesData = schemas.TradesData

/**
 * @since 0.1.0
 * @category schemas
 */
export const UserTradesData: typeof schemas.UserTradesData = schemas.UserTradesData

// -------------------------------------------------------------------------------------------------------------------
// notifications
// -------------------------------------------------------------------------------------------------------------------

/**
 * A `subscription` notification whose `params.data` is `data` (`label` appears on private subscriptions made with
 * one).
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 * import * as Schema from "effect/Schema"
 *
 * const decodeTickerNotification = Schema.decodeUnknownSync(DeribitChannels.Notification(DeribitChannels.Ticker))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Notification: <A, I>(data: Schema.Schema<A, I>) => ReturnType<typeof schemas.Notification<A, I>> =
  schemas.Notification

/**
 * Any `subscription` notification, its data left unknown (decode it with the channel's data schema, see `dataSchema`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AnyNotification: typeof schemas.AnyNotification = schemas.AnyNotification

/**
 * `{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"|"test_request"}}`; a `test_request` must be
 * answered with `public/test`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Heartbeat: typeof schemas.Heartbeat = schemas.Heartbeat

/**
 * @since 0.1.0
 * @category models
 */
export interface Heartbeat extends Schema.Schema.Type<typeof Heartbeat> {}

/**
 * The data schema of a channel (by its parsed name).
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 * import * as Option from "effect/Option"
 * import * as Schema from "effect/Schema"
 *
 * const decodeData = (channel: string, data: unknown) =>
 *   Option.map(DeribitChannels.parse(channel), (c) => Schema.decodeUnknownEither(DeribitChannels.dataSchema(c))(data))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const dataSchema = (channel: Channel): Schema.Schema<unknown, unknown> => {
  switch (channel._tag) {
    case "Ticker":
      return Ticker as Schema.Schema<unknown, unknown>
    case "Book":
      return BookUpdate as Schema.Schema<unknown, unknown>
    case "Trades":
      return TradesData as Schema.Schema<unknown, unknown>
    case "UserOrders":
      return UserOrdersData as Schema.Schema<unknown, unknown>
    case "UserTrades":
      return UserTradesData as Schema.Schema<unknown, unknown>
    case "UserPortfolio":
      return Portfolio as Schema.Schema<unknown, unknown>
  }
}

// -------------------------------------------------------------------------------------------------------------------
// decoders (compiled once)
// -------------------------------------------------------------------------------------------------------------------

/**
 * Decodes `params.data` of a ticker notification; throws a `ParseError` on a mismatch.
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const onFrame = (text: string) => {
 *   const ticker = DeribitChannels.decodeTicker(JSON.parse(text).params.data)
 *   return ticker.best_bid_price
 * }
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeTicker: (u: unknown) => Ticker = Schema.decodeUnknownSync(Ticker)

/**
 * @example
 * ```ts
 * import { DeribitChannels, OrderBook } from "@zen-websocket/deribit"
 *
 * const onBookFrame = (tracked: OrderBook.Tracked, text: string) =>
 *   OrderBook.step(tracked, DeribitChannels.decodeBookUpdate(JSON.parse(text).params.data))
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeBookUpdate: (u: unknown) => BookUpdate = Schema.decodeUnknownSync(BookUpdate)

/**
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const volume = (text: string) =>
 *   DeribitChannels.decodeTrades(JSON.parse(text).params.data).reduce((sum, trade) => sum + trade.amount, 0)
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeTrades: (u: unknown) => ReadonlyArray<Trade> = Schema.decodeUnknownSync(TradesData)

/**
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const orders = (text: string) => {
 *   const data = DeribitChannels.decodeUserOrders(JSON.parse(text).params.data)
 *   return Array.isArray(data) ? data : [data] // .raw: one order, aggregated intervals: an array
 * }
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUserOrders: (u: unknown) => Order | ReadonlyArray<Order> = Schema.decodeUnknownSync(UserOrdersData)

/**
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const fees = (text: string) =>
 *   DeribitChannels.decodeUserTrades(JSON.parse(text).params.data).reduce((sum, trade) => sum + trade.fee, 0)
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUserTrades: (u: unknown) => ReadonlyArray<UserTrade> = Schema.decodeUnknownSync(UserTradesData)

/**
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const equity = (text: string) => DeribitChannels.decodePortfolio(JSON.parse(text).params.data).equity
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodePortfolio: (u: unknown) => Portfolio = Schema.decodeUnknownSync(Portfolio)

/**
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const needsAnswer = (json: unknown) => DeribitChannels.decodeHeartbeat(json).params.type === "test_request"
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeHeartbeat: (u: unknown) => Heartbeat = Schema.decodeUnknownSync(Heartbeat)

/**
 * The ticker decoder for hot paths: the same checks as `decodeTicker` written by hand (the tests hold it to the
 * Schema, valid and invalid input alike), returning the input object itself instead of a copy. `undefined` when the
 * input does not match; decode with `decodeTicker` then for the error.
 *
 * @example
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * const onFrame = (text: string) => {
 *   const data: unknown = JSON.parse(text).params.data
 *   const ticker = DeribitChannels.decodeTickerFast(data) ?? DeribitChannels.decodeTicker(data) // the Schema throws the error
 *   return ticker.mark_price
 * }
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeTickerFast: (u: unknown) => Ticker | undefined = fast.ticker
