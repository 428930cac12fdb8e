/**
 * The options of `Client.connect`, their defaults and their validation. Options are checked with `Schema` before any
 * socket opens; a bad one fails with `InvalidOptions` naming the field, the value and the rule.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as tls from "node:tls"
import type * as JsonRpc from "./JsonRpc.js"
import type { Message } from "./Message.js"
import type { SubscriptionProtocol } from "./SubscriptionProtocol.js"
import { InvalidOptions } from "./WebSocketError.js"

/**
 * Heartbeat strategies (DESIGN §3.6). Intervals and timeouts are in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type HeartbeatConfig =
  | { readonly type: "ping"; readonly interval: number; readonly maxMissed?: number | undefined }
  | { readonly type: "pong"; readonly interval: number; readonly timeout?: number | undefined }
  | { readonly type: "deribit"; readonly interval: number }
  | {
    readonly type: "custom"
    readonly interval: number
    readonly message: string | object
    readonly isResponse?: ((message: Message) => boolean) | undefined
    readonly maxMissed?: number | undefined
  }

/**
 * What a restore hook can do on a fresh connection, before it is handed to users: requests and sends go out even
 * though the client is not `connected` yet.
 *
 * @since 0.1.0
 * @category models
 */
export interface Session {
  readonly request: (request: JsonRpc.Request, options?: { readonly timeout?: number | undefined }) => Effect.Effect<
    unknown,
    unknown
  >
  readonly sendMessage: (message: string | Uint8Array | object) => Effect.Effect<void, unknown>
}

/**
 * Runs on every new connection (the first one too) after the heartbeat is armed and before subscriptions are
 * restored: adapters re-authenticate here. A failing hook ends the connection (`ConnectError` reason `restore`).
 *
 * @since 0.1.0
 * @category models
 */
export type RestoreHook = (session: Session) => Effect.Effect<void, unknown>

/**
 * What `Client.connect` accepts. Every field is optional; the defaults are the seed's.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** ms for TCP + TLS + upgrade of one attempt (default 5000) */
  readonly timeout?: number | undefined
  /** upgrade headers; an Effect is evaluated on every attempt (fresh tokens) */
  readonly headers?: Readonly<Record<string, string>> | Effect.Effect<Readonly<Record<string, string>>> | undefined
  /** WebSocket subprotocols */
  readonly protocols?: string | ReadonlyArray<string> | undefined
  /** log frames and transitions with `Effect.logDebug` */
  readonly debug?: boolean | undefined
  /** reconnection attempts per outage (default 3; `Infinity` allowed) */
  readonly retryCount?: number | undefined
  /** first backoff delay in ms (default 1000) */
  readonly retryDelay?: number | undefined
  /** cap on one backoff delay in ms (default 30000) */
  readonly maxBackoff?: number | undefined
  /** randomise every delay (default true) */
  readonly jitter?: boolean | undefined
  /** reconnect after an abnormal loss (default true) */
  readonly reconnectOnError?: boolean | undefined
  /** re-subscribe tracked channels after a reconnect (default true) */
  readonly restoreSubscriptions?: boolean | undefined
  /** a full schedule overriding retryCount / retryDelay / maxBackoff / jitter */
  readonly reconnectSchedule?: Schedule.Schedule<unknown, unknown> | undefined
  /** which connection ends are worth a retry */
  readonly shouldReconnect?: ((cause: unknown) => boolean) | undefined
  /** heartbeat strategy (default: none) */
  readonly heartbeatConfig?: HeartbeatConfig | undefined
  /** ms for a correlated request (default 30000); no hidden cap */
  readonly requestTimeout?: number | undefined
  /** buffer sends while reconnecting (default: none, sends fail fast with `NotConnected`) */
  readonly offlineQueue?: {
    readonly capacity: number
    readonly strategy: "dropOldest" | "dropNewest" | "fail"
  } | undefined
  /** inbound buffering: `suspend` pauses the socket when consumers fall behind (default suspend, 1024 frames) */
  readonly inbound?: {
    readonly bufferSize: number
    readonly strategy: "suspend" | "sliding" | "dropping"
  } | undefined
  /** largest inbound frame in bytes (default 16 MiB); larger frames close the connection with 1009 */
  readonly maxPayload?: number | undefined
  /** Node TLS options passed through to the socket; certificates are verified unless told otherwise */
  readonly tls?: tls.ConnectionOptions | undefined
  /** path of a JSONL session recording */
  readonly recordTo?: string | undefined
  /** samples kept for p50/p99 (default 100) */
  readonly latencyBufferSize?: number | undefined
  /** how subscribe/unsubscribe frames are built and confirmed (default: JSON-RPC `public/subscribe`) */
  readonly subscriptionProtocol?: SubscriptionProtocol | undefined
  /** outbound buffering: sends wait while the socket's `bufferedAmount` is over `highWaterMark` bytes (default 1 MiB) */
  readonly outbound?: { readonly highWaterMark: number } | undefined
  /** run on every new connection before subscriptions are restored (re-authentication) */
  readonly restoreHooks?: ReadonlyArray<RestoreHook> | undefined
  /** a name for logs, metrics and layers */
  readonly id?: string | undefined
}

const message = (rule: string) => ({ message: () => rule })

const PositiveMs = Schema.Number.pipe(
  Schema.int(),
  Schema.positive(),
  Schema.annotations(message("must be a positive integer number of milliseconds"))
)
const PositiveInt = Schema.Number.pipe(
  Schema.int(),
  Schema.positive(),
  Schema.annotations(message("must be a positive integer"))
)
const RetryCount = Schema.Number.pipe(
  Schema.filter((n) => n === Infinity || (Number.isInteger(n) && n >= 0)),
  Schema.annotations(message("must be a non-negative integer or Infinity"))
)
const fn = <A>(name: string) =>
  Schema.declare((u): u is A => typeof u === "function", message(`must be a function (${name})`))
const effectOr = <A>(schema: Schema.Schema<A>, name: string) =>
  Schema.Union(
    schema,
    Schema.declare(
      (u): u is Effect.Effect<A> => Effect.isEffect(u),
      message(`must be ${name} or an Effect producing it`)
    )
  )
const anyObject = <A>(rule: string) =>
  Schema.declare((u): u is A => Predicate.isObject(u) && !Array.isArray(u), message(rule))

const HeartbeatSchema = Schema.Union(
  Schema.Struct({
    type: Schema.Literal("ping"),
    interval: PositiveMs,
    maxMissed: Schema.optional(PositiveInt)
  }),
  Schema.Struct({ type: Schema.Literal("pong"), interval: PositiveMs, timeout: Schema.optional(PositiveMs) }),
  Schema.Struct({ type: Schema.Literal("deribit"), interval: PositiveMs }),
  Schema.Struct({
    type: Schema.Literal("custom"),
    interval: PositiveMs,
    message: Schema.Union(Schema.String, anyObject<object>("must be a string or an object")),
    isResponse: Schema.optional(fn<(message: Message) => boolean>("message => boolean")),
    maxMissed: Schema.optional(PositiveInt)
  })
).annotations(message("must be { type: \"ping\" | \"pong\" | \"deribit\" | \"custom\", interval: ms, … }"))

const OptionsSchema = Schema.Struct({
  timeout: Schema.optional(PositiveMs),
  headers: Schema.optional(
    effectOr(Schema.Record({ key: Schema.String, value: Schema.String }), "an object of string header values")
  ),
  protocols: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  debug: Schema.optional(Schema.Boolean),
  retryCount: Schema.optional(RetryCount),
  retryDelay: Schema.optional(PositiveMs),
  maxBackoff: Schema.optional(PositiveMs),
  jitter: Schema.optional(Schema.Boolean),
  reconnectOnError: Schema.optional(Schema.Boolean),
  restoreSubscriptions: Schema.optional(Schema.Boolean),
  reconnectSchedule: Schema.optional(anyObject<Schedule.Schedule<unknown, unknown>>("must be a Schedule")),
  shouldReconnect: Schema.optional(fn<(cause: unknown) => boolean>("cause => boolean")),
  heartbeatConfig: Schema.optional(HeartbeatSchema),
  requestTimeout: Schema.optional(PositiveMs),
  offlineQueue: Schema.optional(Schema.Struct({
    capacity: PositiveInt,
    strategy: Schema.Literal("dropOldest", "dropNewest", "fail")
  })),
  inbound: Schema.optional(Schema.Struct({
    bufferSize: PositiveInt,
    strategy: Schema.Literal("suspend", "sliding", "dropping")
  })),
  maxPayload: Schema.optional(PositiveInt),
  tls: Schema.optional(anyObject<tls.ConnectionOptions>("must be an object of Node TLS options")),
  recordTo: Schema.optional(Schema.NonEmptyString),
  latencyBufferSize: Schema.optional(PositiveInt),
  subscriptionProtocol: Schema.optional(anyObject<SubscriptionProtocol>("must be a SubscriptionProtocol")),
  outbound: Schema.optional(Schema.Struct({ highWaterMark: PositiveInt })),
  restoreHooks: Schema.optional(Schema.Array(fn<RestoreHook>("session => Effect"))),
  id: Schema.optional(Schema.NonEmptyString)
})

/**
 * Options with every default applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolved {
  readonly timeout: number
  readonly headers: Readonly<Record<string, string>> | Effect.Effect<Readonly<Record<string, string>>>
  readonly protocols: ReadonlyArray<string>
  readonly debug: boolean
  readonly retryCount: number
  readonly retryDelay: number
  readonly maxBackoff: number
  readonly jitter: boolean
  readonly reconnectOnError: boolean
  readonly restoreSubscriptions: boolean
  readonly reconnectSchedule: Schedule.Schedule<unknown, unknown> | undefined
  readonly shouldReconnect: ((cause: unknown) => boolean) | undefined
  readonly heartbeatConfig: HeartbeatConfig | undefined
  readonly requestTimeout: number
  readonly offlineQueue: Options["offlineQueue"]
  readonly inbound: { readonly bufferSize: number; readonly strategy: "suspend" | "sliding" | "dropping" }
  readonly maxPayload: number
  readonly tls: tls.ConnectionOptions | undefined
  readonly recordTo: string | undefined
  readonly latencyBufferSize: number
  readonly subscriptionProtocol: SubscriptionProtocol | undefined
  readonly outbound: { readonly highWaterMark: number }
  readonly restoreHooks: ReadonlyArray<RestoreHook>
  readonly id: string | undefined
}

/**
 * The defaults (the seed's, plus ours for the options the original lacks).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  timeout: 5_000,
  headers: {},
  protocols: [],
  debug: false,
  retryCount: 3,
  retryDelay: 1_000,
  maxBackoff: 30_000,
  jitter: true,
  reconnectOnError: true,
  restoreSubscriptions: true,
  reconnectSchedule: undefined,
  shouldReconnect: undefined,
  heartbeatConfig: undefined,
  requestTimeout: 30_000,
  offlineQueue: undefined,
  inbound: { bufferSize: 1024, strategy: "suspend" },
  maxPayload: 16 * 1024 * 1024,
  tls: undefined,
  recordTo: undefined,
  latencyBufferSize: 100,
  subscriptionProtocol: undefined,
  outbound: { highWaterMark: 1024 * 1024 },
  restoreHooks: [],
  id: undefined
} as const satisfies Resolved

const decode = Schema.decodeUnknownEither(OptionsSchema, { errors: "first", onExcessProperty: "error" })

/**
 * Validates options and applies the defaults.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (options: Options | undefined): Effect.Effect<Resolved, InvalidOptions> =>
  Effect.suspend(() => {
    const input = options ?? {}
    if (!Predicate.isObject(input) || Array.isArray(input)) {
      return Effect.fail(new InvalidOptions({ field: "options", value: input, rule: "must be an object" }))
    }
    const decoded = decode(input)
    if (Either.isLeft(decoded)) return Effect.fail(toInvalidOptions(decoded.left, input))
    return checkRelations(resolve(input as Options))
  })

const resolve = (options: Options): Resolved => {
  const resolved: Record<string, unknown> = { ...defaults }
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) resolved[key] = value
  }
  if (typeof resolved.protocols === "string") resolved.protocols = [resolved.protocols]
  return resolved as unknown as Resolved
}

const checkRelations = (options: Resolved): Effect.Effect<Resolved, InvalidOptions> =>
  options.maxBackoff < options.retryDelay
    ? Effect.fail(
      new InvalidOptions({
        field: "maxBackoff",
        value: options.maxBackoff,
        rule: `must be >= retryDelay (${options.retryDelay})`
      })
    )
    : Effect.succeed(options)

const toInvalidOptions = (error: ParseResult.ParseError, input: object): InvalidOptions => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  const path = issue?.path ?? []
  const field = path.length === 0 ? "options" : path.map(String).join(".")
  const rule = issue?._tag === "Unexpected" ? "is not a known option" : (issue?.message ?? "is invalid")
  return new InvalidOptions({ field, value: valueAt(input, path), rule })
}

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>((value, key) => (Predicate.isObject(value) ? (value as any)[key] : undefined), input)

/**
 * Checks a URL: a `ws://` or `wss://` URL with a host.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateUrl = (url: unknown): Effect.Effect<URL, InvalidOptions> =>
  Effect.suspend(() => {
    const rule = "must be a ws:// or wss:// URL with a host, e.g. wss://example.com/ws"
    if (typeof url !== "string") return Effect.fail(new InvalidOptions({ field: "url", value: url, rule }))
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return Effect.fail(new InvalidOptions({ field: "url", value: url, rule }))
    }
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      const hint = parsed.protocol === "http:" || parsed.protocol === "https:" ? " (use ws:// or wss://)" : ""
      return Effect.fail(new InvalidOptions({ field: "url", value: url, rule: rule + hint }))
    }
    if (parsed.hostname === "") return Effect.fail(new InvalidOptions({ field: "url", value: url, rule }))
    return Effect.succeed(parsed)
  })
