/**
 * The reconnect policy: the backoff schedule derived from the options and which connection ends are worth a retry.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import type * as ClientOptions from "./ClientOptions.js"
import * as ErrorHandler from "./ErrorHandler.js"

/**
 * The backoff between attempts: `Schedule.exponential(retryDelay)` capped at `maxBackoff`, jittered after the cap
 * (so delays at the cap stay spread), at most `retryCount` retries. `reconnectSchedule` replaces it entirely.
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
  const capped = Schedule.exponential(Duration.millis(options.retryDelay)).pipe(
    Schedule.union(Schedule.spaced(Duration.millis(options.maxBackoff)))
  )
  const spread = options.jitter ? Schedule.jittered(capped) : capped
  return spread.pipe(Schedule.intersect(Schedule.recurs(options.retryCount)))
}

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
