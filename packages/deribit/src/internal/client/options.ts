/**
 * `DeribitClient.connect`'s options: the Deribit part as one `Schema` (credentials with a `Redacted` secret, the
 * heartbeat in seconds, cancel-on-disconnect, credits…), validated into `InvalidOptions` before any socket opens; the
 * rest are the core's options, validated by `Client.connect`.
 *
 * @since 0.1.0
 * @internal
 */
import { type ClientOptions, type Dialect, WebSocketError } from "@zen-websocket/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as methodTable from "../methodTable.js"

/** @internal */
export const testnetUrl = "wss://test.deribit.com/ws/api/v2"

/** @internal */
export const productionUrl = "wss://www.deribit.com/ws/api/v2"

const rule = (text: string) => ({ message: () => text })

const Secret = Schema.Union(
  Schema.RedactedFromSelf(Schema.String),
  Schema.Redacted(Schema.String)
).annotations(rule("must be a non-empty string or a Redacted string (e.g. Config.redacted(\"DERIBIT_CLIENT_SECRET\"))"))

const ClientId = Schema.NonEmptyString.annotations(rule("must be a non-empty string: the API key's client id"))

/** @internal */
export const Credentials = Schema.Struct({
  clientId: ClientId,
  clientSecret: Secret,
  grant: Schema.optionalWith(
    Schema.Literal("client_credentials", "client_signature").annotations(
      rule("must be \"client_credentials\" (the secret is sent) or \"client_signature\" (an HMAC-SHA256 signature is)")
    ),
    { default: () => "client_credentials" as const }
  ),
  /** `client_signature` only: the `data` part of the signed text */
  data: Schema.optionalWith(Schema.String, { default: () => "" })
})

const Positive = Schema.Number.pipe(
  Schema.filter((n) => Number.isFinite(n) && n > 0, rule("must be a positive number"))
)

const Budget = Schema.Struct({ cost: Positive, capacity: Positive, refillPerSecond: Positive }).pipe(
  Schema.filter((b) => b.cost <= b.capacity, rule("cost must not exceed capacity"))
)

const HeartbeatSeconds = Schema.Number.pipe(
  Schema.filter(
    (n) => Number.isInteger(n) && n >= 10 && n <= 3600,
    rule("must be whole seconds from 10 (Deribit's minimum for public/set_heartbeat) to 3600, e.g. 30")
  )
)

const Millis = Schema.Union(Schema.Number, Schema.DurationFromSelf, Schema.String).pipe(
  Schema.transformOrFail(Schema.Number, {
    strict: true,
    decode: (input, _, ast) => {
      const decoded = Duration.decodeUnknown(input)
      return decoded._tag === "Some" && Duration.isFinite(decoded.value) && Duration.toMillis(decoded.value) > 0
        ? ParseResult.succeed(Duration.toMillis(decoded.value))
        : ParseResult.fail(new ParseResult.Type(ast, input, "must be a positive duration (ms or e.g. \"5 seconds\")"))
    },
    encode: (ms) => ParseResult.succeed(ms)
  })
)

/** The Deribit part of the options. @internal */
export const DeribitOptions = Schema.Struct({
  url: Schema.optionalWith(
    Schema.Union(Schema.NonEmptyString, Schema.RedactedFromSelf(Schema.String)).annotations(
      rule(`must be a ws:// or wss:// URL, e.g. ${testnetUrl} (testnet) or ${productionUrl}`)
    ),
    { default: () => testnetUrl }
  ),
  credentials: Schema.optional(Credentials),
  heartbeatInterval: Schema.optionalWith(HeartbeatSeconds, { default: () => 30 }),
  cancelOnDisconnect: Schema.optionalWith(
    Schema.Literal(false, "connection", "account").annotations(
      rule("must be false, \"connection\" (this connection's orders) or \"account\" (every connection's)")
    ),
    { default: () => false as const }
  ),
  logoutOnClose: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  credits: Schema.optionalWith(
    Schema.Union(
      Schema.Literal(false),
      Schema.Struct({
        nonMatching: Schema.optional(Budget),
        matching: Schema.optional(Budget),
        subscribe: Schema.optional(Budget)
      })
    ).annotations(
      rule("must be false or { nonMatching?, matching?, subscribe? } budgets { cost, capacity, refillPerSecond }")
    ),
    { default: () => ({}) }
  ),
  bookSyncTimeout: Schema.optionalWith(Millis, { default: () => 5_000 }),
  subscriptionLimits: Schema.optional(Schema.Struct({
    maxChannelsPerRequest: Schema.optional(Positive),
    maxFrameBytes: Schema.optional(Positive),
    pacing: Schema.optional(Schema.Struct({ burst: Positive, perSecond: Positive }))
  }))
})

/** What users write (the Deribit part). @internal */
export type DeribitInput = typeof DeribitOptions.Encoded

/** @internal */
export type DeribitResolved = typeof DeribitOptions.Type

/** @internal */
export type ResolvedCredentials = typeof Credentials.Type

/** The core options `DeribitClient` sets itself. @internal */
export const reserved = ["subscriptionProtocol", "heartbeatConfig"] as const

/** @internal */
export type CoreOptions = Omit<ClientOptions.Options, (typeof reserved)[number]>

/** @internal */
export type Options = DeribitInput & CoreOptions

/** @internal */
export interface Resolved extends DeribitResolved {
  readonly core: CoreOptions
  readonly budgets: { readonly [K in methodTable.RateClass]: methodTable.Budget } | undefined
  readonly limits: Partial<Dialect.Limits> | undefined
}

const deribitKeys = new Set(Object.keys(DeribitOptions.fields))

const decode = Schema.decodeUnknownEither(DeribitOptions, { errors: "all", onExcessProperty: "ignore" })

const fieldOf = (path: ReadonlyArray<PropertyKey>): string => path.map(String).join(".") || "options"

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown => {
  let value = input
  for (const key of path) {
    value = typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined
  }
  return value
}

const invalid = (issues: ReadonlyArray<{ field: string; value: unknown; rule: string }>) =>
  new WebSocketError.InvalidOptions({ ...issues[0], issues })

/** Secrets never reach an `InvalidOptions`. */
const shownValue = (field: string, value: unknown): unknown => field.includes("clientSecret") ? "<redacted>" : value

const expected = /^Expected (.*), actual .*$/s

/**
 * One issue per field, in words: "Expected undefined" (the optional's other branch) dropped, a field left out when
 * one of its children is reported, a union's alternatives merged into one rule.
 */
const schemaIssues = (input: unknown, error: ParseResult.ParseError) => {
  const byField = new Map<string, { path: ReadonlyArray<PropertyKey>; messages: Array<string> }>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    if (issue.message.startsWith("Expected undefined")) continue
    const field = fieldOf(issue.path)
    const entry = byField.get(field) ?? { path: issue.path, messages: [] }
    entry.messages.push(issue.message)
    byField.set(field, entry)
  }
  const fields = Array.from(byField.keys())
  return fields.filter((field) => !fields.some((other) => other.startsWith(`${field}.`))).map((field) => {
    const { messages, path } = byField.get(field)!
    const alternatives = messages.map((m) => expected.exec(m)?.[1])
    const rule = messages.length > 1 && alternatives.every((a) => a !== undefined)
      ? `must be one of ${alternatives.join(", ")}`
      : messages[0]
    return { field, value: shownValue(field, valueAt(input, path)), rule }
  })
}

/** Validates the Deribit part and splits off the core part. @internal */
export const validate = (options: Options | undefined): Effect.Effect<Resolved, WebSocketError.InvalidOptions> =>
  Effect.suspend(() => {
    const input = options ?? {}
    const core: Record<string, unknown> = {}
    const issues: Array<{ field: string; value: unknown; rule: string }> = []
    for (const [key, value] of Object.entries(input)) {
      if (deribitKeys.has(key)) continue
      if ((reserved as ReadonlyArray<string>).includes(key)) {
        issues.push({
          field: key,
          value,
          rule: key === "heartbeatConfig"
            ? "is set by DeribitClient: use heartbeatInterval (seconds) instead"
            : "is set by DeribitClient (Deribit's dialect): use subscriptionLimits to change its limits"
        })
        continue
      }
      core[key] = value
    }
    const decoded = decode(input)
    if (Either.isLeft(decoded)) issues.push(...schemaIssues(input, decoded.left))
    if (Either.isRight(decoded)) {
      const d = decoded.right
      if (d.cancelOnDisconnect !== false && d.credentials === undefined) {
        issues.push({
          field: "cancelOnDisconnect",
          value: d.cancelOnDisconnect,
          rule:
            "needs credentials: private/enable_cancel_on_disconnect is a private method (give credentials, or false)"
        })
      }
    }
    if (issues.length > 0 || Either.isLeft(decoded)) return Effect.fail(invalid(issues))
    const d = decoded.right
    return Effect.succeed({
      ...d,
      core: core as CoreOptions,
      budgets: d.credits === false
        ? undefined
        : { ...methodTable.defaultBudgets, ...stripUndefined(d.credits) } as NonNullable<Resolved["budgets"]>,
      limits: d.subscriptionLimits as Partial<Dialect.Limits> | undefined
    })
  })

const stripUndefined = <A extends object>(a: A): Partial<A> =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Partial<A>

/** The secret, for the wire only. @internal */
export type Secret = Redacted.Redacted<string>
