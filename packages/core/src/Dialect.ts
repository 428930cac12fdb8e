/**
 * Subscription dialects, as data: how a venue's subscribe and unsubscribe frames are built for a batch of channels,
 * how its acks are read (which request they answer, which channels they accept or refuse), which channel a
 * notification belongs to, the limits a batch must respect (channels per request, frame size, pacing) and which
 * errors are worth another attempt.
 *
 * Built in: {@link jsonRpc} (the default: Deribit and other JSON-RPC venues), {@link okx}, {@link bybit},
 * {@link coinbase}, {@link krakenV2} and {@link ethSubscribe}. A venue of your own is one object of this shape (see
 * `docs/guides/dialects.md`).
 *
 * @example
 * ```ts
 * import { Client, Dialect } from "@zen-websocket/core"
 *
 * // OKX: channels are "<channel>:<instId>", acks are `event: "subscribe" | "error"`
 * const client = Client.connect("wss://ws.okx.com:8443/ws/v5/public", { subscriptionProtocol: Dialect.okx() })
 * ```
 *
 * @since 0.2.0
 */
import * as bybitImpl from "./internal/dialect/bybit.js"
import * as coinbaseImpl from "./internal/dialect/coinbase.js"
import * as common from "./internal/dialect/common.js"
import * as ethImpl from "./internal/dialect/eth.js"
import * as jsonRpcImpl from "./internal/dialect/jsonRpc.js"
import * as krakenImpl from "./internal/dialect/kraken.js"
import * as okxImpl from "./internal/dialect/okx.js"
import type * as types from "./internal/dialect/types.js"
import type { Message } from "./Message.js"

/**
 * At most `burst` requests at once, then `perSecond` on average (a token bucket on the client's `Clock`).
 *
 * @since 0.2.0
 * @category models
 */
export type Pacing = types.Pacing

/**
 * What one subscribe or unsubscribe request may carry, and how fast such requests may go out. The batched restore
 * and `Client.subscribe` respect all three.
 *
 * @since 0.2.0
 * @category models
 */
export type Limits = types.Limits

/**
 * What a frame builder gets besides the channels.
 *
 * @since 0.2.0
 * @category models
 */
export type RequestContext = types.RequestContext

/**
 * A request frame: a string is sent as it is, an object as JSON.
 *
 * @since 0.2.0
 * @category models
 */
export type Frame = types.Frame

/**
 * A channel the server refused, and why.
 *
 * @since 0.2.0
 * @category models
 */
export type Rejection = types.Rejection

/**
 * What a dialect reads from an inbound frame that answers one of our requests.
 *
 * A request is settled when every channel of it is accepted or rejected, when an ack is `final` (channels not accepted
 * by then count as not confirmed) or when an ack carries an `error` for the request as a whole. A whole-request error
 * on a subscribe is split: the batch is halved, down to single channels, so one bad channel drops only itself (unless
 * the dialect's `retryable` says the error is transient: then the attempt is retried as it is).
 *
 * @since 0.2.0
 * @category models
 */
export type Ack = types.Ack

/**
 * The channels of the request waiting under a ref (`undefined`: the oldest request waiting), or `undefined` when none
 * waits under it.
 *
 * @since 0.2.0
 * @category models
 */
export type Requested = types.Requested

/**
 * Where a notification goes: a channel name, or the server's id of a subscription (mapped back to the channel the user
 * subscribed with, on the current connection).
 *
 * @since 0.2.0
 * @category models
 */
export type Route = types.Route

/**
 * A subscription dialect. Every field is plain data or a pure function of its arguments: the client keeps the state
 * (pending requests, server ids, pacing).
 *
 * @since 0.2.0
 * @category models
 */
export type Dialect = types.Dialect

/**
 * What every built-in constructor accepts: other limits, another error classifier.
 *
 * @since 0.2.0
 * @category models
 */
export type CommonOptions = types.CommonOptions

/**
 * JSON-RPC options: the method names (Deribit's by default).
 *
 * @since 0.2.0
 * @category models
 */
export type JsonRpcOptions = types.JsonRpcOptions

/**
 * JSON-RPC subscriptions, Deribit style: `{ jsonrpc: "2.0", id, method: "public/subscribe", params: { channels } }`,
 * confirmed by a result listing the channels subscribed (channels missing from it are not confirmed), notifications
 * `{ method: "subscription", params: { channel, data } }`. Limits: 32 kB frames (`-32600` above), no channel count
 * limit, pacing 10 at once then 3.3 per second (Deribit's subscribe credits). Transient: 10028, 10040, 10041, 10047,
 * 10066, 11051, 11056, 13025, 13028, 13888, -32603, plus timeouts and lost links.
 *
 * @example
 * ```ts
 * import { Dialect } from "@zen-websocket/core"
 *
 * const privateChannels = Dialect.jsonRpc({ subscribeMethod: "private/subscribe", unsubscribeMethod: "private/unsubscribe" })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const jsonRpc: (options?: JsonRpcOptions) => Dialect = jsonRpcImpl.make

/**
 * OKX v5: `{ id, op: "subscribe", args: [{ channel, instId }] }`, one ack per arg
 * `{ id, event: "subscribe", arg, connId }`, failures `{ id?, event: "error", code, msg }` (for the request as a
 * whole), pushes `{ arg: { channel, instId }, data }`. Channel names are `"<channel>:<instId>"` (`"tickers:BTC-USDT"`),
 * `"<channel>"` alone, or `"<channel>?instType=SPOT&instFamily=…"` for other arg fields. Limits: 64 KB per request,
 * 480 subscribe/unsubscribe/login requests per hour per connection. Log in (`op: "login"`) in a restore hook with
 * `session.sendAndAwait`.
 *
 * @example
 * ```ts
 * import { Client, Dialect } from "@zen-websocket/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://ws.okx.com:8443/ws/v5/public", { subscriptionProtocol: Dialect.okx() })
 *   yield* Client.subscribe(client, ["tickers:BTC-USDT", "books5:ETH-USDT"])
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const okx: (options?: CommonOptions) => Dialect = okxImpl.make

/**
 * Bybit v5: `{ req_id, op: "subscribe", args: ["orderbook.50.BTCUSDT"] }`, one ack for the whole request
 * `{ success, ret_msg, conn_id, req_id, op }` (a bad topic fails it), pushes `{ topic, type, ts, data }`. Channel
 * names are topics. Limits: 10 args per request (spot), 21 000 characters of args. Authenticate (`op: "auth"`) in a
 * restore hook with `session.sendAndAwait`.
 *
 * @example
 * ```ts
 * import { Client, Dialect } from "@zen-websocket/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://stream.bybit.com/v5/public/spot", { subscriptionProtocol: Dialect.bybit() })
 *   yield* Client.subscribe(client, ["orderbook.50.BTCUSDT", "publicTrade.BTCUSDT"]) // 10 topics per request at most
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const bybit: (options?: CommonOptions) => Dialect = bybitImpl.make

/**
 * Coinbase options: the JWT of authenticated channels, signed fresh for every subscribe.
 *
 * @since 0.2.0
 * @category models
 */
export type CoinbaseOptions = types.CoinbaseOptions

/**
 * Coinbase Advanced Trade: `{ type: "subscribe", product_ids, channel, jwt? }`, one channel per message, acked by a
 * `{ channel: "subscriptions", events: [{ subscriptions: { level2: ["ETH-USD"] } }] }` message listing everything
 * subscribed (acks carry no id: requests are answered in order); errors `{ type: "error", message }`. Pushes name the
 * channel differently (`l2_data` for `level2`) and carry the product in `events[].product_id` or in the entries of
 * `events[]`. Channel names are `"<channel>:<product_id>"` (`"level2:ETH-USD"`) or `"<channel>"` (`"heartbeats"`).
 * Pacing 8 messages per second (unauthenticated).
 *
 * @example
 * ```ts
 * import { Client, Dialect } from "@zen-websocket/core"
 * import { Effect } from "effect"
 *
 * declare const signJwt: () => string // your ES256 JWT for the Advanced Trade API
 * const program = Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://advanced-trade-ws.coinbase.com", {
 *     subscriptionProtocol: Dialect.coinbase({ jwt: signJwt })
 *   })
 *   yield* Client.subscribe(client, ["level2:ETH-USD", "level2:BTC-USD", "heartbeats"]) // one message per channel
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const coinbase: (options?: CoinbaseOptions) => Dialect = coinbaseImpl.make

/**
 * Kraken v2 options: the token of private channels (from the REST API's `GetWebSocketsToken`).
 *
 * @since 0.2.0
 * @category models
 */
export type KrakenOptions = types.KrakenOptions

/**
 * Kraken v2: `{ method: "subscribe", params: { channel: "ticker", symbol: ["BTC/USD"] }, req_id }`, one ack per symbol
 * `{ method: "subscribe", result: { channel, symbol }, success: true, req_id }`, failures
 * `{ method, success: false, error, symbol?, req_id }`, pushes `{ channel, type, data: [{ symbol, … }] }`. Channel names
 * are `"<channel>:<symbol>"` (`"ticker:BTC/USD"`) or `"<channel>"` (`"executions"`); channels of one kind share a
 * request.
 *
 * @example
 * ```ts
 * import { Client, Dialect } from "@zen-websocket/core"
 * import { Effect } from "effect"
 *
 * declare const wsToken: () => string // from the REST API's GetWebSocketsToken
 * const program = Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://ws-auth.kraken.com/v2", {
 *     subscriptionProtocol: Dialect.krakenV2({ token: wsToken })
 *   })
 *   yield* Client.subscribe(client, ["ticker:BTC/USD", "ticker:ETH/USD", "executions"])
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const krakenV2: (options?: KrakenOptions) => Dialect = krakenImpl.make

/**
 * Ethereum JSON-RPC `eth_subscribe`: `{ id, method: "eth_subscribe", params: ["newHeads"] }` answered with a
 * server-assigned id, notifications `{ method: "eth_subscription", params: { subscription, result } }`,
 * `eth_unsubscribe` with that id. The channel name you subscribe with (`"newHeads"`, or
 * `"logs:{\"address\":\"0x…\"}"` for a kind with a filter) is your stable handle: the client maps it to the server's
 * current id and remaps it after every reconnect, so `Client.channel(client, "newHeads")` never sees the change.
 * One subscription per request. Transient: -32005 (limit exceeded), -32603, 429.
 *
 * @example
 * ```ts
 * import { Client, Dialect } from "@zen-websocket/core"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://eth.example/ws", { subscriptionProtocol: Dialect.ethSubscribe() })
 *   yield* Client.subscribe(client, ["newHeads"])
 *   // the same stream across reconnects, whatever id the node gives the subscription
 *   yield* Client.channel(client, "newHeads").pipe(Stream.take(3), Stream.runDrain)
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const ethSubscribe: (options?: CommonOptions) => Dialect = ethImpl.make

/**
 * The names of the built-in dialects.
 *
 * @since 0.2.0
 * @category models
 */
export type Name = "jsonRpc" | "okx" | "bybit" | "coinbase" | "krakenV2" | "ethSubscribe"

/**
 * The built-in dialects by name, with their default options.
 *
 * @example
 * ```ts
 * import { Dialect } from "@zen-websocket/core"
 *
 * const dialect = Dialect.builtIn["krakenV2"]() // the same as Dialect.krakenV2()
 * dialect.limits.maxFrameBytes // 65536
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const builtIn: { readonly [K in Name]: () => Dialect } = {
  jsonRpc: () => jsonRpc(),
  okx: () => okx(),
  bybit: () => bybit(),
  coinbase: () => coinbase(),
  krakenV2: () => krakenV2(),
  ethSubscribe: () => ethSubscribe()
}

/**
 * The default dialect: Deribit-style JSON-RPC `public/subscribe`.
 *
 * @example
 * ```ts
 * import { Dialect } from "@zen-websocket/core"
 *
 * Dialect.defaultDialect.limits.pacing // { burst: 10, perSecond: 3.3 }
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const defaultDialect: Dialect = jsonRpcImpl.defaultDialect

/**
 * A dialect with other limits (the rest unchanged).
 *
 * @example
 * ```ts
 * import { Dialect } from "@zen-websocket/core"
 *
 * const small = Dialect.withLimits(Dialect.jsonRpc(), { maxChannelsPerRequest: 50 })
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const withLimits = (dialect: Dialect, limits: Partial<Limits>): Dialect => common.withLimits(dialect, limits)

/**
 * The channel a frame belongs to by the dialect alone (server ids are mapped by the client: use `client.channelOf`).
 *
 * @example
 * ```ts
 * import { Dialect, Message } from "@zen-websocket/core"
 *
 * const push = Message.text(JSON.stringify({ arg: { channel: "tickers", instId: "BTC-USDT" }, data: [] }))
 * Dialect.channelName(Dialect.okx(), push) // "tickers:BTC-USDT"
 * ```
 *
 * @since 0.2.0
 * @category routing
 */
export const channelName = (dialect: Dialect, message: Message): string | undefined => {
  const route = common.safeRoute(dialect, message)
  return typeof route === "string" ? route : undefined
}

/**
 * The JSON-RPC default classifier: transient Deribit codes (10028 too_many_requests, 11051 system_maintenance, …),
 * timeouts, lost links and refused connections are transient; bad credentials (13004, 13009), forbidden (13021),
 * HTTP 401/403 and invalid options are fatal.
 *
 * @example
 * ```ts
 * import { Dialect, WebSocketError } from "@zen-websocket/core"
 *
 * Dialect.isTransient(new WebSocketError.RpcError({ code: 10028, message: "too_many_requests" })) // true
 * Dialect.isTransient(new WebSocketError.RpcError({ code: 13004, message: "invalid_credentials" })) // false
 * ```
 *
 * @since 0.2.0
 * @category classifiers
 */
export const isTransient: (error: unknown) => boolean = jsonRpcImpl.retryable
