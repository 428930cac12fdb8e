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
import * as Schema from "effect/Schema"
import { InvalidOptions, type OptionsIssue } from "../WebSocketError.js"
import { redactUrl } from "./redact.js"

/** A `message` annotation: the rule a value breaks, as `InvalidOptions.rule` shows it. */
export const rule = (text: string) => ({ message: () => text })

/** An integer `>= min`. */
export const integer = (min: number, text: string) =>
  Schema.Number.pipe(Schema.filter((n) => Number.isInteger(n) && n >= min, rule(text)))

export const PositiveInt = integer(1, "must be a positive integer")

export const NonNegativeInt = integer(0, "must be a non-negative integer")

const durationRule = "must be a positive integer number of milliseconds or a Duration (e.g. \"5 seconds\")"

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
      return Number.isInteger(whole) && whole > 0 && Number.isFinite(whole)
        ? ParseResult.succeed(whole)
        : ParseResult.fail(new ParseResult.Type(ast, input, durationRule))
    },
    encode: (ms) => ParseResult.succeed(ms)
  }
).annotations(rule(durationRule))

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
    issues.push({ field, value: shown(valueAt(input, issue.path)), rule: text })
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
