/**
 * The reconnect policy: the backoff schedule derived from the options and which connection ends are worth a retry.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type * as ClientOptions from "./ClientOptions.js"
import * as ErrorHandler from "./ErrorHandler.js"

/**
 * The backoff between attempts: `Schedule.exponential(retryDelay)` capped at `maxBackoff`, at most `retryCount`
 * retries. With `jitter`, each delay `d` is drawn uniformly from `[0.8 × d, min(1.2 × d, maxBackoff)]`: spread
 * (delays at the cap too, below it), never above `maxBackoff`. `reconnectSchedule` replaces it entirely.
 *
 * @example
 * ```ts
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 * import * as Reconnect from "@zen-websocket/core/Reconnect"
 *
 * const backoff = Reconnect.schedule(ClientOptions.defaults) // 1 s, 2 s, 4 s… capped at 30 s, jittered, 3 retries
 * ```
 *
 * @since 0.1.0
 * @category schedules
 */
export const schedule = (options: ClientOptions.Resolved): Schedule.Schedule<unknown, unknown> => {
  if (options.reconnectSchedule !== undefined) return options.reconnectSchedule
  return backoff(options).pipe(Schedule.intersect(Schedule.recurs(options.retryCount)))
}

/**
 * The delays alone, without a limit: `Schedule.exponential(retryDelay)` capped at `maxBackoff`, jittered within
 * `[0.8 × d, min(1.2 × d, maxBackoff)]` when `jitter` is on. `schedule` bounds it with `retryCount`; a
 * `ClientSupervisor` spaces its restarts with it.
 *
 * @example
 * ```ts
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 * import * as Reconnect from "@zen-websocket/core/Reconnect"
 *
 * const delays = Reconnect.backoff(ClientOptions.defaults) // 1 s, 2 s, 4 s… capped at 30 s, jittered, forever
 * ```
 *
 * @since 0.2.0
 * @category schedules
 */
export const backoff = (options: ClientOptions.Resolved): Schedule.Schedule<unknown, unknown> => {
  const capped = Schedule.exponential(Duration.millis(options.retryDelay)).pipe(
    Schedule.union(Schedule.spaced(Duration.millis(options.maxBackoff)))
  )
  return options.jitter ? jitterWithin(capped, options.maxBackoff) : capped
}

/** ±20 % on every delay, clamped at `maxMs` so that the cap holds (drawn from the `Random` service). */
const jitterWithin = <Out, In>(schedule: Schedule.Schedule<Out, In>, maxMs: number): Schedule.Schedule<Out, In> =>
  Schedule.modifyDelayEffect(schedule, (_, delay) => {
    const ms = Duration.toMillis(delay)
    return Effect.map(Random.nextRange(0.8 * ms, Math.min(1.2 * ms, maxMs)), Duration.millis)
  })

/**
 * Whether a connection end is worth another attempt: never when `reconnectOnError` is off, otherwise
 * `shouldReconnect` when given, else `ErrorHandler.isRecoverable`.
 *
 * @example
 * ```ts
 * import * as ClientOptions from "@zen-websocket/core/ClientOptions"
 * import * as Reconnect from "@zen-websocket/core/Reconnect"
 * import { Disconnected } from "@zen-websocket/core/WebSocketError"
 *
 * Reconnect.shouldReconnect(ClientOptions.defaults, new Disconnected({ code: 1006, reason: "" })) // true
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const shouldReconnect = (options: ClientOptions.Resolved, cause: unknown): boolean => {
  if (!options.reconnectOnError) return false
  return options.shouldReconnect !== undefined ? options.shouldReconnect(cause) : ErrorHandler.isRecoverable(cause)
}

/**
 * The delay a refused upgrade asks for: the `Retry-After` header (seconds, or an HTTP date) of an HTTP 429 or 503
 * `ConnectError`, in ms from `nowMs`; `undefined` for anything else. The connection loop waits that long before the
 * next attempt (at most `maxBackoff`) instead of its own backoff delay.
 *
 * @example
 * ```ts
 * import * as Reconnect from "@zen-websocket/core/Reconnect"
 * import { ConnectError } from "@zen-websocket/core/WebSocketError"
 *
 * const refused = new ConnectError({
 *   reason: "http", url: "wss://x.test/ws", status: 429,
 *   cause: { status: 429, statusText: "Too Many Requests", headers: { "retry-after": "3" } }
 * })
 * Reconnect.retryAfterMs(refused, Date.now()) // 3000
 * ```
 *
 * @since 0.2.0
 * @category schedules
 */
export const retryAfterMs = (end: unknown, nowMs: number): number | undefined => {
  if (!Predicate.isTagged(end, "ConnectError")) return undefined
  const { cause, status } = end as { readonly status?: unknown; readonly cause?: unknown }
  if (status !== 429 && status !== 503) return undefined
  const headers = Predicate.hasProperty(cause, "headers") ? cause.headers : undefined
  const value = Predicate.hasProperty(headers, "retry-after") ? headers["retry-after"] : undefined
  const text = Array.isArray(value) ? value[0] : value
  if (typeof text !== "string" && typeof text !== "number") return undefined
  const trimmed = String(text).trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}
