/**
 * Deribit's subscription channels: their names, and `Schema`s for the notifications they carry (ticker, trades, book
 * snapshot/change, user orders, user trades, user portfolio) and for the `heartbeat` notification.
 *
 * Decoders are compiled once (`decodeTicker`, `decodeNotification`, …); `decodeTickerFast` is a hand-written path for
 * the ticker, checked against the Schema by the tests.
 *
 * ```ts
 * import { DeribitChannels } from "@zen-websocket/deribit"
 *
 * DeribitChannels.ticker("BTC-PERPETUAL", "100ms") // "ticker.BTC-PERPETUAL.100ms"
 * const data = DeribitChannels.decodeTicker(JSON.parse(frame).params.data)
 * data.best_bid_price
 * ```
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as internal from "./internal/channels.js"
import * as fast from "./internal/fastDecode.js"

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
 * @since 0.1.0
 * @category names
 */
export const ticker = (instrument: string, interval: Interval): string => `ticker.${instrument}.${interval}`

/**
 * `book.{instrument}.{interval}`: a snapshot, then `new/change/delete` updates chained by change ids.
 *
 * @since 0.1.0
 * @category names
 */
export const book = (instrument: string, interval: Interval): string => `book.${instrument}.${interval}`

/**
 * `trades.{instrument}.{interval}` or `trades.{kind}.{currency}.{interval}`
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
 * @since 0.1.0
 * @category names
 */
export const userPortfolio = (currency: string): string => `user.portfolio.${currency}`

/**
 * Parses a channel name this package knows; `None` for anything else (including grouped book channels).
 *
 * @since 0.1.0
 * @category names
 */
export const parse = (name: string): Option.Option<Channel> => Option.fromNullable(internal.parse(name))

/**
 * @since 0.1.0
 * @category names
 */
export const format: (channel: Channel) => string = internal.format

/**
 * `user.*` channels: only `private/subscribe` accepts them.
 *
 * @since 0.1.0
 * @category names
 */
export const isPrivate: (name: string) => boolean = internal.isPrivateName

/**
 * Private and `.raw` channels need an authenticated connection (`.raw` without auth: 13778). Keep them out of
 * batches with other channels: Deribit may reject a whole batch for one of them.
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
export const Direction = Schema.Literal("buy", "sell")

/**
 * @since 0.1.0
 * @category schemas
 */
export const Stats = Schema.Struct({
  volume: Schema.Number,
  volume_usd: Schema.optional(Schema.Number),
  price_change: Schema.NullOr(Schema.Number),
  low: Schema.NullOr(Schema.Number),
  high: Schema.NullOr(Schema.Number)
})

/**
 * The ticker of an instrument (the `ticker.*` notification data and the `public/ticker` result). Prices of an empty
 * side are `null`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Ticker = Schema.Struct({
  timestamp: Schema.Number,
  instrument_name: Schema.String,
  state: Schema.Literal("open", "closed"),
  best_bid_price: Schema.NullOr(Schema.Number),
  best_bid_amount: Schema.Number,
  best_ask_price: Schema.NullOr(Schema.Number),
  best_ask_amount: Schema.Number,
  last_price: Schema.NullOr(Schema.Number),
  mark_price: Schema.Number,
  index_price: Schema.Number,
  open_interest: Schema.Number,
  min_price: Schema.Number,
  max_price: Schema.Number,
  settlement_price: Schema.optional(Schema.Number),
  estimated_delivery_price: Schema.optional(Schema.Number),
  current_funding: Schema.optional(Schema.Number),
  funding_8h: Schema.optional(Schema.Number),
  interest_value: Schema.optional(Schema.Number),
  stats: Stats
})

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
export const Trade = Schema.Struct({
  trade_id: Schema.String,
  trade_seq: Schema.Number,
  timestamp: Schema.Number,
  instrument_name: Schema.String,
  direction: Direction,
  price: Schema.Number,
  amount: Schema.Number,
  tick_direction: Schema.Number,
  mark_price: Schema.Number,
  index_price: Schema.Number,
  contracts: Schema.optional(Schema.Number),
  iv: Schema.optional(Schema.Number),
  liquidation: Schema.optional(Schema.String),
  block_trade_id: Schema.optional(Schema.String)
})

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
export const BookLevelChange = Schema.Tuple(Schema.Literal("new", "change", "delete"), Schema.Number, Schema.Number)

/**
 * @since 0.1.0
 * @category models
 */
export type BookLevelChange = Schema.Schema.Type<typeof BookLevelChange>

/**
 * @since 0.1.0
 * @category schemas
 */
export const BookSnapshot = Schema.Struct({
  type: Schema.Literal("snapshot"),
  timestamp: Schema.Number,
  instrument_name: Schema.String,
  change_id: Schema.Number,
  bids: Schema.Array(BookLevelChange),
  asks: Schema.Array(BookLevelChange)
})

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
export const BookChange = Schema.Struct({
  type: Schema.Literal("change"),
  timestamp: Schema.Number,
  instrument_name: Schema.String,
  change_id: Schema.Number,
  prev_change_id: Schema.Number,
  bids: Schema.Array(BookLevelChange),
  asks: Schema.Array(BookLevelChange)
})

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
export const BookUpdate = Schema.Union(BookSnapshot, BookChange)

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
export const Order = Schema.Struct({
  order_id: Schema.String,
  instrument_name: Schema.String,
  direction: Direction,
  price: Schema.Union(Schema.Number, Schema.Literal("market_price")),
  amount: Schema.Number,
  filled_amount: Schema.Number,
  average_price: Schema.Number,
  order_state: Schema.Literal("open", "filled", "rejected", "cancelled", "untriggered", "triggered"),
  order_type: Schema.Literal("limit", "market", "stop_limit", "stop_market", "take_limit", "take_market"),
  time_in_force: Schema.Literal("good_til_cancelled", "good_til_day", "fill_or_kill", "immediate_or_cancel"),
  label: Schema.String,
  creation_timestamp: Schema.Number,
  last_update_timestamp: Schema.Number,
  post_only: Schema.Boolean,
  reduce_only: Schema.optional(Schema.Boolean),
  api: Schema.Boolean,
  replaced: Schema.optional(Schema.Boolean),
  web: Schema.optional(Schema.Boolean),
  is_liquidation: Schema.optional(Schema.Boolean),
  cancel_reason: Schema.optional(Schema.String),
  contracts: Schema.optional(Schema.Number)
})

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
export const UserTrade = Schema.Struct({
  trade_id: Schema.String,
  trade_seq: Schema.Number,
  timestamp: Schema.Number,
  instrument_name: Schema.String,
  order_id: Schema.String,
  order_type: Schema.String,
  direction: Direction,
  price: Schema.Number,
  amount: Schema.Number,
  state: Schema.Literal("open", "filled"),
  fee: Schema.Number,
  fee_currency: Schema.String,
  liquidity: Schema.Literal("M", "T"),
  mark_price: Schema.Number,
  index_price: Schema.Number,
  tick_direction: Schema.Number,
  label: Schema.optional(Schema.String),
  post_only: Schema.optional(Schema.Boolean),
  reduce_only: Schema.optional(Schema.Boolean),
  profit_loss: Schema.optional(Schema.Number)
})

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
export const Portfolio = Schema.Struct({
  currency: Schema.String,
  balance: Schema.Number,
  equity: Schema.Number,
  available_funds: Schema.Number,
  available_withdrawal_funds: Schema.Number,
  margin_balance: Schema.Number,
  initial_margin: Schema.Number,
  maintenance_margin: Schema.Number,
  total_pl: Schema.Number,
  session_upl: Schema.Number,
  session_rpl: Schema.Number,
  delta_total: Schema.Number,
  futures_pl: Schema.optional(Schema.Number),
  options_pl: Schema.optional(Schema.Number),
  projected_initial_margin: Schema.optional(Schema.Number),
  projected_maintenance_margin: Schema.optional(Schema.Number)
})

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
export const UserOrdersData = Schema.Union(Order, Schema.Array(Order))

/**
 * @since 0.1.0
 * @category schemas
 */
export const TradesData = Schema.Array(Trade)

/**
 * @since 0.1.0
 * @category schemas
 */
export const UserTradesData = Schema.Array(UserTrade)

// -------------------------------------------------------------------------------------------------------------------
// notifications
// -------------------------------------------------------------------------------------------------------------------

/**
 * A `subscription` notification whose `params.data` is `data` (`label` appears on private subscriptions made with
 * one).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Notification = <A, I>(data: Schema.Schema<A, I>) =>
  Schema.Struct({
    jsonrpc: Schema.Literal("2.0"),
    method: Schema.Literal("subscription"),
    params: Schema.Struct({ channel: Schema.String, data, label: Schema.optional(Schema.String) })
  })

/**
 * Any `subscription` notification, its data left unknown (decode it with the channel's data schema, see `dataSchema`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AnyNotification = Notification(Schema.Unknown)

/**
 * `{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"|"test_request"}}`; a `test_request` must be
 * answered with `public/test`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Heartbeat = Schema.Struct({
  jsonrpc: Schema.Literal("2.0"),
  method: Schema.Literal("heartbeat"),
  params: Schema.Struct({ type: Schema.Literal("heartbeat", "test_request") })
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Heartbeat extends Schema.Schema.Type<typeof Heartbeat> {}

/**
 * The data schema of a channel (by its parsed name).
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
 * @since 0.1.0
 * @category decoding
 */
export const decodeTicker: (u: unknown) => Ticker = Schema.decodeUnknownSync(Ticker)

/**
 * @since 0.1.0
 * @category decoding
 */
export const decodeBookUpdate: (u: unknown) => BookUpdate = Schema.decodeUnknownSync(BookUpdate)

/**
 * @since 0.1.0
 * @category decoding
 */
export const decodeTrades: (u: unknown) => ReadonlyArray<Trade> = Schema.decodeUnknownSync(TradesData)

/**
 * @since 0.1.0
 * @category decoding
 */
export const decodeUserOrders: (u: unknown) => Order | ReadonlyArray<Order> = Schema.decodeUnknownSync(UserOrdersData)

/**
 * @since 0.1.0
 * @category decoding
 */
export const decodeUserTrades: (u: unknown) => ReadonlyArray<UserTrade> = Schema.decodeUnknownSync(UserTradesData)

/**
 * @since 0.1.0
 * @category decoding
 */
export const decodePortfolio: (u: unknown) => Portfolio = Schema.decodeUnknownSync(Portfolio)

/**
 * @since 0.1.0
 * @category decoding
 */
export const decodeHeartbeat: (u: unknown) => Heartbeat = Schema.decodeUnknownSync(Heartbeat)

/**
 * The ticker decoder for hot paths: the same checks as `decodeTicker` written by hand (the tests hold it to the
 * Schema, valid and invalid input alike), returning the input object itself instead of a copy. `undefined` when the
 * input does not match; decode with `decodeTicker` then for the error.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeTickerFast: (u: unknown) => Ticker | undefined = fast.ticker
