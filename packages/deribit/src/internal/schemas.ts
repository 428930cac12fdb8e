/**
 * The Schemas of Deribit's wire shapes: notification data, method params and results, the response envelope.
 * `DeribitChannels` and `DeribitMethods` publish them (with their docs); the simulator and `OrderBook` use them here.
 *
 * @since 0.1.0
 * @internal
 */
import * as Schema from "effect/Schema"

// -------------------------------------------------------------------------------------------------------------------
// notifications
// -------------------------------------------------------------------------------------------------------------------

/** @internal */
export const Direction = Schema.Literal("buy", "sell")

/** @internal */
export const Stats = Schema.Struct({
  volume: Schema.Number,
  volume_usd: Schema.optional(Schema.Number),
  price_change: Schema.NullOr(Schema.Number),
  low: Schema.NullOr(Schema.Number),
  high: Schema.NullOr(Schema.Number)
})

/** @internal */
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

/** @internal */
export interface Ticker extends Schema.Schema.Type<typeof Ticker> {}

/** @internal */
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

/** @internal */
export interface Trade extends Schema.Schema.Type<typeof Trade> {}

/** @internal */
export const BookLevelChange = Schema.Tuple(Schema.Literal("new", "change", "delete"), Schema.Number, Schema.Number)

/** @internal */
export type BookLevelChange = Schema.Schema.Type<typeof BookLevelChange>

/** @internal */
export const BookSnapshot = Schema.Struct({
  type: Schema.Literal("snapshot"),
  timestamp: Schema.Number,
  instrument_name: Schema.String,
  change_id: Schema.Number,
  bids: Schema.Array(BookLevelChange),
  asks: Schema.Array(BookLevelChange)
})

/** @internal */
export interface BookSnapshot extends Schema.Schema.Type<typeof BookSnapshot> {}

/** @internal */
export const BookChange = Schema.Struct({
  type: Schema.Literal("change"),
  timestamp: Schema.Number,
  instrument_name: Schema.String,
  change_id: Schema.Number,
  prev_change_id: Schema.Number,
  bids: Schema.Array(BookLevelChange),
  asks: Schema.Array(BookLevelChange)
})

/** @internal */
export interface BookChange extends Schema.Schema.Type<typeof BookChange> {}

/** @internal */
export const BookUpdate = Schema.Union(BookSnapshot, BookChange)

/** @internal */
export type BookUpdate = BookSnapshot | BookChange

/** @internal */
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

/** @internal */
export interface Order extends Schema.Schema.Type<typeof Order> {}

/** @internal */
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

/** @internal */
export interface UserTrade extends Schema.Schema.Type<typeof UserTrade> {}

/** @internal */
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

/** @internal */
export interface Portfolio extends Schema.Schema.Type<typeof Portfolio> {}

/** @internal */
export const UserOrdersData = Schema.Union(Order, Schema.Array(Order))

/** @internal */
export const TradesData = Schema.Array(Trade)

/** @internal */
export const UserTradesData = Schema.Array(UserTrade)

/** @internal */
export const Notification = <A, I>(data: Schema.Schema<A, I>) =>
  Schema.Struct({
    jsonrpc: Schema.Literal("2.0"),
    method: Schema.Literal("subscription"),
    params: Schema.Struct({ channel: Schema.String, data, label: Schema.optional(Schema.String) })
  })

/** @internal */
export const AnyNotification = Notification(Schema.Unknown)

/** @internal */
export const Heartbeat = Schema.Struct({
  jsonrpc: Schema.Literal("2.0"),
  method: Schema.Literal("heartbeat"),
  params: Schema.Struct({ type: Schema.Literal("heartbeat", "test_request") })
})

/** @internal */
export interface Heartbeat extends Schema.Schema.Type<typeof Heartbeat> {}

// -------------------------------------------------------------------------------------------------------------------
// methods
// -------------------------------------------------------------------------------------------------------------------

/** @internal */
export const Empty = Schema.Struct({})

/** @internal */
export const Scope = Schema.Literal("connection", "account")

/** @internal */
export const Ok = Schema.Literal("ok")

/** @internal */
export const InstrumentName = Schema.Struct({ instrument_name: Schema.String })

/** @internal */
export const Kind = Schema.Literal("future", "option", "spot", "future_combo", "option_combo", "any")

const Rate = Schema.Struct({ rate: Schema.Number, burst: Schema.Number })

const RequestId = Schema.Union(Schema.Number, Schema.String)

/** @internal */
export const AuthParams = Schema.Union(
  Schema.Struct({
    grant_type: Schema.Literal("client_credentials"),
    client_id: Schema.String,
    client_secret: Schema.String,
    scope: Schema.optional(Schema.String),
    state: Schema.optional(Schema.String)
  }),
  Schema.Struct({
    grant_type: Schema.Literal("client_signature"),
    client_id: Schema.String,
    timestamp: Schema.Number,
    signature: Schema.String,
    nonce: Schema.optional(Schema.String),
    data: Schema.optional(Schema.String),
    scope: Schema.optional(Schema.String),
    state: Schema.optional(Schema.String)
  }),
  Schema.Struct({
    grant_type: Schema.Literal("refresh_token"),
    refresh_token: Schema.String,
    scope: Schema.optional(Schema.String),
    state: Schema.optional(Schema.String)
  })
)

/** @internal */
export const OrderParams = Schema.Struct({
  instrument_name: Schema.String,
  amount: Schema.Number,
  type: Schema.optional(Schema.Literal("limit", "market")),
  price: Schema.optional(Schema.Number),
  label: Schema.optional(Schema.String),
  time_in_force: Schema.optional(Schema.Literal("good_til_cancelled", "fill_or_kill", "immediate_or_cancel")),
  post_only: Schema.optional(Schema.Boolean),
  reduce_only: Schema.optional(Schema.Boolean)
})

/** @internal */
export const EditParams = Schema.Struct({
  order_id: Schema.String,
  amount: Schema.Number,
  price: Schema.optional(Schema.Number),
  post_only: Schema.optional(Schema.Boolean),
  reduce_only: Schema.optional(Schema.Boolean)
})

/** @internal */
export const ChannelsParams = Schema.Struct({
  channels: Schema.Array(Schema.String),
  label: Schema.optional(Schema.String)
})

/** @internal */
export const AuthResult = Schema.Struct({
  access_token: Schema.String,
  expires_in: Schema.Number,
  refresh_token: Schema.String,
  scope: Schema.String,
  token_type: Schema.Literal("bearer"),
  enabled_features: Schema.Array(Schema.String),
  sid: Schema.optional(Schema.String),
  state: Schema.optional(Schema.String)
})

/** @internal */
export const Instrument = Schema.Struct({
  instrument_name: Schema.String,
  instrument_id: Schema.optional(Schema.Number),
  kind: Kind,
  base_currency: Schema.String,
  quote_currency: Schema.String,
  counter_currency: Schema.String,
  settlement_currency: Schema.optional(Schema.String),
  settlement_period: Schema.String,
  tick_size: Schema.Number,
  min_trade_amount: Schema.Number,
  contract_size: Schema.Number,
  is_active: Schema.Boolean,
  creation_timestamp: Schema.Number,
  expiration_timestamp: Schema.Number,
  maker_commission: Schema.Number,
  taker_commission: Schema.Number,
  price_index: Schema.String,
  max_leverage: Schema.optional(Schema.Number),
  future_type: Schema.optional(Schema.String),
  instrument_type: Schema.optional(Schema.String)
})

/** @internal */
export const OrderBookResult = Schema.Struct({
  ...Ticker.fields,
  change_id: Schema.Number,
  bids: Schema.Array(Schema.Tuple(Schema.Number, Schema.Number)),
  asks: Schema.Array(Schema.Tuple(Schema.Number, Schema.Number))
})

/** @internal */
export const OrderResult = Schema.Struct({ order: Order, trades: Schema.Array(UserTrade) })

/** @internal */
export const Position = Schema.Struct({
  instrument_name: Schema.String,
  kind: Kind,
  direction: Schema.Literal("buy", "sell", "zero"),
  size: Schema.Number,
  size_currency: Schema.optional(Schema.Number),
  average_price: Schema.Number,
  mark_price: Schema.Number,
  index_price: Schema.Number,
  floating_profit_loss: Schema.Number,
  realized_profit_loss: Schema.Number,
  total_profit_loss: Schema.Number,
  delta: Schema.Number,
  initial_margin: Schema.Number,
  maintenance_margin: Schema.Number,
  open_orders_margin: Schema.Number,
  settlement_price: Schema.optional(Schema.Number),
  leverage: Schema.optional(Schema.Number),
  estimated_liquidation_price: Schema.optional(Schema.NullOr(Schema.Number))
})

/** @internal */
export const AccountSummary = Schema.Struct({
  ...Portfolio.fields,
  fee_balance: Schema.optional(Schema.Number),
  limits: Schema.optional(Schema.Struct({ non_matching_engine: Rate, matching_engine: Rate }))
})

/** @internal */
export const CancelOnDisconnect = Schema.Struct({ scope: Scope, enabled: Schema.Boolean })

/** @internal */
export const Timing = Schema.Struct({
  usIn: Schema.Number,
  usOut: Schema.Number,
  usDiff: Schema.Number,
  testnet: Schema.Boolean
})

/** @internal */
export const Success = <A, I>(result: Schema.Schema<A, I>) =>
  Schema.Struct({ jsonrpc: Schema.Literal("2.0"), id: RequestId, result, ...Timing.fields })

/** @internal */
export const Failure = Schema.Struct({
  jsonrpc: Schema.Literal("2.0"),
  id: Schema.NullOr(RequestId),
  error: Schema.Struct({ code: Schema.Number, message: Schema.String, data: Schema.optional(Schema.Unknown) }),
  ...Timing.fields
})
