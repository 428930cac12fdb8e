/**
 * A resilient Deribit session over the core `Client`: on **every** (re)connect, before the state is `connected` and
 * before the offline queue flushes, in this order: `public/auth` (with the credentials: Deribit's tokens are
 * connection-scoped, never reused) → `public/set_heartbeat` → `private/enable_cancel_on_disconnect` (if asked; a
 * 10049 fails the attempt) → the channels restored (`public/subscribe` for public channels, `private/subscribe` for
 * `user.*` ones, diffing the returned list, in batches under 32 kB paced for the subscribe budget, a refused batch
 * split so one bad channel drops only itself) → the maintained order books get their snapshot → `connected`.
 *
 * Tokens are refreshed (`refresh_token`) at 80 % of `expires_in` on the live connection (falling back to the
 * credentials); a 13009 on a private call re-authenticates once and retries the call once. Requests draw on Deribit's
 * credit budgets by method class; a 10028 pauses requests, the session Deribit ends comes back through the normal
 * reconnect schedule; 13004 (bad credentials) stops at once with one clear error. Errors are `DeribitRpcError`s,
 * explained from Deribit's table (also by the core's `ErrorHandler.explain`).
 *
 * The body is in `internal/client/` (options, the post-connect sequence and requests, streams, the session). Over 400
 * lines: like the core's `Client.ts`, this page documents the whole session surface (connect, requests, channels,
 * dialect) in one place, with an example per export; it holds no logic.
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 * import * as Stream from "effect/Stream"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const session = yield* DeribitClient.connect({
 *     credentials: { clientId: "my-key", clientSecret: Redacted.make("my-secret") },
 *     cancelOnDisconnect: "connection"
 *   })
 *   const summary = yield* DeribitClient.request(session, "private/get_account_summary", { currency: "BTC" })
 *   yield* DeribitClient.ticker(session, "BTC-PERPETUAL", "100ms").pipe(Stream.take(5), Stream.runDrain)
 * }))
 * ```
 *
 * @since 0.1.0
 */
import type { Client, LatencyStats, WebSocketError } from "@zen-websocket/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as DeribitChannels from "./DeribitChannels.js"
import type * as DeribitError from "./DeribitError.js"
import type * as DeribitMethods from "./DeribitMethods.js"
import * as channels from "./internal/channels.js"
import * as dialectImpl from "./internal/client/dialect.js"
import * as options from "./internal/client/options.js"
import * as rpc from "./internal/client/rpc.js"
import * as internal from "./internal/client/session.js"
import type * as state from "./internal/client/state.js"
import * as streams from "./internal/client/streams.js"
import * as schemas from "./internal/schemas.js"

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
 * A Deribit session: `client` is the core client under it (state, events, messages, subscriptions). A scoped
 * resource: closing its scope closes it (with `private/logout` first when `logoutOnClose` is set).
 *
 * @since 0.1.0
 * @category models
 */
export interface DeribitSession extends internal.DeribitSession {}

/**
 * @since 0.1.0
 * @category tags
 */
export const DeribitSession: Context.Tag<DeribitSession, DeribitSession> = Context.GenericTag<DeribitSession>(
  "@zen-websocket/deribit/DeribitSession"
)

/**
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 *
 * const clientOf = (u: unknown) => DeribitClient.isDeribitSession(u) ? u.client : undefined
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isDeribitSession: (u: unknown) => u is DeribitSession = internal.isSession

/**
 * Deribit's testnet endpoint, the default `url`.
 *
 * @since 0.1.0
 * @category constants
 */
export const testnetUrl: string = options.testnetUrl

/**
 * Deribit's production endpoint.
 *
 * @since 0.1.0
 * @category constants
 */
export const productionUrl: string = options.productionUrl

/**
 * An API key: `clientId` and `clientSecret` (a `Redacted` string, or a plain one that is wrapped at once), sent as
 * `client_credentials` (default) or proved with a `client_signature` (hex HMAC-SHA256 of
 * `${timestamp}\n${nonce}\n${data}` keyed with the secret: the secret never goes over the wire).
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials = typeof options.Credentials.Encoded

/**
 * The options: Deribit's, then the core `Client` options (all but `heartbeatConfig` and `subscriptionProtocol`, which
 * the session sets; `retryCount` defaults to `Infinity`, `restoreHooks` run after Deribit's sequence).
 *
 * | option | default | meaning |
 * |---|---|---|
 * | `url` | testnet | `wss://test.deribit.com/ws/api/v2`; `productionUrl` for production |
 * | `credentials` | none | `{ clientId, clientSecret, grant?, data? }`; without, a public-only session |
 * | `heartbeatInterval` | 30 | seconds (10 to 3600) for `public/set_heartbeat`; the watchdog follows it |
 * | `cancelOnDisconnect` | false | `"connection"` or `"account"`: re-enabled on every connection (needs credentials) |
 * | `logoutOnClose` | false | `private/logout` before the close: cancel-on-disconnect does not fire |
 * | `credits` | Deribit's | `false`, or budgets per class (`nonMatching`, `matching`, `subscribe`) |
 * | `bookSyncTimeout` | 5 s | how long a reconnect waits for each maintained book's snapshot |
 * | `subscriptionLimits` | 32 kB, 9 then 3/s | other batch limits for subscribe requests |
 *
 * @since 0.1.0
 * @category models
 */
export type Options = options.Options

/**
 * The options with their defaults.
 *
 * @since 0.1.0
 * @category models
 */
export type Resolved = options.Resolved

/**
 * The Deribit part of the options as a `Schema` (the core part is `ClientOptions.Options`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OptionsSchema: typeof options.DeribitOptions = options.DeribitOptions

/**
 * How a request can fail: Deribit's answer (`DeribitRpcError`, with its `reason` and table entry), the core's request
 * errors (timeout, lost link, not connected…), or a result that does not match the method's Schema.
 *
 * @since 0.1.0
 * @category errors
 */
export type RequestError =
  | DeribitError.DeribitRpcError
  | Exclude<Client.RequestError, WebSocketError.RpcError>
  | WebSocketError.RateLimited
  | ParseResult.ParseError

/**
 * How a channel stream can fail: its subscription was refused or could not go out, or a notification did not match
 * the channel's Schema.
 *
 * @since 0.1.0
 * @category errors
 */
export type StreamError = state.ChannelError | ParseResult.ParseError

/**
 * The server's timing of a response and the round trip: `usIn`/`usOut`/`usDiff` as Deribit sent them (µs), the round
 * trip we measured, and its split into server time (`usDiff`) and network time (the rest), in ms.
 *
 * @since 0.1.0
 * @category models
 */
export interface Timing extends rpc.Timing {}

// -------------------------------------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------------------------------------

/**
 * Opens a Deribit session; it resolves once the first connection is authenticated, its heartbeat set and
 * cancel-on-disconnect enabled (as asked). Options are validated first: a bad one fails with `InvalidOptions` naming
 * the field, before any socket opens. Bad credentials (13004) fail with a `ConnectError` whose cause is the
 * `DeribitRpcError`, after one attempt.
 *
 * @example
 * ```ts
 * import { DeribitClient, DeribitSimulator } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sim = yield* DeribitSimulator.start()
 *   const session = yield* DeribitClient.connect({
 *     url: sim.url,
 *     credentials: { clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret },
 *     heartbeatInterval: 10,
 *     cancelOnDisconnect: "connection"
 *   })
 *   return yield* DeribitClient.request(session, "public/get_time", {})
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect: (
  options?: Options
) => Effect.Effect<DeribitSession, WebSocketError.ConnectError | WebSocketError.InvalidOptions, Scope.Scope> =
  internal.connect

/**
 * A layer providing a connected {@link DeribitSession}.
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 *
 * const Deribit = DeribitClient.layer({ heartbeatInterval: 30 })
 * const program = Effect.flatMap(DeribitClient.DeribitSession, (s) => DeribitClient.request(s, "public/test", {}))
 * const runnable = Effect.provide(program, Deribit)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<DeribitSession, WebSocketError.ConnectError | WebSocketError.InvalidOptions> =>
  Layer.scoped(DeribitSession, connect(options))

/**
 * A layer whose options come from `Config` (the convention of `PgClient.layerConfig`): the secret through
 * `Config.redacted`, so it never shows in logs or errors.
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Config from "effect/Config"
 *
 * const Deribit = DeribitClient.layerConfig({
 *   url: Config.string("DERIBIT_URL").pipe(Config.withDefault(DeribitClient.testnetUrl)),
 *   credentials: {
 *     clientId: Config.string("DERIBIT_CLIENT_ID"),
 *     clientSecret: Config.redacted("DERIBIT_CLIENT_SECRET")
 *   },
 *   cancelOnDisconnect: Config.succeed("connection" as const)
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<LayerConfig>
): Layer.Layer<DeribitSession, WebSocketError.ConnectError | WebSocketError.InvalidOptions | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), (o) => layer(o as Options)))

/**
 * What {@link layerConfig} reads: the commonly configured options, the secret `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerConfig {
  readonly url?: string | undefined
  readonly credentials?: {
    readonly clientId: string
    readonly clientSecret: Redacted.Redacted<string>
    readonly grant?: "client_credentials" | "client_signature" | undefined
  } | undefined
  readonly heartbeatInterval?: number | undefined
  readonly cancelOnDisconnect?: false | "connection" | "account" | undefined
  readonly logoutOnClose?: boolean | undefined
  readonly retryCount?: number | undefined
}

// -------------------------------------------------------------------------------------------------------------------
// requests
// -------------------------------------------------------------------------------------------------------------------

/**
 * Sends a request and decodes its result with the method's Schema (`DeribitMethods.methods`); methods outside the
 * table give the result as it came. Waits for credits of the method's class first (and out a 10028 pause). A private
 * method answered 13009 re-authenticates once on this connection and is retried once. `private/logout` (which Deribit
 * answers by closing the connection) is the graceful {@link close} with logout: the session ends, no reconnect.
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 *
 * const buyAndCancel = (session: DeribitClient.DeribitSession) =>
 *   Effect.gen(function*() {
 *     const { order } = yield* DeribitClient.request(session, "private/buy", {
 *       instrument_name: "BTC-PERPETUAL", amount: 10, type: "limit", price: 40_000
 *     })
 *     yield* DeribitClient.request(session, "private/cancel", { order_id: order.order_id })
 *     const index = yield* DeribitClient.request(session, "public/get_index_price", { index_name: "btc_usd" }) // unknown
 *   })
 * ```
 *
 * @since 0.1.0
 * @category requests
 */
export const request: {
  <M extends DeribitMethods.Method>(
    session: DeribitSession,
    method: M,
    params: DeribitMethods.Params<M>,
    options?: rpc.RequestOptions
  ): Effect.Effect<DeribitMethods.Result<M>, RequestError>
  (
    session: DeribitSession,
    method: string,
    params?: unknown,
    options?: rpc.RequestOptions
  ): Effect.Effect<unknown, RequestError>
} = (session: DeribitSession, method: string, params?: unknown, options?: rpc.RequestOptions) =>
  Effect.map(timed(session, method, params, options), (r) => r.result) as Effect.Effect<never, RequestError>

/** `private/logout` gets no answer (Deribit closes the connection): it is the graceful close, not a request. */
const timed = (session: DeribitSession, method: string, params: unknown, options: rpc.RequestOptions | undefined) =>
  method === "private/logout"
    ? Effect.as(close(session, { logout: true }), { result: undefined, timing: undefined })
    : rpc.timed(internal.stateOf(session), method, params ?? {}, options)

/**
 * Like {@link request}, with the response's {@link Timing} (`undefined` when the server sent none).
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 *
 * const split = (session: DeribitClient.DeribitSession) =>
 *   Effect.map(DeribitClient.requestTimed(session, "public/get_time", {}), ({ timing }) =>
 *     timing && `network ${timing.networkMs.toFixed(2)} ms, server ${timing.serverMs.toFixed(3)} ms`)
 * ```
 *
 * @since 0.1.0
 * @category requests
 */
export const requestTimed: {
  <M extends DeribitMethods.Method>(
    session: DeribitSession,
    method: M,
    params: DeribitMethods.Params<M>,
    options?: rpc.RequestOptions
  ): Effect.Effect<{ readonly result: DeribitMethods.Result<M>; readonly timing: Timing | undefined }, RequestError>
  (
    session: DeribitSession,
    method: string,
    params?: unknown,
    options?: rpc.RequestOptions
  ): Effect.Effect<{ readonly result: unknown; readonly timing: Timing | undefined }, RequestError>
} = (session: DeribitSession, method: string, params?: unknown, options?: rpc.RequestOptions) =>
  timed(session, method, params, options) as Effect.Effect<never, RequestError>

/**
 * The latency of the session's requests, split: `server` from Deribit's `usDiff`, `network` the rest of each round
 * trip (ms; `None` before the first response).
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 *
 * const report = (session: DeribitClient.DeribitSession) =>
 *   Effect.map(DeribitClient.latency(session), ({ network, server }) =>
 *     `p50 network ${Option.match(network, { onNone: () => "-", onSome: (s) => s.p50 })} ms, server ${
 *       Option.match(server, { onNone: () => "-", onSome: (s) => s.p50 })} ms`)
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const latency = (session: DeribitSession): Effect.Effect<{
  readonly network: Option.Option<LatencyStats.Summary>
  readonly server: Option.Option<LatencyStats.Summary>
}> =>
  Effect.sync(() => {
    const state = internal.stateOf(session)
    return {
      network: Option.fromNullable(state.network.summary()),
      server: Option.fromNullable(state.server.summary())
    }
  })

/**
 * The access token of the current connection, if authenticated (e.g. for Deribit's HTTP API alongside). It belongs to
 * this connection: the next one gets its own.
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 *
 * const authenticated = (session: DeribitClient.DeribitSession) =>
 *   DeribitClient.accessToken(session)._tag === "Some"
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const accessToken = (session: DeribitSession): Option.Option<Redacted.Redacted<string>> =>
  internal.accessToken(internal.stateOf(session))

/**
 * Graceful close: with `logout: true` (default: the `logoutOnClose` option) `private/logout` goes first, so
 * cancel-on-disconnect does not fire; then the close handshake (1000). Idempotent.
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 *
 * const leaveOrdersResting = (session: DeribitClient.DeribitSession) => DeribitClient.close(session, { logout: true })
 * ```
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const close = (
  session: DeribitSession,
  options?: { readonly logout?: boolean | undefined }
): Effect.Effect<void> => internal.close(internal.stateOf(session), options?.logout ?? session.options.logoutOnClose)

// -------------------------------------------------------------------------------------------------------------------
// channels
// -------------------------------------------------------------------------------------------------------------------

const decodeTicker = streams.tickerDecoder(schemas.Ticker)
const decodeTrades = streams.schemaDecoder(schemas.TradesData)
const decodeBook = streams.schemaDecoder(schemas.BookUpdate)
const decodeOrders = streams.schemaDecoder(schemas.UserOrdersData)
const decodeOrderBatch = (data: unknown) =>
  Either.map(
    decodeOrders(data),
    (d): ReadonlyArray<DeribitChannels.Order> => Array.isArray(d) ? d : [d as DeribitChannels.Order]
  )
const decodeUserTrades = streams.schemaDecoder(schemas.UserTradesData)
const decodePortfolio = streams.schemaDecoder(schemas.Portfolio)

/**
 * Ticker notifications of an instrument, decoded (a hand-written fast path checked against the Schema). Subscribes
 * when pulled, unsubscribes when the last stream of the channel ends; restored after every reconnect while it runs.
 * `raw` needs an authenticated session (13778 otherwise).
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Stream from "effect/Stream"
 *
 * const marks = (session: DeribitClient.DeribitSession) =>
 *   DeribitClient.ticker(session, "BTC-PERPETUAL", "100ms").pipe(Stream.map((t) => t.mark_price), Stream.take(10))
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const ticker = (
  session: DeribitSession,
  instrument: string,
  interval: DeribitChannels.Interval
): Stream.Stream<DeribitChannels.Ticker, StreamError> =>
  streams.channel(internal.stateOf(session), DeribitChannels.ticker(instrument, interval), decodeTicker)

/**
 * Public trades of an instrument (or of a kind and currency), a batch per notification.
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Stream from "effect/Stream"
 *
 * const prints = (session: DeribitClient.DeribitSession) =>
 *   DeribitClient.trades(session, "BTC-PERPETUAL", "100ms").pipe(Stream.flattenIterables, Stream.take(20))
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const trades = (
  session: DeribitSession,
  target: string | { readonly kind: DeribitChannels.Kind; readonly currency: string },
  interval: DeribitChannels.Interval
): Stream.Stream<ReadonlyArray<DeribitChannels.Trade>, StreamError> =>
  streams.channel(internal.stateOf(session), DeribitChannels.trades(target, interval), decodeTrades)

/**
 * The raw book channel: the snapshot, then changes with their change ids (`OrderBook.stream` maintains the book).
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Stream from "effect/Stream"
 *
 * const changeIds = (session: DeribitClient.DeribitSession) =>
 *   DeribitClient.book(session, "BTC-PERPETUAL", "100ms").pipe(Stream.map((u) => u.change_id), Stream.take(5))
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const book = (
  session: DeribitSession,
  instrument: string,
  interval: DeribitChannels.Interval
): Stream.Stream<DeribitChannels.BookUpdate, StreamError> =>
  streams.channel(internal.stateOf(session), DeribitChannels.book(instrument, interval), decodeBook)

/**
 * The session's order updates (`user.orders.*`, private: `private/subscribe`). `raw` gives one order per
 * notification, the aggregated intervals a batch; both come out as a batch.
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Stream from "effect/Stream"
 *
 * const fills = (session: DeribitClient.DeribitSession) =>
 *   DeribitClient.userOrders(session, "BTC-PERPETUAL", "raw").pipe(
 *     Stream.flattenIterables,
 *     Stream.filter((o) => o.order_state === "filled")
 *   )
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const userOrders = (
  session: DeribitSession,
  target: string | { readonly kind: DeribitChannels.Kind; readonly currency: string },
  interval: DeribitChannels.Interval
): Stream.Stream<ReadonlyArray<DeribitChannels.Order>, StreamError> =>
  streams.channel(internal.stateOf(session), DeribitChannels.userOrders(target, interval), decodeOrderBatch)

/**
 * The session's own trades (`user.trades.*`).
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Stream from "effect/Stream"
 *
 * const mine = (session: DeribitClient.DeribitSession) =>
 *   DeribitClient.userTrades(session, { kind: "future", currency: "BTC" }, "raw").pipe(Stream.flattenIterables)
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const userTrades = (
  session: DeribitSession,
  target: string | { readonly kind: DeribitChannels.Kind; readonly currency: string },
  interval: DeribitChannels.Interval
): Stream.Stream<ReadonlyArray<DeribitChannels.UserTrade>, StreamError> =>
  streams.channel(internal.stateOf(session), DeribitChannels.userTrades(target, interval), decodeUserTrades)

/**
 * The portfolio of a currency (`user.portfolio.{currency}`).
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Stream from "effect/Stream"
 *
 * const equity = (session: DeribitClient.DeribitSession) =>
 *   DeribitClient.userPortfolio(session, "BTC").pipe(Stream.map((p) => p.equity))
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const userPortfolio = (
  session: DeribitSession,
  currency: string
): Stream.Stream<DeribitChannels.Portfolio, StreamError> =>
  streams.channel(internal.stateOf(session), DeribitChannels.userPortfolio(currency), decodePortfolio)

// -------------------------------------------------------------------------------------------------------------------
// dialect
// -------------------------------------------------------------------------------------------------------------------

/**
 * Deribit's subscription dialect for a core `Client`: the core's JSON-RPC dialect with public channels on
 * `public/subscribe` and `user.*` channels on `private/subscribe` (never in one request), {@link retryable}, and
 * subscribe requests paced a little under Deribit's budget (9 at once, then 3 per second; Deribit allows 10, then
 * ~3.3), so network jitter never tips a restore into 10028.
 *
 * @example
 * ```ts
 * import { Client } from "@zen-websocket/core"
 * import { DeribitClient } from "@zen-websocket/deribit"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.scoped(
 *   Client.connect(DeribitClient.testnetUrl, { subscriptionProtocol: DeribitClient.dialect() })
 * )
 * ```
 *
 * @since 0.1.0
 * @category dialect
 */
export const dialect: (limits?: {
  readonly maxChannelsPerRequest?: number
  readonly maxFrameBytes?: number
  readonly pacing?: { readonly burst: number; readonly perSecond: number } | undefined
}) => ReturnType<typeof dialectImpl.make> = dialectImpl.make

/**
 * Which errors of the post-connect sequence and the restore are transient, by Deribit's table: retry and back-off
 * codes (10028, 10040, 11051, 13028…) and 10049 are; bad credentials (13004), 13009, forbidden (13021) and bad
 * requests are not; other errors as the core's JSON-RPC classifier says (timeouts and lost links are).
 *
 * @example
 * ```ts
 * import { DeribitClient, DeribitError } from "@zen-websocket/deribit"
 *
 * DeribitClient.retryable(DeribitError.fromWire({ code: 10028, message: "too_many_requests" })) // true
 * DeribitClient.retryable(DeribitError.fromWire({ code: 13004, message: "invalid_credentials" })) // false
 * ```
 *
 * @since 0.1.0
 * @category dialect
 */
export const retryable: (error: unknown) => boolean = dialectImpl.retryable

/**
 * Whether a channel needs `private/subscribe` (`user.*`).
 *
 * @example
 * ```ts
 * import { DeribitClient } from "@zen-websocket/deribit"
 *
 * DeribitClient.isPrivateChannel("user.orders.BTC-PERPETUAL.raw") // true
 * ```
 *
 * @since 0.1.0
 * @category dialect
 */
export const isPrivateChannel: (channel: string) => boolean = channels.isPrivateName
