/**
 * A real WebSocket server on 127.0.0.1 for tests of code that uses zen-websocket (or any WebSocket client): scripted
 * replies, injected frames, assertions on what the client sent, and the faults real servers have — refused
 * connections, stalled or rejected handshakes, half-open links, dropped pongs, slow frames, abrupt disconnects.
 *
 * ```ts
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * it.scopedLive("subscribes", () =>
 *   Effect.gen(function*() {
 *     const server = yield* Testing.startMockServer()
 *     // ... connect a client to server.url and subscribe ...
 *     yield* server.assertMessageSent({ method: "public/subscribe" })
 *   }))
 * ```
 *
 * An API page: the server's one interface (`MockServer`, which the server's core in `internal/mockServer.ts` builds
 * and this page's signatures check), its data types, handlers, layers and dual forms. Over 400 lines because it
 * documents every fault and wait of that interface in one place.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Client from "./Client.js"
import type * as ClientOptions from "./ClientOptions.js"
import { jsonRpcResult, parseJsonRpcRequest } from "./internal/mockHandlers.js"
import type * as models from "./internal/mockModels.js"
import { TypeId as typeId } from "./internal/mockModels.js"
import * as internal from "./internal/mockServer.js"
import { bybitSign, okxSign } from "./internal/venue/exchangeWire.js"
import * as venues from "./internal/venue/index.js"
import type * as venueModels from "./internal/venue/models.js"
import * as Recorder from "./Recorder.js"
import type { ConnectError, InvalidOptions, MockAssertionError, MockServerError } from "./WebSocketError.js"

export {
  /**
   * An assertion on the mock server did not hold in time (one of the library's errors, see `WebSocketError`).
   *
   * @since 0.1.0
   * @category errors
   */
  MockAssertionError,
  /**
   * The mock server could not start or listen again (one of the library's errors, see `WebSocketError`).
   *
   * @since 0.1.0
   * @category errors
   */
  MockServerError
} from "./WebSocketError.js"

// -------------------------------------------------------------------------------------------------------------------
// models
// -------------------------------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface PlayOptions {
  /** how much faster than recorded (default 1; the first frame goes at once) */
  readonly speed?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface MockServerOptions {
  /** Port to listen on; `0` (the default) picks a free one. */
  readonly port?: number | undefined
  /** Path of the WebSocket endpoint (default `"/ws"`); upgrades on other paths get HTTP 404. */
  readonly path?: string | undefined
  /** Serve `wss://` with a self-signed certificate for 127.0.0.1 and localhost (see `MockServer.ca`). */
  readonly tls?: boolean | undefined
  /** How the server answers each frame (default: `defaultHandler`). */
  readonly handler?: Handler | undefined
  /** How many received frames are kept, the newest (default 10 000). */
  readonly maxReceived?: number | undefined
  /**
   * A script for each accepted connection (play frames to it, close it after a delay…): run in a fiber of its own,
   * interrupted when the connection closes. A script that fails is logged (`Effect.logWarning`) and the server goes on.
   */
  readonly onConnection?: ((connection: MockConnection) => Effect.Effect<void>) | undefined
}

/**
 * A WebSocket data frame.
 *
 * @since 0.1.0
 * @category models
 */
export type Frame = models.Frame

/**
 * A frame the server received from a client, with the connection it came on and when (ms since the epoch).
 *
 * @since 0.1.0
 * @category models
 */
export type ReceivedFrame = models.ReceivedFrame

/**
 * What a handler answers: one frame (a string is a text frame, bytes a binary frame), several frames in order, or
 * nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type Reply = models.Reply

/**
 * Answers one received frame. Replies on one connection keep the order of the frames. A handler that throws or fails
 * is logged (`Effect.logWarning`) and the server goes on.
 *
 * @since 0.1.0
 * @category models
 */
export type Handler = models.Handler

/**
 * One live connection, as seen by a `Handler`.
 *
 * @since 0.1.0
 * @category models
 */
export type MockConnection = models.MockConnection

/**
 * Selects a received frame:
 *
 * - a string: a text frame with exactly that text;
 * - a `RegExp`: a text frame it matches;
 * - a plain object: a text frame holding a JSON object whose top-level fields include these (values compared deeply);
 * - a `Uint8Array`: a binary frame with exactly these bytes;
 * - a function: any frame it accepts.
 *
 * @since 0.1.0
 * @category models
 */
export type Matcher = models.Matcher

/**
 * The upgrade request of one connection attempt.
 *
 * @since 0.1.0
 * @category models
 */
export type UpgradeRequest = models.UpgradeRequest

/**
 * How `simulateDisconnect` ends the connections: `"normal"` closes with 1000 "Normal closure", `"going_away"` with
 * 1001 "Server going away", a number with that code ("Custom close"), `"abnormal"` destroys the socket without a close
 * frame (the client sees 1006).
 *
 * @since 0.1.0
 * @category models
 */
export type DisconnectMode = models.DisconnectMode

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof typeId = typeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A running mock server. Every `Effect` here is safe to run any number of times.
 *
 * Waits (`assertMessageSent`, `awaitConnections`) are signalled by the server, never polled, and their timeouts run on
 * real time, so they also work in tests that use `TestClock`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockServer {
  readonly [TypeId]: TypeId
  /** `ws://127.0.0.1:<port><path>` (`wss://` with `tls: true`). */
  readonly url: string
  readonly port: number
  /** The PEM certificate when `tls: true`: pass it to the client as `tls.ca` / `ca`. */
  readonly ca: string | undefined
  /** Sends a text (string) or binary (bytes) frame to every live connection. */
  readonly injectMessage: (message: string | Uint8Array) => Effect.Effect<void>
  /**
   * Succeeds with the first received frame that matches — already received or arriving within `timeoutMs` (default
   * 1000) — or fails with a `MockAssertionError` that lists the last frames received.
   */
  readonly assertMessageSent: (
    matcher: Matcher,
    timeoutMs?: number | undefined
  ) => Effect.Effect<ReceivedFrame, MockAssertionError>
  /** The frames received from all connections, oldest first (the last `maxReceived`). */
  readonly receivedMessages: Effect.Effect<ReadonlyArray<ReceivedFrame>>
  /** Forgets the received frames (e.g. before a `restart`, to assert only on what comes after). */
  readonly clearReceived: Effect.Effect<void>
  /** Live connections now. */
  readonly connectionCount: Effect.Effect<number>
  /** Accepted upgrades since the server started. */
  readonly totalConnections: Effect.Effect<number>
  /** Every upgrade request that reached the server, accepted or not, oldest first. */
  readonly upgradeRequests: Effect.Effect<ReadonlyArray<UpgradeRequest>>
  /** Waits until at least `n` upgrades have been accepted since start (`timeoutMs` default 1000). */
  readonly awaitConnections: (n: number, timeoutMs?: number | undefined) => Effect.Effect<void, MockAssertionError>
  /**
   * Ends every live connection (see `DisconnectMode`) and waits until they are closed. Later connections are served
   * normally.
   */
  readonly simulateDisconnect: (how: DisconnectMode, reason?: string | undefined) => Effect.Effect<void>
  /** Closes every connection with 1001 and stops listening. Idempotent; also run when the scope closes. */
  readonly stopServer: Effect.Effect<void>
  /** `stopServer`, then listens again on the same port with every fault cleared. Received frames are kept. */
  readonly restart: Effect.Effect<void, MockServerError>
  /** `true`: stop listening (clients get ECONNREFUSED), live connections stay; `false`: listen again, same port. */
  readonly refuseConnections: (on: boolean) => Effect.Effect<void, MockServerError>
  /** `true`: accept TCP (and TLS) but never answer upgrade requests. */
  readonly stallHandshake: (on: boolean) => Effect.Effect<void>
  /** Answer upgrade requests with this HTTP status and body; `undefined` stops rejecting. */
  readonly rejectUpgrade: (status: number | undefined, body?: string | undefined) => Effect.Effect<void>
  /**
   * Half-open link: `true` stops reading from every connection (new ones too), answering pings and sending anything;
   * `false` resumes (frames the client sent meanwhile are then read).
   */
  readonly goSilent: (on: boolean) => Effect.Effect<void>
  /** `true`: client pings are counted but not answered. */
  readonly dropPongs: (on: boolean) => Effect.Effect<void>
  /** Delays every frame the server sends (replies, injected frames, pings, pongs) by `ms`, keeping order; 0 = off. */
  readonly delayFrames: (ms: number) => Effect.Effect<void>
  /** Sends a ping to every live connection. */
  readonly pingClients: (payload?: string | Uint8Array | undefined) => Effect.Effect<void>
  /** Pings received from clients. */
  readonly pingsReceived: Effect.Effect<number>
  /** Pongs received from clients (answers to `pingClients`). */
  readonly pongsReceived: Effect.Effect<number>
}

/**
 * The `MockServer` service, provided by `layer`.
 *
 * @since 0.1.0
 * @category tags
 */
export const MockServer: Context.Tag<MockServer, MockServer> = Context.GenericTag<MockServer>(
  "@zen-websocket/core/Testing/MockServer"
)

/**
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* Testing.startMockServer()
 *   const maybe: unknown = server
 *   if (Testing.isMockServer(maybe)) yield* maybe.stopServer
 * }))
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isMockServer = (u: unknown): u is MockServer => Predicate.hasProperty(u, TypeId)

// -------------------------------------------------------------------------------------------------------------------
// handlers
// -------------------------------------------------------------------------------------------------------------------

/**
 * The default replies, JSON-RPC aware so a client's subscriptions and requests work out of the box:
 *
 * - text `"ping"` → `"pong"`;
 * - a JSON-RPC request (`id` and `method`): `public|private/subscribe|unsubscribe` → `result: params.channels`,
 *   `public/test` → `result: { version: "mock" }`, any other method → `result: { method, params }`;
 * - any other text → `"echo: <text>"`;
 * - binary → the same bytes.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Testing.startMockServer({
 *   handler: (frame, connection) => frame._tag === "Text" && frame.data === "hello" ? "world" : Testing.defaultHandler(frame, connection)
 * })
 * ```
 *
 * @since 0.1.0
 * @category handlers
 */
export const defaultHandler: Handler = (frame) => {
  if (frame._tag === "Binary") return frame.data
  if (frame.data === "ping") return "pong"
  const request = parseJsonRpcRequest(frame.data)
  if (request === undefined) return `echo: ${frame.data}`
  return JSON.stringify({ jsonrpc: "2.0", id: request.id, result: jsonRpcResult(request.method, request.params) })
}

/**
 * Echoes every frame back unchanged.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Testing.startMockServer({ handler: Testing.echoHandler })
 * ```
 *
 * @since 0.1.0
 * @category handlers
 */
export const echoHandler: Handler = (frame) => frame.data

/**
 * Never replies.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * // requests then time out: test your timeouts with it
 * const program = Testing.startMockServer({ handler: Testing.silentHandler })
 * ```
 *
 * @since 0.1.0
 * @category handlers
 */
export const silentHandler: Handler = () => undefined

// -------------------------------------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------------------------------------

/**
 * Starts a mock server on 127.0.0.1; it stops (connections closed with 1001) when the scope closes.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* Testing.startMockServer()
 *   yield* server.rejectUpgrade(401, "bad token")
 *   yield* server.rejectUpgrade(undefined)
 *   yield* server.simulateDisconnect("going_away")
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const startMockServer = (
  options?: MockServerOptions | undefined
): Effect.Effect<MockServer, MockServerError, Scope.Scope> =>
  Effect.acquireRelease(
    internal.start(resolveOptions(options)),
    (server) => server.stopServer
  )

/**
 * Provides a `MockServer` for the life of the layer.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as Layer from "effect/Layer"
 *
 * const TestClient = Testing.layerClient({ retryDelay: 10 }).pipe(Layer.provideMerge(Testing.layer()))
 * const program = Effect.gen(function*() {
 *   const client = yield* Client.Client
 *   const server = yield* Testing.MockServer
 *   yield* Client.sendMessage(client, "hi")
 *   yield* server.assertMessageSent("hi")
 * }).pipe(Effect.provide(TestClient))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: MockServerOptions | undefined): Layer.Layer<MockServer, MockServerError> =>
  Layer.scoped(MockServer, startMockServer(options))

/**
 * Provides a `Client` connected to the `MockServer` of the context: the test layer that swaps in for a real endpoint.
 * With a `tls: true` server, the client trusts the server's certificate unless `options.tls.ca` says otherwise.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as Layer from "effect/Layer"
 *
 * const TestClient = Testing.layerClient({ retryDelay: 10 }).pipe(Layer.provideMerge(Testing.layer()))
 * const program = Effect.gen(function*() {
 *   const client = yield* Client.Client
 *   const server = yield* Testing.MockServer
 *   yield* Client.sendMessage(client, "hi")
 *   yield* server.assertMessageSent("hi")
 * }).pipe(Effect.provide(TestClient))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options?: ClientOptions.Options | undefined
): Layer.Layer<Client.Client, ConnectError | InvalidOptions, MockServer> =>
  Layer.scoped(
    Client.Client,
    Effect.flatMap(MockServer, (server) => Client.connect(server.url, trustServer(server, options)))
  )

const trustServer = (
  server: MockServer,
  options: ClientOptions.Options | undefined
): ClientOptions.Options | undefined =>
  server.ca === undefined || options?.tls?.ca !== undefined
    ? options
    : { ...options, tls: { ...options?.tls, ca: server.ca } }

const resolveOptions = (options: MockServerOptions | undefined): models.ResolvedOptions => ({
  port: options?.port ?? 0,
  path: options?.path ?? "/ws",
  tls: options?.tls ?? false,
  handler: options?.handler ?? defaultHandler,
  maxReceived: Math.max(1, options?.maxReceived ?? 10_000),
  onConnection: options?.onConnection
})

// -------------------------------------------------------------------------------------------------------------------
// venue servers
// -------------------------------------------------------------------------------------------------------------------

/**
 * The venues a `VenueServer` can speak: the same names as the built-in dialects (`Dialect.builtIn`).
 *
 * @since 0.2.0
 * @category models
 */
export type VenueName = venueModels.VenueName

/**
 * What a simulated venue accepts as credentials (defaults `"key"`, `"secret"`, `"passphrase"`): Deribit
 * `public/auth` `client_id`/`client_secret`; OKX `login` `apiKey` + `passphrase` + `sign` (see `venueSignatures.okx`);
 * Bybit `auth` `[apiKey, expires, signature]` (see `venueSignatures.bybit`); Coinbase `jwt` and Kraken `token` equal to
 * `secret`.
 *
 * @since 0.2.0
 * @category models
 */
export type VenueCredentials = venueModels.Credentials

/**
 * A subscription request (or login) the venue received, with its size.
 *
 * @since 0.2.0
 * @category models
 */
export type VenueRequest = venueModels.VenueRequest

/**
 * How an injected fault answers: the venue's transient error (Deribit 10028, OKX 60014, …), no answer, or a dropped
 * connection.
 *
 * @since 0.2.0
 * @category models
 */
export type FaultMode = venueModels.FaultMode

/**
 * @since 0.2.0
 * @category models
 */
export interface VenueServerOptions extends venueModels.StartOptions {}

/**
 * A mock server that speaks one venue's subscription wire, with the venue's rules: its frame and channel-count limits,
 * private channels refused without credentials, refusals shaped like the venue's (Deribit, OKX, Bybit, Coinbase and an
 * Ethereum node refuse a request as a whole; Kraken refuses each symbol; Deribit leaves channels that do not exist out
 * of its result). `holding` is what the newest connection holds: the server's truth to compare `subscriptions()` with.
 *
 * @since 0.2.0
 * @category models
 */
export interface VenueServer extends MockServer {
  readonly venue: VenueName
  readonly limits: { readonly maxFrameBytes: number; readonly maxChannelsPerRequest: number }
  /** the channels the newest connection holds */
  readonly holding: Effect.Effect<ReadonlyArray<string>>
  /** the subscription ids the server assigned on the newest connection (ethSubscribe) */
  readonly serverIds: Effect.Effect<ReadonlyArray<string>>
  /** subscription requests and logins received, oldest first */
  readonly requests: Effect.Effect<ReadonlyArray<VenueRequest>>
  /** sends a notification of `channel` to every connection that holds it; succeeds with how many it reached */
  readonly publish: (channel: string, data?: unknown) => Effect.Effect<number>
  /** the next `times` requests of this kind are answered with the venue's transient error, not at all, or a drop */
  readonly failNext: (op: VenueRequest["op"], times: number, mode?: FaultMode | undefined) => Effect.Effect<void>
}

/**
 * Starts a simulated venue on 127.0.0.1 (scoped, like `startMockServer`). Use it with the matching dialect:
 * `Testing.startVenueServer("okx")` with `Dialect.okx()`.
 *
 * @example
 * ```ts
 * import { Client, Dialect, Testing } from "@zen-websocket/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const venue = yield* Testing.startVenueServer("jsonRpc")
 *   const client = yield* Client.connect(venue.url, { subscriptionProtocol: Dialect.jsonRpc() })
 *   yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
 *   yield* venue.publish("ticker.BTC-PERPETUAL.100ms", { last_price: 1 })
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const startVenueServer = (
  venue: VenueName,
  options?: VenueServerOptions | undefined
): Effect.Effect<VenueServer, MockServerError, Scope.Scope> =>
  Effect.acquireRelease(venues.start(venue, options), (server) => server.stopServer)

/**
 * The login signatures the simulated venues check (and the real ones, per their docs): OKX
 * Base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify")), Bybit hex(HMAC-SHA256(secret,
 * "GET/realtime" + expires)).
 *
 * @example
 * ```ts
 * import { Testing } from "@zen-websocket/core"
 *
 * const timestamp = String(Math.floor(Date.now() / 1000))
 * const login = { op: "login", args: [{ apiKey: "key", passphrase: "passphrase", timestamp, sign: Testing.venueSignatures.okx("secret", timestamp) }] }
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const venueSignatures: {
  readonly okx: (secret: string, timestamp: string) => string
  readonly bybit: (secret: string, expires: number | string) => string
} = { okx: okxSign, bybit: bybitSign }

// -------------------------------------------------------------------------------------------------------------------
// functions (data-first and data-last)
// -------------------------------------------------------------------------------------------------------------------

/**
 * Sends a text or binary frame to every live connection of `server`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { pipe } from "effect/Function"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* Testing.startMockServer()
 *   yield* Testing.injectMessage(server, "{\"method\":\"heartbeat\"}")
 *   yield* pipe(server, Testing.injectMessage(new Uint8Array([1, 2])))
 * }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const injectMessage: {
  (message: string | Uint8Array): (server: MockServer) => Effect.Effect<void>
  (server: MockServer, message: string | Uint8Array): Effect.Effect<void>
} = dual(2, (server: MockServer, message: string | Uint8Array) => server.injectMessage(message))

/**
 * See `MockServer.assertMessageSent`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { pipe } from "effect/Function"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* Testing.startMockServer()
 *   yield* Testing.assertMessageSent(server, { method: "public/subscribe" }, 2_000)
 *   yield* pipe(server, Testing.assertMessageSent(/heartbeat/))
 * }))
 * ```
 *
 * @since 0.1.0
 * @category assertions
 */
export const assertMessageSent: {
  (
    matcher: Matcher,
    timeoutMs?: number | undefined
  ): (server: MockServer) => Effect.Effect<ReceivedFrame, MockAssertionError>
  (
    server: MockServer,
    matcher: Matcher,
    timeoutMs?: number | undefined
  ): Effect.Effect<ReceivedFrame, MockAssertionError>
} = dual(
  (args) => isMockServer(args[0]),
  (server: MockServer, matcher: Matcher, timeoutMs?: number | undefined) => server.assertMessageSent(matcher, timeoutMs)
)

/**
 * See `MockServer.simulateDisconnect`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { pipe } from "effect/Function"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* Testing.startMockServer()
 *   yield* Testing.simulateDisconnect(server, "abnormal") // the client sees 1006
 *   yield* pipe(server, Testing.simulateDisconnect(4000, "session expired"))
 * }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const simulateDisconnect: {
  (how: DisconnectMode, reason?: string | undefined): (server: MockServer) => Effect.Effect<void>
  (server: MockServer, how: DisconnectMode, reason?: string | undefined): Effect.Effect<void>
} = dual(
  (args) => isMockServer(args[0]),
  (server: MockServer, how: DisconnectMode, reason?: string | undefined) => server.simulateDisconnect(how, reason)
)

/**
 * See `MockServer.stopServer`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* Testing.startMockServer()
 *   yield* Testing.stopServer(server) // also when the scope closes
 * }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const stopServer = (server: MockServer): Effect.Effect<void> => server.stopServer

/**
 * See `MockServer.receivedMessages`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* Testing.startMockServer()
 *   const frames = yield* Testing.receivedMessages(server)
 *   const texts = frames.flatMap((f) => f._tag === "Text" ? [f.data] : [])
 * }))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const receivedMessages = (server: MockServer): Effect.Effect<ReadonlyArray<ReceivedFrame>> =>
  server.receivedMessages

/**
 * Serves a recording (see `Recorder`) as the server's script: its inbound frames are sent, in order, to every live
 * connection with their recorded gaps divided by `speed`; a recorded close frame closes the connections with its code.
 * Resolves with the number of frames played.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Testing from "@zen-websocket/core/Testing"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* Testing.startMockServer()
 *   const played = yield* Testing.playRecording(server, "session.jsonl", { speed: 10 })
 * }))
 * ```
 *
 * @since 0.1.0
 * @category faults
 */
export const playRecording: {
  (path: string, options?: PlayOptions): (server: MockServer) => Effect.Effect<number, Recorder.RecorderError>
  (server: MockServer, path: string, options?: PlayOptions): Effect.Effect<number, Recorder.RecorderError>
} = dual(
  (args) => isMockServer(args[0]),
  (server: MockServer, path: string, options?: PlayOptions) =>
    Recorder.script(path, { speed: options?.speed }).pipe(
      Stream.runFoldEffect(0, (played, entry) => Effect.as(playEntry(server, entry), played + 1))
    )
)

/**
 * Serves a recording to one connection (e.g. from `onConnection`, so every client that connects gets the whole
 * session): its inbound frames are sent in order with their recorded gaps divided by `speed`; a recorded close frame
 * closes the connection with its code. Resolves with the number of frames played.
 *
 * @example
 * ```ts
 * import * as Testing from "@zen-websocket/core/Testing"
 * import * as Effect from "effect/Effect"
 *
 * // every client that connects gets the whole recorded session, twice as fast
 * const server = Testing.startMockServer({
 *   onConnection: (connection) => Effect.ignore(Testing.playRecordingTo(connection, "session.jsonl", { speed: 2 }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category faults
 */
export const playRecordingTo: {
  (path: string, options?: PlayOptions): (connection: MockConnection) => Effect.Effect<number, Recorder.RecorderError>
  (connection: MockConnection, path: string, options?: PlayOptions): Effect.Effect<number, Recorder.RecorderError>
} = dual(
  (args) => typeof args[0] !== "string",
  (connection: MockConnection, path: string, options?: PlayOptions) =>
    Recorder.script(path, { speed: options?.speed }).pipe(
      Stream.runFold(0, (played, entry) => {
        playEntryTo(connection, entry)
        return played + 1
      })
    )
)

const playEntryTo = (connection: MockConnection, entry: Recorder.Entry): void => {
  switch (entry.type) {
    case "text":
    case "binary":
      return connection.send(entry.data)
    case "close":
      return isSendableCloseCode(entry.code) ? connection.close(entry.code, entry.reason) : connection.terminate()
  }
}

const playEntry = (server: MockServer, entry: Recorder.Entry): Effect.Effect<void> => {
  switch (entry.type) {
    case "text":
    case "binary":
      return server.injectMessage(entry.data)
    case "close":
      return isSendableCloseCode(entry.code)
        ? server.simulateDisconnect(entry.code, entry.reason)
        : server.simulateDisconnect("abnormal")
  }
}

const isSendableCloseCode = (code: number): boolean =>
  (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
