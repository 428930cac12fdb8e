/**
 * The Schema pieces every options object shares (positive integers, durations, functions, objects) and the one
 * conversion of a parse failure into `InvalidOptions`, reporting every bad field at once.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { InvalidOptions, type OptionsIssue } from "../WebSocketError.js"
import { MASK, redactUrl } from "./redact.js"

/** A `message` annotation: the rule a value breaks, as `InvalidOptions.rule` shows it. */
export const rule = (text: string) => ({ message: () => text })

/** An integer `>= min`. */
export const integer = (min: number, text: string) =>
  Schema.Number.pipe(Schema.filter((n) => Number.isInteger(n) && n >= min, rule(text)))

export const PositiveInt = integer(1, "must be a positive integer")

export const NonNegativeInt = integer(0, "must be a non-negative integer")

/** An integer in `[min, max]`: every size and count has an upper bound, so nothing accepted can crash later. */
export const bounded = (min: number, max: number, text: string) =>
  Schema.Number.pipe(Schema.filter((n) => Number.isInteger(n) && n >= min && n <= max, rule(text)))

/** A count or size of buffered items (frames, sends, samples): at most 2^20. */
export const maxItems = 1_048_576

/** A size in bytes (frames, socket buffers): at most 1 GiB. */
export const maxBytes = 1024 * 1024 * 1024

/** A positive count of buffered items, at most {@link maxItems}. */
export const ItemCount = bounded(1, maxItems, `must be a positive integer, at most ${maxItems}`)

/** A positive size in bytes, at most {@link maxBytes}. */
export const ByteSize = bounded(1, maxBytes, `must be a positive integer number of bytes, at most ${maxBytes} (1 GiB)`)

/** The longest timer Node can set (2^31 − 1 ms, about 24.8 days); a longer one would fire at once. */
export const maxTimerMs = 2_147_483_647

const durationRule = "must be a positive integer number of milliseconds or a Duration (e.g. \"5 seconds\")"
const durationBound = `must be at most ${maxTimerMs} ms (about 24.8 days, the longest timer Node can set)`

const isDurationInput = (u: unknown): u is Duration.DurationInput =>
  typeof u !== "number" && Option.isSome(Duration.decodeUnknown(u))

/**
 * A duration: a positive integer number of milliseconds, or any `Duration.DurationInput` (`"5 seconds"`,
 * `Duration.minutes(1)`…), decoded once to milliseconds (rounded up to a whole one).
 */
export const Millis: Schema.Schema<number, number | Duration.DurationInput> = Schema.transformOrFail(
  Schema.declare(
    (u): u is number | Duration.DurationInput => typeof u === "number" || isDurationInput(u),
    { identifier: "DurationInput", ...rule(durationRule) }
  ),
  Schema.Number,
  {
    strict: true,
    decode: (input, _, ast) => {
      const ms = typeof input === "number" ? input : Duration.toMillis(Duration.decode(input))
      const whole = typeof input === "number" ? ms : Math.ceil(ms)
      if (!(Number.isInteger(whole) && whole > 0 && Number.isFinite(whole))) {
        return ParseResult.fail(new ParseResult.Type(ast, input, durationRule))
      }
      return whole <= maxTimerMs
        ? ParseResult.succeed(whole)
        : ParseResult.fail(new ParseResult.Type(ast, input, durationBound))
    },
    encode: (ms) => ParseResult.succeed(ms)
  }
)

/** RFC 7230 `token`: a header name, a subprotocol. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** What Node refuses in a header value (CR, LF, NUL and the other control characters but HTAB, beyond Latin-1). */
const invalidHeaderChar = /[^\t\x20-\x7e\x80-\xff]/

/** The most upgrade headers, and the longest header value. */
export const maxHeaders = 100
export const maxHeaderValue = 16_384

const headerNameRule = "must be a header name: an RFC 7230 token (letters, digits and !#$%&'*+-.^_`|~; no spaces, " +
  "no \":\", no CR/LF)"
const headerValueRule = `must be a header value without CR, LF, NUL or other control characters, at most ` +
  `${maxHeaderValue} characters`

/**
 * Upgrade headers: names are RFC 7230 tokens, values (strings or `Redacted` strings) carry no CR/LF/NUL or other
 * control character, at most {@link maxHeaders} of them. Each bad header is its own issue (`headers.<name>`).
 */
export const Headers = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.RedactedFromSelf(Schema.String))
}).annotations(rule("must be an object of string (or Redacted) header values")).pipe(
  Schema.filter((headers) => {
    const issues: Array<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> = []
    const names = Object.keys(headers)
    if (names.length > maxHeaders) issues.push({ path: [], message: `must hold at most ${maxHeaders} headers` })
    for (const name of names) {
      const raw = headers[name]
      const value = Redacted.isRedacted(raw) ? Redacted.value(raw) : raw
      if (!token.test(name)) issues.push({ path: [name], message: headerNameRule })
      else if (invalidHeaderChar.test(value) || value.length > maxHeaderValue) {
        issues.push({ path: [name], message: headerValueRule })
      }
    }
    return issues
  })
)

/** The most subprotocols one connection may offer. */
export const maxProtocols = 64

const protocolRule = "must be a subprotocol: an RFC 7230 token (letters, digits and !#$%&'*+-.^_`|~, no spaces or " +
  "commas)"

/** Subprotocols: a string or an array of RFC 7230 tokens, without duplicates, decoded to an array. */
export const Protocols = Schema.transform(
  Schema.Union(Schema.String, Schema.Array(Schema.String)).annotations(rule("must be a string or an array of strings")),
  Schema.Array(Schema.String.pipe(Schema.filter((p) => token.test(p), rule(protocolRule)))).pipe(
    Schema.filter((protocols) => {
      if (protocols.length > maxProtocols) return `must list at most ${maxProtocols} subprotocols`
      const index = protocols.findIndex((p, i) => protocols.indexOf(p) !== i)
      return index === -1 || { path: [index], message: `must not repeat a subprotocol ("${protocols[index]}")` }
    })
  ),
  { strict: true, decode: (p) => typeof p === "string" ? [p] : p, encode: (p) => p }
)

/** A function (checked with `typeof` only). */
export const fn = <A>(name: string) =>
  Schema.declare((u): u is A => typeof u === "function", rule(`must be a function (${name})`))

/** Any non-array object (checked shallowly). */
export const anyObject = <A>(text: string) =>
  Schema.declare((u): u is A => Predicate.isObject(u) && !Array.isArray(u), rule(text))

/** `schema`, or an Effect producing it (evaluated later, on every attempt). */
export const effectOr = <A, I>(schema: Schema.Schema<A, I>, name: string) =>
  Schema.Union(
    schema,
    Schema.declare(
      (u): u is Effect.Effect<A> => Effect.isEffect(u),
      rule(`must be ${name} or an Effect producing it`)
    )
  )

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>((value, key) => (Predicate.isObject(value) ? (value as any)[key] : undefined), input)

/** Fields whose values are never shown in an `InvalidOptions` (a header value is often a token). */
const secretFields: ReadonlySet<string> = new Set(["headers"])

/** A value as an `InvalidOptions` may hold it: strings have URL secrets masked. */
export const shown = (value: unknown): unknown => typeof value === "string" ? redactUrl(value) : value

const unknownKey = "is not a known option"

const issuesOf = (error: ParseResult.ParseError, input: unknown): ReadonlyArray<OptionsIssue> => {
  const seen = new Set<string>()
  const issues: Array<OptionsIssue> = []
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const field = issue.path.length === 0 ? "options" : issue.path.map(String).join(".")
    if (seen.has(field)) continue
    seen.add(field)
    const text = issue._tag === "Unexpected" ? unknownKey : issue.message
    const secret = issue.path.length > 1 && secretFields.has(String(issue.path[0]))
    issues.push({ field, value: secret ? MASK : shown(valueAt(input, issue.path)), rule: text })
  }
  // the deepest issue of a field only (`inbound.bufferSize`, not also `inbound`), unknown keys last
  const named = issues.filter((issue) =>
    !issues.some((other) => other !== issue && other.field.startsWith(`${issue.field}.`))
  )
  return [...named.filter((i) => i.rule !== unknownKey), ...named.filter((i) => i.rule === unknownKey)]
}

/** One `InvalidOptions` for a list of issues: the first one named, every one listed. */
export const invalid = (issues: ReadonlyArray<OptionsIssue>): InvalidOptions => {
  const [first] = issues
  return new InvalidOptions({ ...(first ?? { field: "options", value: undefined, rule: "is invalid" }), issues })
}

/**
 * Decodes an options object, reporting every bad field at once (`errors: "all"`); unknown keys are errors. `null`,
 * arrays and other non-objects fail as `options: must be an object`.
 */
export const decodeOptions = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })
  return (input: unknown): Either.Either<A, InvalidOptions> => {
    if (!Predicate.isObject(input) || Array.isArray(input)) {
      return Either.left(invalid([{ field: "options", value: input, rule: "must be an object" }]))
    }
    return Either.mapLeft(decode(input), (error) => invalid(issuesOf(error, input)))
  }
}
