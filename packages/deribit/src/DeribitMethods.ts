/**
 * The common Deribit JSON-RPC methods as data: each one's params and result `Schema`, whether it is private, and which
 * credit budget it draws on; plus the response envelope (`usIn`/`usOut`/`usDiff`/`testnet`) and the credit model.
 *
 * ```ts
 * import { DeribitMethods } from "@zen-websocket/deribit"
 * import * as Schema from "effect/Schema"
 *
 * const decodeBuy = Schema.decodeUnknownSync(DeribitMethods.methods["private/buy"].result)
 * DeribitMethods.rateClass("private/buy") // "matching"
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Order, Portfolio, Ticker, UserTrade } from "./DeribitChannels.js"
import * as internal from "./internal/methodTable.js"

// -------------------------------------------------------------------------------------------------------------------
// credits
// -------------------------------------------------------------------------------------------------------------------

/**
 * The credit budget a method draws on: `matching` (order entry: buy, sell, edit, cancel…), `subscribe`
 * (subscribe/unsubscribe) or `nonMatching` (everything else, heartbeat answers included).
 *
 * @since 0.1.0
 * @category credits
 */
export type RateClass = internal.RateClass

/**
 * A leaky credit bucket: each call costs `cost`, the bucket holds at most `capacity` and refills `refillPerSecond`.
 *
 * @since 0.1.0
 * @category credits
 */
export interface Budget extends internal.Budget {}

/**
 * Deribit's defaults: non-matching 500 / 50 000 / 10 000 per s; subscribe 3 000 / 30 000 / 10 000 per s (~3.3 calls/s
 * after a burst of 10); matching engine at the lowest tier, 500 / 10 000 / 2 500 per s (5 calls/s, burst 20).
 *
 * @since 0.1.0
 * @category credits
 */
export const defaultBudgets: { readonly [K in RateClass]: Budget } = internal.defaultBudgets

/**
 * The budget of any method name (methods outside `methods` too).
 *
 * @since 0.1.0
 * @category credits
 */
export const rateClass: (method: string) => RateClass = internal.rateClass

/**
 * `private/*` methods need an authenticated connection.
 *
 * @since 0.1.0
 * @category methods
 */
export const isPrivate: (method: string) => boolean = internal.isPrivateMethod

// -------------------------------------------------------------------------------------------------------------------
// params
// -------------------------------------------------------------------------------------------------------------------

const Empty = Schema.Struct({})
const Scope = Schema.Literal("connection", "account")
const Ok = Schema.Literal("ok")
const InstrumentName = Schema.Struct({ instrument_name: Schema.String })
const Kind = Schema.Literal("future", "option", "spot", "future_combo", "option_combo", "any")

/**
 * `public/auth` params, one struct per grant. For `client_signature`, `signature` is the hex HMAC-SHA256 of
 * `${timestamp}\n${nonce}\n${data}` keyed with the client secret (`nonce` and `data` default to `""`); `timestamp` (ms)
 * must be within 60 s of the server's clock.
 *
 * @since 0.1.0
 * @category params
 */
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

/**
 * `private/buy` / `private/sell` params.
 *
 * @since 0.1.0
 * @category params
 */
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

/**
 * `private/edit` params.
 *
 * @since 0.1.0
 * @category params
 */
export const EditParams = Schema.Struct({
  order_id: Schema.String,
  amount: Schema.Number,
  price: Schema.optional(Schema.Number),
  post_only: Schema.optional(Schema.Boolean),
  reduce_only: Schema.optional(Schema.Boolean)
})

/**
 * `public/subscribe`, `private/subscribe` and the unsubscribe methods.
 *
 * @since 0.1.0
 * @category params
 */
export const ChannelsParams = Schema.Struct({
  channels: Schema.Array(Schema.String),
  label: Schema.optional(Schema.String)
})

// -------------------------------------------------------------------------------------------------------------------
// results
// -------------------------------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category results
 */
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

/**
 * @since 0.1.0
 * @category results
 */
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

/**
 * `public/get_order_book`: levels as `[price, amount]`, bids best first.
 *
 * @since 0.1.0
 * @category results
 */
export const OrderBookResult = Schema.Struct({
  ...Ticker.fields,
  change_id: Schema.Number,
  bids: Schema.Array(Schema.Tuple(Schema.Number, Schema.Number)),
  asks: Schema.Array(Schema.Tuple(Schema.Number, Schema.Number))
})

/**
 * `private/buy`, `private/sell`, `private/edit`.
 *
 * @since 0.1.0
 * @category results
 */
export const OrderResult = Schema.Struct({ order: Order, trades: Schema.Array(UserTrade) })

/**
 * @since 0.1.0
 * @category results
 */
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

const Rate = Schema.Struct({ rate: Schema.Number, burst: Schema.Number })

/**
 * `private/get_account_summary`: the portfolio fields, plus the credit limits in calls per second.
 *
 * @since 0.1.0
 * @category results
 */
export const AccountSummary = Schema.Struct({
  ...Portfolio.fields,
  fee_balance: Schema.optional(Schema.Number),
  limits: Schema.optional(Schema.Struct({ non_matching_engine: Rate, matching_engine: Rate }))
})

/**
 * @since 0.1.0
 * @category results
 */
export const CancelOnDisconnect = Schema.Struct({ scope: Scope, enabled: Schema.Boolean })

// -------------------------------------------------------------------------------------------------------------------
// the table
// -------------------------------------------------------------------------------------------------------------------

/**
 * One method: its params and result schemas.
 *
 * @since 0.1.0
 * @category models
 */
export interface MethodSpec<P extends Schema.Schema.Any, R extends Schema.Schema.Any> {
  readonly params: P
  readonly result: R
}

const spec = <P extends Schema.Schema.Any, R extends Schema.Schema.Any>(params: P, result: R): MethodSpec<P, R> => ({
  params,
  result
})

/**
 * The common methods. `private/logout` has no response: Deribit closes the connection instead (its `result` schema
 * is `Schema.Void` for completeness).
 *
 * @since 0.1.0
 * @category methods
 */
export const methods = {
  "public/auth": spec(AuthParams, AuthResult),
  "public/test": spec(
    Schema.Struct({ expected_result: Schema.optional(Schema.String) }),
    Schema.Struct({
      version: Schema.String
    })
  ),
  "public/get_time": spec(Empty, Schema.Number),
  "public/get_instruments": spec(
    Schema.Struct({ currency: Schema.String, kind: Schema.optional(Kind), expired: Schema.optional(Schema.Boolean) }),
    Schema.Array(Instrument)
  ),
  "public/ticker": spec(InstrumentName, Ticker),
  "public/get_order_book": spec(
    Schema.Struct({ instrument_name: Schema.String, depth: Schema.optional(Schema.Number) }),
    OrderBookResult
  ),
  "public/set_heartbeat": spec(Schema.Struct({ interval: Schema.Number }), Ok),
  "public/disable_heartbeat": spec(Empty, Ok),
  "public/subscribe": spec(ChannelsParams, Schema.Array(Schema.String)),
  "public/unsubscribe": spec(ChannelsParams, Schema.Array(Schema.String)),
  "public/unsubscribe_all": spec(Empty, Ok),
  "private/subscribe": spec(ChannelsParams, Schema.Array(Schema.String)),
  "private/unsubscribe": spec(ChannelsParams, Schema.Array(Schema.String)),
  "private/unsubscribe_all": spec(Empty, Ok),
  "private/buy": spec(OrderParams, OrderResult),
  "private/sell": spec(OrderParams, OrderResult),
  "private/edit": spec(EditParams, OrderResult),
  "private/cancel": spec(Schema.Struct({ order_id: Schema.String }), Order),
  "private/cancel_all": spec(Empty, Schema.Number),
  "private/cancel_all_by_instrument": spec(InstrumentName, Schema.Number),
  "private/get_open_orders_by_instrument": spec(InstrumentName, Schema.Array(Order)),
  "private/get_positions": spec(
    Schema.Struct({ currency: Schema.optional(Schema.String), kind: Schema.optional(Kind) }),
    Schema.Array(Position)
  ),
  "private/get_account_summary": spec(
    Schema.Struct({ currency: Schema.String, extended: Schema.optional(Schema.Boolean) }),
    AccountSummary
  ),
  "private/enable_cancel_on_disconnect": spec(Schema.Struct({ scope: Schema.optional(Scope) }), Ok),
  "private/disable_cancel_on_disconnect": spec(Schema.Struct({ scope: Schema.optional(Scope) }), Ok),
  "private/get_cancel_on_disconnect": spec(Schema.Struct({ scope: Schema.optional(Scope) }), CancelOnDisconnect),
  "private/logout": spec(Schema.Struct({ invalidate_token: Schema.optional(Schema.Boolean) }), Schema.Void)
} as const

/**
 * A typed method name.
 *
 * @since 0.1.0
 * @category methods
 */
export type Method = keyof typeof methods

/**
 * The params a method takes (as sent; private methods also accept `access_token`).
 *
 * @since 0.1.0
 * @category methods
 */
export type Params<M extends Method> = Schema.Schema.Encoded<(typeof methods)[M]["params"]>

/**
 * What a method's result decodes to.
 *
 * @since 0.1.0
 * @category methods
 */
export type Result<M extends Method> = Schema.Schema.Type<(typeof methods)[M]["result"]>

/**
 * @since 0.1.0
 * @category guards
 */
export const isMethod = (name: string): name is Method => Object.prototype.hasOwnProperty.call(methods, name)

// -------------------------------------------------------------------------------------------------------------------
// envelope
// -------------------------------------------------------------------------------------------------------------------

const RequestId = Schema.Union(Schema.Number, Schema.String)

/**
 * The server timing Deribit adds to every response: receive and send time in µs since the epoch and their difference
 * (server time; the rest of a round trip is network).
 *
 * @since 0.1.0
 * @category envelope
 */
export const Timing = Schema.Struct({
  usIn: Schema.Number,
  usOut: Schema.Number,
  usDiff: Schema.Number,
  testnet: Schema.Boolean
})

/**
 * A successful response carrying `result`.
 *
 * @since 0.1.0
 * @category envelope
 */
export const Success = <A, I>(result: Schema.Schema<A, I>) =>
  Schema.Struct({ jsonrpc: Schema.Literal("2.0"), id: RequestId, result, ...Timing.fields })

/**
 * An error response. `id` is `null` when the request could not be read.
 *
 * @since 0.1.0
 * @category envelope
 */
export const Failure = Schema.Struct({
  jsonrpc: Schema.Literal("2.0"),
  id: Schema.NullOr(RequestId),
  error: Schema.Struct({ code: Schema.Number, message: Schema.String, data: Schema.optional(Schema.Unknown) }),
  ...Timing.fields
})
