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
import * as internal from "./internal/methodTable.js"
import * as schemas from "./internal/schemas.js"
import { Empty, InstrumentName, Kind, Ok, Order, Scope, Ticker } from "./internal/schemas.js"

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
 * @example
 * ```ts
 * import { DeribitMethods } from "@zen-websocket/deribit"
 *
 * const cost = (method: string) => DeribitMethods.defaultBudgets[DeribitMethods.rateClass(method)].cost
 * cost("private/buy") // 500 from the matching-engine budget
 * cost("public/subscribe") // 3000 from the subscribe budget
 * ```
 *
 * @since 0.1.0
 * @category credits
 */
export const rateClass: (method: string) => RateClass = internal.rateClass

/**
 * `private/*` methods need an authenticated connection.
 *
 * @example
 * ```ts
 * import { DeribitMethods } from "@zen-websocket/deribit"
 *
 * DeribitMethods.isPrivate("private/get_positions") // true: needs public/auth on this connection first
 * ```
 *
 * @since 0.1.0
 * @category methods
 */
export const isPrivate: (method: string) => boolean = internal.isPrivateMethod

// -------------------------------------------------------------------------------------------------------------------
// params
// -------------------------------------------------------------------------------------------------------------------

/**
 * `public/auth` params, one struct per grant. For `client_signature`, `signature` is the hex HMAC-SHA256 of
 * `${timestamp}\n${nonce}\n${data}` keyed with the client secret (`nonce` and `data` default to `""`); `timestamp` (ms)
 * must be within 60 s of the server's clock.
 *
 * @since 0.1.0
 * @category params
 */
export const AuthParams: typeof schemas.AuthParams = schemas.AuthParams

/**
 * `private/buy` / `private/sell` params.
 *
 * @since 0.1.0
 * @category params
 */
export const OrderParams: typeof schemas.OrderParams = schemas.OrderParams

/**
 * `private/edit` params.
 *
 * @since 0.1.0
 * @category params
 */
export const EditParams: typeof schemas.EditParams = schemas.EditParams

/**
 * `public/subscribe`, `private/subscribe` and the unsubscribe methods.
 *
 * @since 0.1.0
 * @category params
 */
export const ChannelsParams: typeof schemas.ChannelsParams = schemas.ChannelsParams

// -------------------------------------------------------------------------------------------------------------------
// results
// -------------------------------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category results
 */
export const AuthResult: typeof schemas.AuthResult = schemas.AuthResult

/**
 * @since 0.1.0
 * @category results
 */
export const Instrument: typeof schemas.Instrument = schemas.Instrument

/**
 * `public/get_order_book`: levels as `[price, amount]`, bids best first.
 *
 * @since 0.1.0
 * @category results
 */
export const OrderBookResult: typeof schemas.OrderBookResult = schemas.OrderBookResult

/**
 * `private/buy`, `private/sell`, `private/edit`.
 *
 * @since 0.1.0
 * @category results
 */
export const OrderResult: typeof schemas.OrderResult = schemas.OrderResult

/**
 * @since 0.1.0
 * @category results
 */
export const Position: typeof schemas.Position = schemas.Position

/**
 * `private/get_account_summary`: the portfolio fields, plus the credit limits in calls per second.
 *
 * @since 0.1.0
 * @category results
 */
export const AccountSummary: typeof schemas.AccountSummary = schemas.AccountSummary

/**
 * @since 0.1.0
 * @category results
 */
export const CancelOnDisconnect: typeof schemas.CancelOnDisconnect = schemas.CancelOnDisconnect

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
 * @example
 * ```ts
 * import { DeribitMethods } from "@zen-websocket/deribit"
 * import * as Schema from "effect/Schema"
 *
 * const decodeResult = (method: string, result: unknown) =>
 *   DeribitMethods.isMethod(method)
 *     ? Schema.decodeUnknownEither(DeribitMethods.methods[method].result as Schema.Schema<unknown>)(result)
 *     : undefined
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isMethod = (name: string): name is Method => Object.prototype.hasOwnProperty.call(methods, name)

// -------------------------------------------------------------------------------------------------------------------
// envelope
// -------------------------------------------------------------------------------------------------------------------

/**
 * The server timing Deribit adds to every response: receive and send time in µs since the epoch and their difference
 * (server time; the rest of a round trip is network).
 *
 * @since 0.1.0
 * @category envelope
 */
export const Timing: typeof schemas.Timing = schemas.Timing

/**
 * A successful response carrying `result`.
 *
 * @example
 * ```ts
 * import { DeribitMethods } from "@zen-websocket/deribit"
 * import * as Schema from "effect/Schema"
 *
 * const decodeTimeResponse = Schema.decodeUnknownSync(DeribitMethods.Success(DeribitMethods.methods["public/get_time"].result))
 * const serverMicros = (text: string) => decodeTimeResponse(JSON.parse(text)).usDiff
 * ```
 *
 * @since 0.1.0
 * @category envelope
 */
export const Success: <A, I>(result: Schema.Schema<A, I>) => ReturnType<typeof schemas.Success<A, I>> = schemas.Success

/**
 * An error response. `id` is `null` when the request could not be read.
 *
 * @since 0.1.0
 * @category envelope
 */
export const Failure: typeof schemas.Failure = schemas.Failure
