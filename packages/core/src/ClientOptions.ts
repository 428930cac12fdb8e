/**
 * The options of `Client.connect`, written once: the exported {@link Options} `Schema` is the source of the input type
 * ({@link Options}), the resolved type ({@link Resolved}) and the {@link defaults}. Durations accept milliseconds or
 * any `Duration.DurationInput` (`"5 seconds"`) and are decoded once to milliseconds; header values may be `Redacted`.
 * Validation runs before any socket opens and reports every bad field at once in one `InvalidOptions`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 *
 * const resolved = ClientOptions.validate({ timeout: "5 seconds", retryCount: Infinity })
 * // Effect<Resolved, InvalidOptions>: { timeout: 5000, retryCount: Infinity, retryDelay: 1000, … }
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as tls from "node:tls"
import * as Heartbeat from "./Heartbeat.js"
import { isDialect } from "./internal/dialect/guard.js"
import { redactUrl } from "./internal/redact.js"
import {
  anyObject,
  ByteSize,
  decodeOptions,
  effectOr,
  fn,
  Headers as HeaderValues,
  invalid,
  ItemCount,
  Millis,
  Protocols,
  rule,
  shown
} from "./internal/schemaRules.js"
import type * as JsonRpc from "./JsonRpc.js"
import type { Message } from "./Message.js"
import type {
  Disconnected,
  InvalidOptions,
  NotConnected,
  RateLimited,
  RequestTimeout,
  SendError
} from "./WebSocketError.js"

/**
 * Heartbeat strategies (DESIGN §3.6); they live with `Heartbeat` (this is the same type).
 *
 * @since 0.1.0
 * @category models
 */
export type HeartbeatConfig = Heartbeat.HeartbeatConfig

/**
 * How a `Session.sendAndAwait` can fail: no match in time, the link went away, the frame could not go out.
 *
 * @since 0.2.0
 * @category models
 */
export type AwaitError = RequestTimeout | Disconnected | NotConnected | SendError | RateLimited

/**
 * What a restore hook can do on a fresh connection, before it is handed to users: requests and sends go out even
 * though the client is not `connected` yet.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import type * as ClientOptions from "@zen-websocket/core/ClientOptions"
 *
 * // OKX: log in before the private channels are restored; the ack is no JSON-RPC response
 * const login: ClientOptions.RestoreHook = (session) =>
 *   session.sendAndAwait(
 *     { op: "login", args: [{ apiKey: "…", passphrase: "…", timestamp: "…", sign: "…" }] },
 *     (message) => {
 *       const json = message._tag === "Text" ? message.json as { event?: string; code?: string } : undefined
 *       return json?.event === "login" || json?.event === "error" ? json : undefined
 *     },
 *     "5 seconds"
 *   ).pipe(Effect.filterOrFail((ack) => ack.code === "0", (ack) => new Error(`login refused: ${ack.code}`)))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Session {
  /**
   * a JSON-RPC request, correlated by id: its `result`, or with `envelope: true` the whole response object (extra
   * fields such as Deribit's `usIn`/`usOut`/`usDiff` included)
   */
  readonly request: (
    request: JsonRpc.Request,
    options?: { readonly timeout?: number | undefined; readonly envelope?: boolean | undefined }
  ) => Effect.Effect<unknown, unknown>
  readonly sendMessage: (message: string | Uint8Array | object) => Effect.Effect<void, unknown>
  /**
   * Sends a frame (a string, bytes, or an object as JSON) and waits for the first inbound frame that `match` maps to
   * a value (anything but `undefined`), for handshakes that are not JSON-RPC (OKX/Bybit login, Coinbase's signed
   * subscribe). The matched frame is not delivered to `messages`. `timeout` defaults to `requestTimeout`.
   */
  readonly sendAndAwait: <A>(
    frame: string | Uint8Array | object,
    match: (message: Message) => A | undefined,
    timeout?: Duration.DurationInput | undefined
  ) => Effect.Effect<A, AwaitError>
  /**
   * The connection's scope: it closes when this connection ends (or the client closes). A fiber forked in it
   * (`Effect.forkIn(effect, session.scope)`) lives as long as the connection, e.g. a token refresh bound to it.
   */
  readonly scope: Scope.Scope
}

/**
 * Runs on every new connection (the first one too) after the heartbeat is armed and before subscriptions are
 * restored: adapters re-authenticate here. A failing hook fails the attempt (`ConnectError` reason `restore`): when
 * the dialect's classifier (or the `retryable` option) calls its error transient (10028 too_many_requests, a timeout,
 * a lost link) the normal reconnect schedule runs; otherwise (bad credentials) the client gives up with that cause.
 *
 * @since 0.1.0
 * @category models
 */
export type RestoreHook = (session: Session) => Effect.Effect<void, unknown>

/**
 * Runs on every new connection after its subscriptions are restored and before the offline queue is flushed and the
 * state turns `connected`: adapters wait here for what the restore started (e.g. order book snapshots). A failing
 * hook fails the attempt, classified like a {@link RestoreHook}'s failure.
 *
 * @since 0.3.0
 * @category models
 */
export type AfterRestoreHook = (session: Session) => Effect.Effect<void, unknown>

/**
 * Upgrade headers: values are strings or `Redacted` strings (unwrapped only when the request is made).
 *
 * @since 0.2.0
 * @category models
 */
export type Headers = Readonly<Record<string, string | Redacted.Redacted<string>>>

const RetryCount = Schema.Number.pipe(
  Schema.filter((n) => n === Infinity || (Number.isSafeInteger(n) && n >= 0)),
  Schema.annotations(rule("must be a non-negative integer (at most 2^53 − 1) or Infinity"))
)

const optional = <A, I>(schema: Schema.Schema<A, I>, value: () => A) => Schema.optionalWith(schema, { default: value })

// defaults that are objects are shared by every client (an idle client should not own copies of them)
const noHeaders: Headers = Object.freeze({})
const noProtocols: ReadonlyArray<string> = Object.freeze([])
const noHooks: ReadonlyArray<RestoreHook> = Object.freeze([])
const defaultInbound = Object.freeze({ bufferSize: 1024, strategy: "suspend" as const })
const defaultOutbound = Object.freeze({ highWaterMark: 1024 * 1024 })

/**
 * The options `Schema`: every field, its rule and its default (the seed's, plus ours for what the original lacks).
 *
 * | field | default | meaning |
 * |---|---|---|
 * | `timeout` | 5 s | TCP + TLS + upgrade of one attempt |
 * | `closeTimeout` | 1 s | longest close handshake, either side's; then the socket is destroyed |
 * | `headers` | `{}` | upgrade headers (`Redacted` values allowed); an Effect is evaluated on every attempt |
 * | `protocols` | none | WebSocket subprotocols |
 * | `debug` | false | log frames and transitions with `Effect.logDebug` |
 * | `retryCount` | 3 | reconnection attempts per outage (`Infinity` allowed) |
 * | `retryDelay` | 1 s | first backoff delay |
 * | `maxBackoff` | 30 s | cap on one backoff delay (must be ≥ `retryDelay`) |
 * | `jitter` | true | randomise every delay |
 * | `reconnectOnError` | true | reconnect after an abnormal loss |
 * | `restoreSubscriptions` | true | re-subscribe tracked channels after a reconnect |
 * | `reconnectSchedule` | none | a full schedule overriding retryCount / retryDelay / maxBackoff / jitter |
 * | `shouldReconnect` | `ErrorHandler.isRecoverable` | which connection ends are worth a retry |
 * | `heartbeatConfig` | none | see `Heartbeat.HeartbeatConfig` |
 * | `requestTimeout` | 30 s | a correlated request; no hidden cap |
 * | `offlineQueue` | none | `{ capacity, strategy }`: sends, requests and subscribes wait while reconnecting |
 * | `inbound` | 1024, suspend | `{ bufferSize, strategy }`: `suspend` pauses the socket when consumers fall behind |
 * | `maxPayload` | 16 MiB | largest inbound frame; larger ones close the connection with 1009 |
 * | `tls` | verify | Node TLS options passed through to the socket |
 * | `recordTo` | none | path of a JSONL session recording |
 * | `latencyBufferSize` | 100 | samples kept for p50/p99 |
 * | `subscriptionProtocol` | `Dialect.jsonRpc()` | the venue's dialect: frames, acks, routing, limits, classifier |
 * | `onRestoreRejected` | `"continue"` | channels refused on restore: dropped and reported, or `"fail"` the attempt |
 * | `retryable` | the dialect's | which errors of restore hooks and restores are transient (retried) |
 * | `outbound` | 1 MiB | `{ highWaterMark }`: sends wait while the socket buffers more bytes |
 * | `restoreHooks` | none | run on every new connection before subscriptions are restored |
 * | `afterRestoreHooks` | none | run on every new connection after the restore, before `connected` |
 * | `id` | generated | a name for logs, metrics and layers |
 *
 * @example
 * ```ts
 * import * as Schema from "effect/Schema"
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 *
 * const resolved = Schema.decodeUnknownSync(ClientOptions.Options)({ requestTimeout: "10 seconds" })
 * resolved.requestTimeout // 10000
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Options = Schema.Struct({
  timeout: optional(Millis, () => 5_000),
  closeTimeout: optional(Millis, () => 1_000),
  headers: optional(
    effectOr(HeaderValues, "an object of string header values"),
    (): Headers | Effect.Effect<Headers> => noHeaders
  ),
  protocols: optional(Protocols, () => noProtocols),
  debug: optional(Schema.Boolean, () => false),
  retryCount: optional(RetryCount, () => 3),
  retryDelay: optional(Millis, () => 1_000),
  maxBackoff: optional(Millis, () => 30_000),
  jitter: optional(Schema.Boolean, () => true),
  reconnectOnError: optional(Schema.Boolean, () => true),
  restoreSubscriptions: optional(Schema.Boolean, () => true),
  reconnectSchedule: Schema.optional(anyObject<Schedule.Schedule<unknown, unknown>>("must be a Schedule")),
  shouldReconnect: Schema.optional(fn<(cause: unknown) => boolean>("cause => boolean")),
  heartbeatConfig: Schema.optional(Heartbeat.HeartbeatConfig),
  requestTimeout: optional(Millis, () => 30_000),
  offlineQueue: Schema.optional(Schema.Struct({
    capacity: ItemCount,
    strategy: Schema.Literal("dropOldest", "dropNewest", "fail")
  })),
  inbound: optional(
    Schema.Struct({ bufferSize: ItemCount, strategy: Schema.Literal("suspend", "sliding", "dropping") }),
    () => defaultInbound
  ),
  maxPayload: optional(ByteSize, () => 16 * 1024 * 1024),
  tls: Schema.optional(anyObject<tls.ConnectionOptions>("must be an object of Node TLS options")),
  recordTo: Schema.optional(Schema.NonEmptyString),
  latencyBufferSize: optional(ItemCount, () => 100),
  subscriptionProtocol: Schema.optional(Schema.declare(
    isDialect,
    rule("must be a Dialect (e.g. Dialect.okx()): name, limits, subscribe, unsubscribe, ack, channelOf, retryable")
  )),
  onRestoreRejected: optional(Schema.Literal("continue", "fail"), () => "continue" as const),
  retryable: Schema.optional(fn<(error: unknown) => boolean>("error => boolean")),
  outbound: optional(Schema.Struct({ highWaterMark: ByteSize }), () => defaultOutbound),
  restoreHooks: optional(Schema.Array(fn<RestoreHook>("session => Effect")), () => noHooks),
  afterRestoreHooks: optional(Schema.Array(fn<AfterRestoreHook>("session => Effect")), () => noHooks),
  id: Schema.optional(Schema.NonEmptyString)
})

/**
 * What `Client.connect` accepts (the encoded side of {@link Options}). Every field is optional.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = typeof Options.Encoded

/**
 * Options with every default applied and every duration in milliseconds (the decoded side of {@link Options}).
 *
 * @since 0.1.0
 * @category models
 */
export type Resolved = typeof Options.Type

const decode = decodeOptions(Options)

/**
 * Decoding copies every nested object; where the copy equals what the user passed (no duration to convert), the
 * user's object (or the shared default) is kept, so clients made from one options object share it: fewer objects
 * per idle client.
 */
const keepShared = (input: Options, resolved: Resolved): Resolved => {
  let out: Record<string, unknown> | undefined
  for (const [key, fallback] of sharedKeys) {
    const given = (input as Record<string, unknown>)[key]
    const source = given === undefined ? fallback : given
    const decoded = (resolved as Record<string, unknown>)[key]
    if (source !== decoded && shallowEqual(source, decoded)) (out ??= { ...resolved })[key] = source
  }
  return (out ?? resolved) as Resolved
}

/** The keys whose objects are shared, with the shared default of each (when it has one). */
const sharedKeys: ReadonlyArray<readonly [string, unknown]> = [
  ["headers", noHeaders],
  ["heartbeatConfig", undefined],
  ["offlineQueue", undefined],
  ["inbound", defaultInbound],
  ["outbound", defaultOutbound],
  ["restoreHooks", noHooks],
  ["afterRestoreHooks", noHooks],
  ["protocols", noProtocols]
]

const shallowEqual = (a: unknown, b: unknown): boolean => {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null || Effect.isEffect(a)) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => (a as Record<string, unknown>)[key] === (b as Record<string, unknown>)[key])
}

/**
 * The defaults: the {@link Options} schema applied to `{}`.
 *
 * @example
 * ```ts
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 *
 * ClientOptions.defaults.retryDelay // 1000
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Resolved = keepShared({}, Either.getOrThrow(decode({})))

/**
 * Validates options and applies the defaults. Every bad field is reported in one `InvalidOptions` (`issues`; `field`,
 * `value` and `rule` name the first).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 *
 * const failed = Effect.flip(ClientOptions.validate({ timeout: -1, retryCount: 1.5 }))
 * // InvalidOptions { field: "timeout", issues: [{ field: "timeout", … }, { field: "retryCount", … }] }
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (options: Options | undefined): Effect.Effect<Resolved, InvalidOptions> =>
  Effect.suspend(() => {
    if (options === undefined) return succeedDefaults
    const known = validated.get(options)
    if (known !== undefined && unchanged(options, known.snapshot)) return Effect.succeed(known.resolved)
    const resolved = resolve(options)
    if (Either.isRight(resolved)) validated.set(options, { snapshot: snapshotOf(options), resolved: resolved.right })
    return resolved
  })

const succeedDefaults = Effect.succeed(defaults)

/**
 * The last result per options object: the connections of a fleet made from one options object validate it once
 * (decoding was ~5% of the CPU of opening 1 000 idle connections, `pnpm bench --only=idle --prof=idle/zen-bare`). A
 * hit is checked against a copy of the object's fields and of the fields of the objects and arrays it holds, so an
 * object changed between two `connect`s is validated again.
 */
const validated = new WeakMap<Options, { readonly snapshot: Snapshot; readonly resolved: Resolved }>()

type Snapshot = ReadonlyArray<readonly [string, unknown, ReadonlyArray<unknown> | undefined]>

const isPlain = (value: unknown): value is object =>
  typeof value === "object" && value !== null &&
  (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)

const fieldsOf = (value: object): ReadonlyArray<unknown> => Object.entries(value).flat()

const snapshotOf = (options: Options): Snapshot =>
  Object.entries(options).map(([key, value]) => [key, value, isPlain(value) ? fieldsOf(value) : undefined] as const)

const unchanged = (options: Options, snapshot: Snapshot): boolean => {
  if (Object.keys(options).length !== snapshot.length) return false
  for (const [key, value, fields] of snapshot) {
    const now = (options as Record<string, unknown>)[key]
    if (now !== value) return false
    if (fields !== undefined) {
      const nowFields = fieldsOf(now as object)
      if (nowFields.length !== fields.length || nowFields.some((field, i) => field !== fields[i])) return false
    }
  }
  return true
}

const resolve = (options: Options): Either.Either<Resolved, InvalidOptions> => {
  const decoded = decode(options)
  if (Either.isLeft(decoded)) return decoded
  const resolved = keepShared(options, decoded.right)
  if (resolved.maxBackoff < resolved.retryDelay) {
    return Either.left(invalid([{
      field: "maxBackoff",
      value: resolved.maxBackoff,
      rule: `must be >= retryDelay (${resolved.retryDelay})`
    }]))
  }
  return Either.right(resolved)
}

const decodeHeaders = decodeOptions(Schema.Struct({ headers: HeaderValues }))

/**
 * Checks upgrade headers (names are RFC 7230 tokens; values carry no CR, LF, NUL or other control character), e.g.
 * the ones a `headers` Effect produced for one attempt. A bad value is never shown in the `InvalidOptions`.
 *
 * @example
 * ```ts
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 *
 * ClientOptions.validateHeaders({ "x-token": "abc\r\nInjected: 1" }) // fails: InvalidOptions { field: "headers.x-token" }
 * ```
 *
 * @since 0.2.0
 * @category validation
 */
export const validateHeaders = (headers: unknown): Effect.Effect<Headers, InvalidOptions> =>
  Effect.suspend(() => Either.map(decodeHeaders({ headers }), (decoded) => decoded.headers))

/**
 * What `Client.connect` accepts as a URL: a string or a `Redacted` string (the secret stays out of logs and errors).
 *
 * @since 0.2.0
 * @category models
 */
export type Url = string | Redacted.Redacted<string>

/**
 * Where `Client.connect` connects: a {@link Url}, or an Effect producing one, evaluated on every attempt (fresh signed
 * URLs or tokens).
 *
 * @since 0.2.0
 * @category models
 */
export type UrlInput = Url | Effect.Effect<Url>

/**
 * The URL text of a {@link Url} (a `Redacted` one unwrapped: only for the socket itself).
 *
 * @example
 * ```ts
 * import * as Redacted from "effect/Redacted"
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 *
 * ClientOptions.urlText(Redacted.make("wss://x.test/ws?token=abc")) // "wss://x.test/ws?token=abc"
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const urlText = (url: Url): string => Redacted.isRedacted(url) ? Redacted.value(url) : url

/**
 * Checks a URL: a `ws://` or `wss://` URL with a host. Secrets in it (query tokens, userinfo) are masked in the
 * `InvalidOptions` it may fail with.
 *
 * @example
 * ```ts
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 *
 * ClientOptions.validateUrl("wss://example.com/ws") // Effect<URL, InvalidOptions>
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const validateUrl = (url: unknown): Effect.Effect<URL, InvalidOptions> =>
  Effect.suspend(() => {
    const text = Redacted.isRedacted(url) ? Redacted.value(url) : url
    const rule = "must be a ws:// or wss:// URL with a host, e.g. wss://example.com/ws"
    const fail = (detail = "") =>
      Effect.fail(invalid([{
        field: "url",
        value: Redacted.isRedacted(url) ? url : shown(text),
        rule: rule + detail
      }]))
    if (typeof text !== "string") return fail()
    let parsed: URL
    try {
      parsed = new URL(text)
    } catch {
      return fail()
    }
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      return fail(parsed.protocol === "http:" || parsed.protocol === "https:" ? " (use ws:// or wss://)" : "")
    }
    if (parsed.hostname === "") return fail()
    return Effect.succeed(parsed)
  })

/**
 * A URL as it may be shown (logs, spans, errors): a `Redacted` one as `<redacted>`, a string with its secrets masked.
 *
 * @example
 * ```ts
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 *
 * ClientOptions.showUrl("wss://x.test/ws?token=abc&depth=10") // "wss://x.test/ws?token=***&depth=10"
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const showUrl = (url: Url): string => Redacted.isRedacted(url) ? "<redacted>" : redactUrl(url)
