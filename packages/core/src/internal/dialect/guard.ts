/**
 * The shape check of a dialect, for the options Schema: every function present, limits that can be met.
 */
import * as Predicate from "effect/Predicate"
import type * as Dialect from "./types.js"

const functions = ["subscribe", "unsubscribe", "ack", "channelOf", "retryable"] as const

const positive = (u: unknown): boolean => typeof u === "number" && u > 0 && !Number.isNaN(u)

const validPacing = (u: unknown): boolean =>
  u === undefined ||
  (Predicate.isRecord(u) && positive(u.burst) && positive(u.perSecond) && Number.isFinite(u.perSecond))

/** @internal */
export const isDialect = (u: unknown): u is Dialect.Dialect => {
  if (!Predicate.isRecord(u) || typeof u.name !== "string") return false
  if (!functions.every((key) => typeof u[key] === "function")) return false
  if (u.groupOf !== undefined && typeof u.groupOf !== "function") return false
  const limits = u.limits
  return Predicate.isRecord(limits) && positive(limits.maxChannelsPerRequest) && positive(limits.maxFrameBytes) &&
    validPacing(limits.pacing)
}
