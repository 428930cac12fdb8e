/**
 * The lines a client logs by default, `debug` or not, so that a client that cannot connect (`retryCount: Infinity`)
 * is never silent: each reconnect wait and each reconnect at Info, a give-up and a supervisor's restart limit at
 * Warning (a supervisor's restarts at Info). Each is annotated with `client_id` (`Effect.annotateLogs`, not in the
 * text); what a line says of an error is `ErrorHandler.explain`'s message (URLs masked) through the debug logs'
 * redaction, never a frame. Quiet them with a log level: `Logger.withMinimumLogLevel(LogLevel.Warning)` (or `Error`).
 */
import * as Effect from "effect/Effect"
import * as LogLevel from "effect/LogLevel"
import { explainAt } from "./explain.js"
import { forLog } from "./redact.js"

/** @internal */
export const log = (clientId: string, level: LogLevel.LogLevel, message: string): Effect.Effect<void> =>
  Effect.annotateLogs(Effect.logWithLevel(level, message), "client_id", clientId)

/** What a line says of why: the explanation's message (the error's tag when there is none), masked. */
const why = (error: unknown): string => {
  const explained = explainAt(error, 0)
  return forLog(
    explained?.message ?? (typeof error === "object" && error !== null && "_tag" in error ? error._tag : "unknown")
  )
}

/** @internal */
export const reconnecting = (clientId: string, attempt: number, delayMs: number, after: unknown) =>
  log(clientId, LogLevel.Info, `reconnecting in ${Math.round(delayMs)} ms (attempt ${attempt}) after: ${why(after)}`)

/** @internal */
export const reconnected = (clientId: string, connectTimeMs: number) =>
  log(clientId, LogLevel.Info, `reconnected (upgrade took ${connectTimeMs} ms)`)

/** @internal */
export const gaveUp = (clientId: string, attempts: number, after: unknown) =>
  log(
    clientId,
    LogLevel.Warning,
    // 0 attempts: a live link ended in a way that is not retried (e.g. a close code the dialect calls fatal)
    `${attempts === 0 ? "gave up without retrying" : `gave up after ${attempts} attempt(s)`}: ${why(after)}`
  )

/** @internal */
export const restarting = (clientId: string, restarts: number, delayMs: number) =>
  log(clientId, LogLevel.Info, `supervisor: restarting in ${Math.round(delayMs)} ms (restart ${restarts})`)

/** @internal */
export const restartLimit = (clientId: string, restarts: number, withinMs: number) =>
  log(
    clientId,
    LogLevel.Warning,
    `supervisor: restart limit reached (${restarts} restarts within ${withinMs} ms): staying down`
  )
