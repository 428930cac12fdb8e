import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type { FeedErrorReason } from "../FeedError.js"
import { FeedError, FeedRpcError } from "../FeedError.js"

/** The core errors a client operation fails with, by `_tag`, and the `FeedError` reason each becomes. */
const coreReasons: Readonly<Record<string, FeedErrorReason>> = {
  NotConnected: "NotConnected",
  Disconnected: "Disconnected",
  RequestTimeout: "RequestTimeout",
  SendError: "SendFailed",
  OfflineQueueFull: "OfflineQueueFull",
  RateLimited: "RateLimited",
  DuplicateRequestId: "DuplicateRequestId",
  InvalidOptions: "InvalidOptions"
}

const messageOf = (error: unknown): string =>
  Predicate.hasProperty(error, "message") && typeof error.message === "string" && error.message.length > 0
    ? error.message
    : String(error)

/**
 * A core client error as it crosses the wire: the server's JSON-RPC errors keep their code and data, the others become
 * a `FeedError` with the same name as its reason.
 *
 * @internal
 */
export const fromCore = (feed: string) => (error: unknown): FeedError | FeedRpcError => {
  if (Predicate.isTagged(error, "RpcError")) {
    const rpc = error as unknown as { readonly code: number; readonly message: string; readonly data?: unknown }
    return new FeedRpcError({ feed, code: rpc.code, message: rpc.message, data: rpc.data })
  }
  return toFeedError(feed)(error)
}

/**
 * A core client error that is not the server's answer, as a `FeedError` with the same name as its reason.
 *
 * @internal
 */
export const toFeedError = (feed: string) => (error: unknown): FeedError => {
  const tag = Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" ? error._tag : undefined
  return new FeedError({
    feed,
    reason: (tag !== undefined && coreReasons[tag]) || "Unavailable",
    message: messageOf(error),
    cause: error
  })
}

/** @internal */
export const feedError = (feed: string, reason: FeedErrorReason, message: string, cause?: unknown): FeedError =>
  new FeedError(cause === undefined ? { feed, reason, message } : { feed, reason, message, cause })

/**
 * What the caller sees of a call to the connection entity: its typed errors as they are; the cluster's own failures
 * (mailbox full, storage, transport defects) as `Unavailable`; an answer that is an interruption (the owner stopped
 * while handling it) as `FailedOver`.
 *
 * @internal
 */
export const delivered =
  (feed: string) =>
  <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, FeedError | Extract<E, FeedError | FeedRpcError>> =>
    Effect.catchAllCause(effect, (cause): Effect.Effect<never, FeedError | Extract<E, FeedError | FeedRpcError>> => {
      if (Cause.isInterruptedOnly(cause)) {
        return Effect.fail(feedError(
          feed,
          "FailedOver",
          `the runner that owned "${feed}" stopped before answering; the message may or may not have reached the server and was not sent again`
        ))
      }
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") {
        const error = failure.value
        if (error instanceof FeedError || error instanceof FeedRpcError) {
          return Effect.fail(error as Extract<E, FeedError | FeedRpcError>)
        }
        return Effect.fail(
          feedError(feed, "Unavailable", `the cluster could not deliver to "${feed}": ${messageOf(error)}`, error)
        )
      }
      const defect = Cause.squash(cause)
      return Effect.fail(
        feedError(feed, "Unavailable", `the cluster could not deliver to "${feed}": ${messageOf(defect)}`, defect)
      )
    })
