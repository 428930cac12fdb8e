/**
 * The errors of the cluster's feed RPCs, and of the `FeedStore`. They are `Schema.TaggedError`s, so the runner that
 * owns a feed can fail a `Send` or a `Request` and the caller on another runner receives the same typed value.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * Why a message to a feed did not go through:
 *
 * - `UnknownFeed`: no feed by that name is configured on the runner that owns its shard;
 * - `NotConnected`, `Disconnected`, `RequestTimeout`, `SendFailed`, `OfflineQueueFull`, `RateLimited`,
 *   `DuplicateRequestId`, `InvalidOptions`: the owner's client failed the call (the core error of that name, see
 *   `WebSocketError`);
 * - `InvalidMessage`: the message could not be encoded (e.g. an object with a cycle), nothing was sent;
 * - `FailedOver`: the feed changed owner while the message was in flight (its runner died or stopped before
 *   answering). It may or may not have reached the server, and it was **not** sent again;
 * - `Timeout`: no answer within the caller's `timeout` (no runner held the feed, or the owner was too slow);
 * - `Unavailable`: the cluster could not deliver it (mailbox full, storage error, a transport defect: see `cause`).
 *
 * @since 0.1.0
 * @category models
 */
export const FeedErrorReason = Schema.Literal(
  "UnknownFeed",
  "NotConnected",
  "Disconnected",
  "RequestTimeout",
  "SendFailed",
  "OfflineQueueFull",
  "RateLimited",
  "DuplicateRequestId",
  "InvalidOptions",
  "InvalidMessage",
  "FailedOver",
  "Timeout",
  "Unavailable"
)

/**
 * @since 0.1.0
 * @category models
 */
export type FeedErrorReason = typeof FeedErrorReason.Type

/**
 * A message to a feed failed; `reason` says how (see `FeedErrorReason`), `cause` keeps what went wrong underneath.
 *
 * @example
 * ```ts
 * import { ClusterFeeds, FeedError } from "@zen-websocket/cluster"
 * import { Effect } from "effect"
 *
 * const placeOrder = ClusterFeeds.request("orders", { method: "private/buy", params: { amount: 10 } }).pipe(
 *   Effect.catchIf(FeedError.isFeedError, (error) =>
 *     error.reason === "FailedOver"
 *       ? Effect.logWarning(`order state unknown after failover, check before retrying: ${error.message}`)
 *       : Effect.fail(error))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FeedError extends Schema.TaggedError<FeedError>("@zen-websocket/cluster/FeedError")("FeedError", {
  feed: Schema.String,
  reason: FeedErrorReason,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * The server answered a `Request` (or a `Subscribe`) with a JSON-RPC error: `code`, `message` and `data` are the
 * server's.
 *
 * @since 0.1.0
 * @category errors
 */
export class FeedRpcError extends Schema.TaggedError<FeedRpcError>("@zen-websocket/cluster/FeedRpcError")(
  "FeedRpcError",
  {
    feed: Schema.String,
    code: Schema.Number,
    message: Schema.String,
    data: Schema.optional(Schema.Unknown)
  }
) {}

/**
 * A `FeedStore` operation failed; `cause` is the database's error.
 *
 * @since 0.1.0
 * @category errors
 */
export class FeedStoreError extends Schema.TaggedError<FeedStoreError>("@zen-websocket/cluster/FeedStoreError")(
  "FeedStoreError",
  {
    operation: Schema.Literal("claim", "release", "channels", "addChannels", "removeChannels"),
    feed: Schema.String,
    cause: Schema.optional(Schema.Defect)
  }
) {}

/**
 * @example
 * ```ts
 * import { ClusterFeeds, FeedError } from "@zen-websocket/cluster"
 * import { Effect } from "effect"
 *
 * const sent = ClusterFeeds.send("btc", "ping").pipe(
 *   Effect.catchIf(FeedError.isFeedError, (error) => Effect.logWarning(`${error.reason}: ${error.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isFeedError = (u: unknown): u is FeedError => Predicate.isTagged(u, "FeedError") && u instanceof FeedError

/**
 * @example
 * ```ts
 * import { ClusterFeeds, FeedError } from "@zen-websocket/cluster"
 * import { Effect } from "effect"
 *
 * const result = ClusterFeeds.request("btc", { method: "private/buy" }).pipe(
 *   Effect.catchIf(FeedError.isFeedRpcError, (error) => Effect.succeed({ rejected: error.code }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isFeedRpcError = (u: unknown): u is FeedRpcError =>
  Predicate.isTagged(u, "FeedRpcError") && u instanceof FeedRpcError
