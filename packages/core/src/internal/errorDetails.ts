/**
 * What `ErrorHandler` reads out of any error without ever throwing: the Node `code` along a `cause` chain, a cause's
 * message, the host of a URL, the raw reason an error stands for, and a short, masked rendering of any value.
 */
import * as Cause from "effect/Cause"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as tables from "./errorTables.js"
import { redactUrl } from "./redact.js"

/** How deep causes are followed (a `Cause`, `max-attempts`, `restore`, a `cause` chain). */
export const maxDepth = 4

/** The error a `Cause` stands for: its first failure, else its squashed defect. */
export const causeError = (cause: Cause.Cause<unknown>): unknown =>
  Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause))

export const prop = (u: unknown, key: string): unknown =>
  Predicate.isObject(u) && key in u ? (u as Record<string, unknown>)[key] : undefined

/** The Node error `code` of an error, its `cause` chain, or the first of its `errors` (AggregateError). */
export const codeOf = (u: unknown, depth = 0): string | undefined => {
  if (depth > maxDepth || !Predicate.isObject(u)) return undefined
  const code = prop(u, "code")
  if (typeof code === "string") return code
  const nested = codeOf(prop(u, "cause"), depth + 1)
  if (nested !== undefined) return nested
  const errors = prop(u, "errors")
  if (Array.isArray(errors)) {
    for (const e of errors) {
      const c = codeOf(e, depth + 1)
      if (c !== undefined) return c
    }
  }
  return undefined
}

export const causeDetail = (cause: unknown): string => {
  if (typeof cause === "string") return cause ? ` (${cause})` : ""
  const message = prop(cause, "message")
  return typeof message === "string" && message ? ` (${message})` : ""
}

export const hostOf = (url: string): string => {
  try {
    return new URL(url).hostname || url
  } catch {
    return url
  }
}

const maxShow = 200

/** A short, never-throwing rendering of any value. */
export const show = (u: unknown): string => {
  let out: string
  try {
    out = render(u)
  } catch {
    out = "<uninspectable>"
  }
  const masked = redactUrl(out)
  return masked.length > maxShow ? `${masked.slice(0, maxShow)}…` : masked
}

const render = (u: unknown): string => {
  switch (typeof u) {
    case "string":
      return JSON.stringify(u)
    case "symbol":
      return u.toString()
    case "bigint":
      return `${u}n`
    case "function":
      return `<function ${u.name || "anonymous"}>`
    case "object":
      if (u === null) return "null"
      if (u instanceof Error) {
        const code = prop(u, "code")
        return `${u.name}: ${u.message}${typeof code === "string" ? ` [${code}]` : ""}`
      }
      return JSON.stringify(u, circularReplacer()) ?? Object.prototype.toString.call(u)
    default:
      return String(u)
  }
}

const circularReplacer = () => {
  const seen = new WeakSet<object>()
  return (_key: string, value: unknown): unknown => {
    if (typeof value === "bigint") return `${value}n`
    if (typeof value === "symbol") return value.toString()
    if (typeof value === "function") return `<function ${value.name || "anonymous"}>`
    if (Predicate.isObject(value)) {
      if (seen.has(value)) return "[Circular]"
      seen.add(value)
    }
    return value
  }
}

/** Raw reason keys are normalised: lower case, `-` as `_`. */
export const normalize = (key: string): string => key.toLowerCase().replace(/-/g, "_")

/** The raw-reason entry of a string or of an error's Node `code`, if the tables know it. */
export const rawEntry = (error: unknown): tables.RawEntry | undefined => {
  const key = typeof error === "string" ? error : codeOf(error)
  if (key === undefined) return undefined
  const found = tables.raw[normalize(key)]
  if (found !== undefined) return found
  const tls = tables.tls[key.toUpperCase()]
  if (tls !== undefined) return { ...tls("the server"), recoverable: false }
  if (key.toUpperCase().startsWith("WS_ERR_")) return tables.raw.invalid_frame
  return undefined
}
