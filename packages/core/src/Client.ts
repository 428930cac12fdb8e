/**
 * The client: the five essential functions (`connect`, `sendMessage`, `subscribe`, `getState`, `close`), correlated
 * `request`s, inbound `messages` as a `Stream`, lifecycle `events`, and layers for service wiring.
 *
 * An API page only (signatures, types, docs, dual forms); the client object is `internal/client.ts` over the
 * client's state in `internal/runtime.ts`. Over 400 lines because it documents the whole client surface in one place.
 *
 * @since 0.1.0
 */
import type * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Pipeable from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as ClientEvent from "./ClientEvent.js"
import * as ClientOptions from "./ClientOptions.js"
import * as Dialect from "./Dialect.js"
import type * as Heartbeat from "./Heartbeat.js"
import * as internal from "./internal/client.js"
import * as Connection from "./internal/connection.js"
import { ClientTypeId } from "./internal/proto.js"
import * as Runtime from "./internal/runtime.js"
import * as Tracing from "./internal/tracing.js"
import type * as JsonRpc from "./JsonRpc.js"
import type * as LatencyStats from "./LatencyStats.js"
import type { Message } from "./Message.js"
import type {
  ConnectError,
  InvalidOptions,
  NotConnected,
  OfflineQueueFull,
  RateLimited,
  RequestError as AnyRequestError,
  SendError
} from "./WebSocketError.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof ClientTypeId = ClientTypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * @since 0.1.0
 * @category models
 */
export type State = "connecting" | "connected" | "disconnected"

/**
 * The options of `connect` (see `ClientOptions.Options`).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = ClientOptions.Options

/**
 * What `sendMessage` accepts: a string (text frame), bytes (binary frame) or a JSON-serialisable object (text frame).
 *
 * @since 0.1.0
 * @category models
 */
export type Outbound = string | Uint8Array | object

/**
 * The id of a subscribe request; the confirmed channels are listed by `subscriptions`.
 *
 * @since 0.1.0
 * @category models
 */
export type SubscriptionId = JsonRpc.RequestId

/**
 * How a send can fail: not connected (and no offline queue), the frame could not be encoded, the offline queue was
 * full, or the rate limiter's wait queue was full.
 *
 * @since 0.1.0
 * @category errors
 */
export type SendMessageError = NotConnected | SendError | OfflineQueueFull | RateLimited

/**
 * How a correlated request can fail.
 *
 * @since 0.1.0
 * @category errors
 */
export type RequestError = AnyRequestError

/**
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** ms to wait for the response; defaults to the client's `requestTimeout` */
  readonly timeout?: number | undefined
  /**
   * resolve with the whole response object (`{ jsonrpc, id, result, … }`, with any field the server adds, e.g.
   * Deribit's `usIn`/`usOut`/`usDiff`) instead of its `result`
   */
  readonly envelope?: boolean | undefined
}

/**
 * A snapshot of a client's internals, for dashboards and tests.
 *
 * @since 0.1.0
 * @category models
 */
export interface StateMetrics {
  readonly state: State
  readonly pendingRequests: number
  readonly subscriptions: number
  /** sends waiting in the offline queue */
  readonly queuedSends: number
  /** connections opened after the first one */
  readonly reconnects: number
  /** every inbound frame since connect, control frames included */
  readonly inboundFrames: number
  /** inbound frames received but not yet handed to the consumers */
  readonly bufferedInbound: number
  /** whether reading from the socket is paused because consumers are behind (`inbound.strategy: "suspend"`) */
  readonly paused: boolean
}

/**
 * A connected client. It is a scoped resource: closing its scope closes it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client extends Pipeable.Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: TypeId
  /** a name for logs and metrics (`options.id`, else generated) */
  readonly id: string
  readonly options: ClientOptions.Resolved
  /** inbound frames; every consumer sees every frame from the moment it starts; ends when the client closes */
  readonly messages: Stream.Stream<Message>
  /** subscribes now (in the scope) and returns the frames from this moment on: nothing is missed in between */
  readonly messagesScoped: Effect.Effect<Stream.Stream<Message>, never, Scope.Scope>
  /**
   * Runs `f` on every chunk of inbound frames until the client closes. The fastest way to consume a busy feed: the
   * same frames as `messages`, handed over a chunk at a time with no `Stream` machinery in between.
   */
  readonly forEachChunk: <E, R>(
    f: (chunk: Chunk.Chunk<Message>) => Effect.Effect<unknown, E, R>
  ) => Effect.Effect<void, E, R>
  /** lifecycle events, ending with `Closed` */
  readonly events: Stream.Stream<ClientEvent.ClientEvent>
  /** like `events`, subscribed now */
  readonly eventsScoped: Effect.Effect<Stream.Stream<ClientEvent.ClientEvent>, never, Scope.Scope>
  /** the current state, then every change; ends once the client is closed */
  readonly stateChanges: Stream.Stream<State>
  readonly getState: Effect.Effect<State>
  readonly sendMessage: (message: Outbound) => Effect.Effect<void, SendMessageError>
  readonly request: (request: JsonRpc.Request, options?: RequestOptions) => Effect.Effect<unknown, RequestError>
  readonly subscribe: (channels: ReadonlyArray<string>) => Effect.Effect<SubscriptionId, RequestError | InvalidOptions>
  readonly unsubscribe: (channels: ReadonlyArray<string>) => Effect.Effect<void, RequestError | InvalidOptions>
  /**
   * the channels the server holds as far as the client knows: confirmed on this connection, or (while reconnecting)
   * about to be restored; empty after a link loss when `restoreSubscriptions` is off
   */
  readonly subscriptions: Effect.Effect<ReadonlyArray<string>>
  /** the channel a notification belongs to, by the client's dialect (server ids mapped to your channel names) */
  readonly channelOf: (message: Message) => string | undefined
  readonly getStateMetrics: Effect.Effect<StateMetrics>
  /** p50/p99/last/count (ms) of request round trips and ping RTTs; `None` before the first sample */
  readonly getLatencyStats: Effect.Effect<Option.Option<LatencyStats.Summary>>
  /** the heartbeat's `{ failures, lastAt, rttMs }`; `None` when no heartbeat is configured */
  readonly getHeartbeatHealth: Effect.Effect<Option.Option<Heartbeat.Health>>
  /** reconnects now (see {@link reconnect}); succeeds once connected again */
  readonly reconnect: Effect.Effect<void, NotConnected>
  readonly close: Effect.Effect<void>
}

/**
 * The `Client` service, for applications that receive a fixed connection from a layer (Pattern 3).
 *
 * @since 0.1.0
 * @category tags
 */
export const Client: Context.Tag<Client, Client> = Context.GenericTag<Client>("@zen-websocket/core/Client")

/**
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client: unknown = yield* Client.connect("wss://feed.example/ws")
 *   if (Client.isClient(client)) yield* Client.close(client)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isClient = (u: unknown): u is Client => Predicate.hasProperty(u, TypeId)

let clientCount = 0

/**
 * Opens a client. Resolves once the first connection is up, or fails after the initial retries. Options are validated
 * first: a bad URL or option fails with `InvalidOptions` before any socket opens. `url` may be an Effect, evaluated on
 * every attempt (fresh signed URLs).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2", {
 *     heartbeatConfig: { type: "ping", interval: "30 seconds" },
 *     retryCount: Infinity
 *   })
 *   return yield* Client.getState(client) // "connected"
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect = (
  url: ClientOptions.UrlInput,
  options?: ClientOptions.Options
): Effect.Effect<Client, ConnectError | InvalidOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* ClientOptions.validate(options)
    if (!Effect.isEffect(url)) yield* ClientOptions.validateUrl(url)
    const id = resolved.id ?? `client-${++clientCount}`
    const protocol = resolved.subscriptionProtocol ?? Dialect.defaultDialect
    const runtime = yield* Runtime.make(id, resolved, protocol)
    // `Scope.addFinalizer`: `Effect.addFinalizer` would keep a copy of this fiber's FiberRefs per client
    yield* Scope.addFinalizer(runtime.scope, runtime.close)
    const ready = yield* Deferred.make<void, ConnectError | InvalidOptions>()
    runtime.loop = yield* Effect.forkScoped(Connection.run(runtime, url, ready))
    // the span covers the wait for the first connection; the loop, forked before it, does not keep it alive
    // an Effect URL's server is known once an attempt evaluated it: its attributes are set when the span ends
    if (!Effect.isEffect(url)) runtime.server = Tracing.server(ClientOptions.showUrl(url), ClientOptions.urlText(url))
    yield* Tracing.withSpan(
      Effect.onError(Deferred.await(ready), () => runtime.close),
      "zen_websocket.connect",
      () => ({ ...(runtime.server?.attributes() ?? Tracing.protocolAttributes), "zen_websocket.client_id": id }),
      Effect.isEffect(url) ? () => runtime.server?.attributes() : undefined
    )
    return fromRuntime(runtime)
  })

const fromRuntime: (runtime: Runtime.Runtime) => Client = internal.make

/**
 * Sends a text frame (string), a binary frame (bytes) or an object as JSON. While the client is reconnecting it fails
 * at once with `NotConnected`, unless `offlineQueue` is set: then the send waits (in order with waiting requests and
 * subscribes) and ends once its frame went out on the restored connection, or fails with `OfflineQueueFull` or, when
 * the client gives up or is closed, `NotConnected`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   yield* Client.sendMessage(client, { jsonrpc: "2.0", method: "public/test", params: {} })
 *   yield* client.pipe(Client.sendMessage("ping"))
 * }))
 * ```
 *
 * @since 0.1.0
 * @category sending
 */
export const sendMessage: {
  (message: Outbound): (client: Client) => Effect.Effect<void, SendMessageError>
  (client: Client, message: Outbound): Effect.Effect<void, SendMessageError>
} = dual(2, (client: Client, message: Outbound) => client.sendMessage(message))

/**
 * Sends a JSON-RPC 2.0 request with a fresh id and waits for its response: the `result`, or `RpcError`,
 * `RequestTimeout` (after `requestTimeout` ms, no hidden cap), `Disconnected`, `DuplicateRequestId`. Runs in a
 * `zen_websocket.request` span when a tracer other than Effect's built-in one is installed.
 *
 * While the client is reconnecting it fails at once with `NotConnected`, unless `offlineQueue` is set: then it waits
 * for the restored connection (after its restore, in order with queued sends) within its own timeout, which counts
 * from the call: a request that waited too long fails with `RequestTimeout`, one the full queue refuses with
 * `OfflineQueueFull`. A request in flight when the link is lost fails with `Disconnected` (it is never replayed).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   const time = yield* Client.request(client, { method: "public/get_time" })
 *   const same = yield* client.pipe(Client.request({ method: "public/get_time" }, { timeout: 5_000 }))
 * }))
 * ```
 *
 * @since 0.1.0
 * @category requests
 */
export const request: {
  (request: JsonRpc.Request, options?: RequestOptions): (client: Client) => Effect.Effect<unknown, RequestError>
  (client: Client, request: JsonRpc.Request, options?: RequestOptions): Effect.Effect<unknown, RequestError>
} = dual(
  (args) => isClient(args[0]),
  (client: Client, request: JsonRpc.Request, options?: RequestOptions) => client.request(request, options)
)

/**
 * Subscribes to channels through the client's dialect, in batches that fit its limits (channels per request, frame
 * size, pacing). Only the channels the server confirms are tracked (and restored after a reconnect). A batch refused as
 * a whole is split down to the channel at fault: when the server refused some channel the call fails with its error
 * (`RpcError`), and the channels it confirmed stay tracked (see `subscriptions`). During an outage it waits with
 * `offlineQueue` set (within `requestTimeout`, as `request` does), else fails at once with `NotConnected`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   const id = yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
 *   const channels = yield* Client.subscriptions(client) // the confirmed ones
 * }))
 * ```
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const subscribe: {
  (channels: ReadonlyArray<string>): (client: Client) => Effect.Effect<SubscriptionId, RequestError | InvalidOptions>
  (client: Client, channels: ReadonlyArray<string>): Effect.Effect<SubscriptionId, RequestError | InvalidOptions>
} = dual(2, (client: Client, channels: ReadonlyArray<string>) => client.subscribe(channels))

/**
 * Unsubscribes from channels and stops tracking them.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
 *   yield* Client.unsubscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
 * }))
 * ```
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const unsubscribe: {
  (channels: ReadonlyArray<string>): (client: Client) => Effect.Effect<void, RequestError | InvalidOptions>
  (client: Client, channels: ReadonlyArray<string>): Effect.Effect<void, RequestError | InvalidOptions>
} = dual(2, (client: Client, channels: ReadonlyArray<string>) => client.unsubscribe(channels))

/**
 * The notifications of some channels as a `Stream`: subscribes when pulled, unsubscribes when the stream ends.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as Console from "effect/Console"
 * import * as Stream from "effect/Stream"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   yield* Client.stream(client, ["trades.BTC-PERPETUAL.raw"]).pipe(
 *     Stream.take(10),
 *     Stream.runForEach((message) => Console.log(message))
 *   )
 * }))
 * ```
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const stream: {
  (channels: ReadonlyArray<string>): (client: Client) => Stream.Stream<Message, RequestError | InvalidOptions>
  (client: Client, channels: ReadonlyArray<string>): Stream.Stream<Message, RequestError | InvalidOptions>
} = dual(2, (client: Client, channels: ReadonlyArray<string>) =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const wanted = new Set(channels)
    const messages = yield* client.messagesScoped
    yield* Effect.acquireRelease(client.subscribe(channels), () => Effect.ignore(client.unsubscribe(channels)))
    return Stream.filter(messages, (message) => {
      const channel = client.channelOf(message)
      return channel !== undefined && wanted.has(channel)
    })
  })))

/**
 * The notifications of one channel, routed by the client's dialect, from the moment the stream is pulled (it does not
 * subscribe: pair it with `subscribe`, or use `stream`). For `ethSubscribe` the channel is your handle: the stream
 * carries on across reconnects although the server's subscription id changes.
 *
 * @example
 * ```ts
 * import { Client } from "@zen-websocket/core"
 * import { Effect, Stream } from "effect"
 *
 * const heads = (client: Client.Client) =>
 *   Effect.zipRight(Client.subscribe(client, ["newHeads"]), Client.channel(client, "newHeads").pipe(Stream.take(3), Stream.runCollect))
 * ```
 *
 * @since 0.2.0
 * @category subscriptions
 */
export const channel: {
  (name: string): (client: Client) => Stream.Stream<Message>
  (client: Client, name: string): Stream.Stream<Message>
} = dual(
  2,
  (client: Client, name: string) => Stream.filter(client.messages, (message) => client.channelOf(message) === name)
)

/**
 * Runs `f` on every chunk of inbound frames until the client closes — the fast path for busy feeds (see
 * `client.forEachChunk`).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as Chunk from "effect/Chunk"
 * import * as Console from "effect/Console"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   yield* Client.forEachChunk(client, (chunk) => Console.log(`${Chunk.size(chunk)} frames`))
 * }))
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const forEachChunk: {
  <E, R>(
    f: (chunk: Chunk.Chunk<Message>) => Effect.Effect<unknown, E, R>
  ): (client: Client) => Effect.Effect<void, E, R>
  <E, R>(client: Client, f: (chunk: Chunk.Chunk<Message>) => Effect.Effect<unknown, E, R>): Effect.Effect<void, E, R>
} = dual(
  2,
  <E, R>(client: Client, f: (chunk: Chunk.Chunk<Message>) => Effect.Effect<unknown, E, R>) => client.forEachChunk(f)
)

/**
 * `"connecting" | "connected" | "disconnected"`. Safe after close.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   const state = yield* Client.getState(client) // "connecting" | "connected" | "disconnected"
 * }))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const getState = (client: Client): Effect.Effect<State> => client.getState

/**
 * The confirmed, tracked channels.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   const channels = yield* Client.subscriptions(client)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const subscriptions = (client: Client): Effect.Effect<ReadonlyArray<string>> => client.subscriptions

/**
 * `{ state, pendingRequests, subscriptions, queuedSends, reconnects, inboundFrames, bufferedInbound, paused }`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   const { pendingRequests, reconnects, state } = yield* Client.getStateMetrics(client)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const getStateMetrics = (client: Client): Effect.Effect<StateMetrics> => client.getStateMetrics

/**
 * Latency of request round trips and ping RTTs, in ms: `{ p50, p99, last, count }` over the last
 * `latencyBufferSize` samples (nearest-rank percentiles, see `LatencyStats.percentile`).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as Option from "effect/Option"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   const latency = yield* Client.getLatencyStats(client)
 *   if (Option.isSome(latency)) yield* Effect.log(`p99 ${latency.value.p99} ms`)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const getLatencyStats = (client: Client): Effect.Effect<Option.Option<LatencyStats.Summary>> =>
  client.getLatencyStats

/**
 * `{ failures, lastAt, rttMs }` of the heartbeat, `None` when none is configured.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as Option from "effect/Option"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://feed.example/ws", { heartbeatConfig: { type: "ping", interval: 30_000 } })
 *   const health = yield* Client.getHeartbeatHealth(client)
 *   const rtt = Option.map(health, (h) => h.rttMs)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const getHeartbeatHealth = (client: Client): Effect.Effect<Option.Option<Heartbeat.Health>> =>
  client.getHeartbeatHealth

/**
 * Forces a reconnect now, e.g. after rotating credentials (a `url` or `headers` Effect is evaluated again, the restore
 * hooks run again). The live link is closed with 1000 and the next connection dialed at once: no backoff wait, and it
 * does not count as a failed attempt toward `retryCount`. Everything follows the normal reconnect path: requests in
 * flight fail with `Disconnected`, the restore hooks run, the tracked channels are restored, the offline queue is
 * flushed; `events` show `Disconnected{ code: 1000, reason: "reconnect requested" }`, `Connecting`, …, `Connected`.
 * While the client is reconnecting already, the attempt or backoff wait in progress is cut short for an attempt now.
 *
 * Succeeds once the client is connected again; fails with `NotConnected{ state: "disconnected" }` on a closed or
 * given-up client, or when the reconnection gives up.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * let token = "first"
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://feed.example/ws", {
 *     headers: Effect.sync(() => ({ authorization: `Bearer ${token}` })) // read on every attempt
 *   })
 *   token = "rotated"
 *   yield* Client.reconnect(client) // connected again, with the new token
 * }))
 * ```
 *
 * @since 0.2.0
 * @category lifecycle
 */
export const reconnect = (client: Client): Effect.Effect<void, NotConnected> => client.reconnect

/**
 * Sends a close frame (1000), stops reconnecting, fails pending requests with `Disconnected` and ends the streams.
 * Idempotent.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://test.deribit.com/ws/api/v2")
 *   yield* Client.close(client) // idempotent; closing the scope does it too
 * }))
 * ```
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const close = (client: Client): Effect.Effect<void> => client.close

/**
 * A layer providing a connected `Client` (Pattern 3: a fixed connection started and stopped with the app).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as Layer from "effect/Layer"
 *
 * const Feed = Client.layer("wss://feed.example/ws", { retryCount: Infinity })
 * const program = Effect.flatMap(Client.Client, (client) => Client.sendMessage(client, "hello"))
 * const runnable = Effect.provide(program, Feed)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  url: ClientOptions.UrlInput,
  options?: ClientOptions.Options
): Layer.Layer<Client, ConnectError | InvalidOptions> => Layer.scoped(Client, connect(url, options))

/**
 * A layer providing a connected client under your own tag, so an app can hold several fixed connections (Pattern 3):
 *
 * ```ts
 * class MarketData extends Context.Tag("MarketData")<MarketData, Client.Client>() {}
 * class Orders extends Context.Tag("Orders")<Orders, Client.Client>() {}
 * const Connections = Layer.merge(
 *   Client.layerAs(MarketData, "wss://feed.example/ws", { id: "market-data" }),
 *   Client.layerAs(Orders, "wss://orders.example/ws", { id: "orders" })
 * )
 * ```
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as Context from "effect/Context"
 * import * as Layer from "effect/Layer"
 *
 * class MarketData extends Context.Tag("MarketData")<MarketData, Client.Client>() {}
 * class Orders extends Context.Tag("Orders")<Orders, Client.Client>() {}
 * const Connections = Layer.merge(
 *   Client.layerAs(MarketData, "wss://feed.example/ws", { id: "market-data" }),
 *   Client.layerAs(Orders, "wss://orders.example/ws", { id: "orders" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAs = <I>(
  tag: Context.Tag<I, Client>,
  url: ClientOptions.UrlInput,
  options?: ClientOptions.Options
): Layer.Layer<I, ConnectError | InvalidOptions> => Layer.scoped(tag, connect(url, options))

/**
 * What {@link layerConfig} reads from `Config`: the URL (a string or, better, `Config.redacted`) and any option.
 *
 * @since 0.2.0
 * @category models
 */
export interface LayerConfig extends ClientOptions.Options {
  readonly url: ClientOptions.Url
}

/**
 * A layer providing a connected `Client` whose URL and options come from `Config`, in the convention of
 * `PgClient.layerConfig`: pass a `Config.Config.Wrap<LayerConfig>`, with secrets through `Config.redacted`. The older
 * form, a `Config<string>` URL and plain options, is still accepted.
 *
 * @example
 * ```ts
 * import * as Config from "effect/Config"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const Feed = Client.layerConfig({
 *   url: Config.redacted("FEED_URL"), // e.g. wss://feed.example/ws?token=…, never logged
 *   retryCount: Config.integer("FEED_RETRIES").pipe(Config.withDefault(10)),
 *   requestTimeout: Config.duration("FEED_REQUEST_TIMEOUT").pipe(Config.withDefault("10 seconds"))
 * })
 * const Legacy = Client.layerConfig(Config.string("FEED_URL"), { retryCount: 10 })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: {
  (
    config: Config.Config.Wrap<LayerConfig>
  ): Layer.Layer<Client, ConnectError | InvalidOptions | ConfigError.ConfigError>
  (
    url: Config.Config<string>,
    options?: ClientOptions.Options
  ): Layer.Layer<Client, ConnectError | InvalidOptions | ConfigError.ConfigError>
} = (
  config: Config.Config.Wrap<LayerConfig> | Config.Config<string>,
  options?: ClientOptions.Options
): Layer.Layer<Client, ConnectError | InvalidOptions | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(
    Config.isConfig(config) ? config as Config.Config<unknown> : Config.unwrap(config),
    (value) => {
      if (typeof value === "string" || Redacted.isRedacted(value)) return layer(value as ClientOptions.Url, options)
      const { url, ...rest } = value as LayerConfig
      return layer(url, rest)
    }
  ))
