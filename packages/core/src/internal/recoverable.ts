/**
 * The retry verdict of `ErrorHandler.isRecoverable`: transient trouble (`true`) versus a failure that repeats until
 * someone changes the code, the configuration or the server (`false`). The rules are listed on the `ErrorHandler`
 * page; raw reasons read their verdict from `errorTables.ts`.
 */
import * as Cause from "effect/Cause"
import type { ConnectError } from "../WebSocketError.js"
import { isWebSocketError } from "../WebSocketError.js"
import { causeError, maxDepth, rawEntry } from "./errorDetails.js"
import * as tables from "./errorTables.js"

export const recoverableAt = (error: unknown, depth: number): boolean => {
  if (depth > maxDepth) return false
  if (Cause.isCause(error)) return recoverableAt(causeError(error), depth + 1)
  if (isWebSocketError(error)) {
    switch (error._tag) {
      case "ConnectError":
        return connectRecoverable(error)
      case "Disconnected":
        return !tables.fatalCloseCodes.has(error.code)
      case "NotConnected":
      case "RequestTimeout":
      case "RateLimited":
      case "OfflineQueueFull":
      case "NoConnections":
        return true
      case "SendError":
        return error.reason === "socket"
      case "RpcError":
      case "DuplicateRequestId":
      case "InvalidOptions":
        return false
    }
  }
  return rawEntry(error)?.recoverable ?? false
}

const connectRecoverable = (error: ConnectError): boolean => {
  switch (error.reason) {
    case "timeout":
    case "refused":
    case "dns":
    case "network":
      return true
    case "restore":
      // the classifier of the client's dialect (or its `retryable` option) judged the cause when it failed
      return error.retryable ?? recoverableAt(error.cause, 1)
    case "http":
      return error.status !== undefined && (error.status === 408 || error.status === 429 || error.status >= 500)
    default:
      return false
  }
}
