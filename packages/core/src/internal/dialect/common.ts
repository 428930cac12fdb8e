/**
 * What the built-in dialects share: safe calls into a dialect, JSON access, errors, classifiers from code tables and
 * the `<kind>:<key>` channel names.
 */
import * as Predicate from "effect/Predicate"
import type { Message } from "../../Message.js"
import { RpcError } from "../../WebSocketError.js"
import { recoverableAt } from "../recoverable.js"
import type * as Dialect from "./types.js"

/** The JSON object of a text frame, or undefined. */
export const record = (message: Message): Record<string, unknown> | undefined => {
  if (message._tag !== "Text") return undefined
  const json = message.json
  return Predicate.isRecord(json) ? json : undefined
}

/** A field as a string (numbers too: venues echo ids both ways), or undefined. */
export const text = (u: unknown): string | undefined =>
  typeof u === "string" ? u : typeof u === "number" && Number.isFinite(u) ? String(u) : undefined

/** A venue's refusal as an `RpcError` (codes that are numeric strings become numbers; none: 0). */
export const refusal = (code: unknown, message: unknown, data?: unknown, method?: string): RpcError => {
  const numeric = typeof code === "number" ? code : typeof code === "string" && code !== "" ? Number(code) : 0
  return new RpcError({
    code: Number.isFinite(numeric) ? numeric : 0,
    message: typeof message === "string" && message !== "" ? message : "refused by the server",
    data,
    ...(method === undefined ? {} : { method })
  })
}

/**
 * A classifier: an `RpcError` is transient when `transient(error)` says so; any other error is judged by
 * `ErrorHandler.isRecoverable` (timeouts, lost links and refused connections are transient; HTTP 401/403, invalid
 * options and unknown errors are not).
 */
export const classifier = (transient: (error: RpcError) => boolean) => (error: unknown): boolean => {
  if (Predicate.isTagged(error, "RpcError")) return transient(error as RpcError)
  try {
    return recoverableAt(error, 0)
  } catch {
    return false
  }
}

/** A transient test from a set of codes. */
export const codes = (set: ReadonlySet<number>) => (error: RpcError): boolean => set.has(error.code)

/** A transient test from message patterns (venues whose errors carry only text). */
export const patterns = (list: ReadonlyArray<RegExp>) => (error: RpcError): boolean =>
  list.some((pattern) => pattern.test(error.message))

/** `"<kind>:<key>"` → [kind, key]; a name without `:` has no key. */
export const splitName = (name: string): readonly [kind: string, key: string | undefined] => {
  const at = name.indexOf(":")
  return at < 0 ? [name, undefined] : [name.slice(0, at), name.slice(at + 1)]
}

/** [kind, key] → `"<kind>:<key>"` (or the kind alone). */
export const joinName = (kind: string, key: string | undefined): string => key === undefined ? kind : `${kind}:${key}`

/** The keys of a batch of channels of one kind, in order (channels without a key add none). */
export const keysOf = (channels: ReadonlyArray<string>): Array<string> => {
  const keys: Array<string> = []
  for (const channel of channels) {
    const key = splitName(channel)[1]
    if (key !== undefined) keys.push(key)
  }
  return keys
}

/** Applies the common options: other limits, another classifier. */
export const finish = (dialect: Dialect.Dialect, options: Dialect.CommonOptions | undefined): Dialect.Dialect => {
  const limited = options?.limits === undefined ? dialect : withLimits(dialect, options.limits)
  return options?.retryable === undefined ? limited : { ...limited, retryable: options.retryable }
}

export const withLimits = (dialect: Dialect.Dialect, limits: Partial<Dialect.Limits>): Dialect.Dialect => ({
  ...dialect,
  limits: { ...dialect.limits, ...limits }
})

/** A dialect's route of a frame; a dialect that throws routes nothing. */
export const safeRoute = (dialect: Dialect.Dialect, message: Message): Dialect.Route | undefined => {
  try {
    return dialect.channelOf(message)
  } catch {
    return undefined
  }
}

/** A dialect's reading of a frame as an ack; a dialect that throws reads none. */
export const safeAck = (
  dialect: Dialect.Dialect,
  message: Message,
  requested: Dialect.Requested
): Dialect.Ack | undefined => {
  try {
    return dialect.ack(message, requested)
  } catch {
    return undefined
  }
}
