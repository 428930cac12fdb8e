/**
 * The connection entity: one `WebSocketConnection` per feed, addressed by the feed's name, living on the runner that
 * owns the feed (its shard is the feed singleton's shard). Its RPCs are how any runner reaches the connection:
 * `Send`, `Request`, `Subscribe`, `Unsubscribe` and `State`. Payloads, results and errors are `Schema`s, so they cross
 * the wire between runners.
 *
 * `ClusterFeeds.send` / `request` / `subscribe` / `unsubscribe` / `state` wrap these with a deadline and error
 * mapping; use the entity directly (`WebSocketConnection.client`) only to build something they do not cover.
 *
 * @since 0.1.0
 */
import * as Entity from "@effect/cluster/Entity"
import * as Rpc from "@effect/rpc/Rpc"
import * as Schema from "effect/Schema"
import { FeedError, FeedRpcError } from "./FeedError.js"

/**
 * An outbound frame: a string is sent as a text frame, bytes as a binary frame (objects are JSON-encoded by the caller,
 * as `Client.sendMessage` does).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Frame = Schema.Union(Schema.String, Schema.Uint8ArrayFromSelf)

/**
 * What the owner of a feed reports about it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FeedState = Schema.Struct({
  feed: Schema.String,
  /** the client's state on the owner; `"connecting"` until the connection is up and its subscriptions restored */
  state: Schema.Literal("connecting", "connected", "disconnected"),
  /** the owning runner (`host:port`) */
  runner: Schema.String,
  /** when this runner took the feed over (ms since the epoch) */
  since: Schema.Number,
  /** whether it was taken over from a runner that did not hand it over cleanly (died or lost its lease) */
  takeover: Schema.Boolean,
  /** the confirmed channels */
  subscriptions: Schema.Array(Schema.String),
  pendingRequests: Schema.Number,
  /** p99 round trip (ms) of requests and pings, once there are samples */
  p99Ms: Schema.optional(Schema.Number)
})

/**
 * @since 0.1.0
 * @category models
 */
export type FeedState = typeof FeedState.Type

/**
 * Sends one frame through the feed's connection.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const Send = Rpc.make("Send", {
  payload: { message: Frame, timeoutMs: Schema.Number },
  error: FeedError
})

/**
 * A JSON-RPC request through the feed's connection; succeeds with the server's `result`.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const Request = Rpc.make("Request", {
  payload: { method: Schema.String, params: Schema.optional(Schema.Unknown), timeoutMs: Schema.Number },
  success: Schema.Unknown,
  error: Schema.Union(FeedError, FeedRpcError)
})

/**
 * Subscribes the feed to channels; succeeds with the confirmed ones. They are stored (`FeedStore`), so the next owner
 * subscribes them again after a failover.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const Subscribe = Rpc.make("Subscribe", {
  payload: { channels: Schema.Array(Schema.String), timeoutMs: Schema.Number },
  success: Schema.Array(Schema.String),
  error: Schema.Union(FeedError, FeedRpcError)
})

/**
 * Unsubscribes the feed from channels and forgets them in the `FeedStore`.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const Unsubscribe = Rpc.make("Unsubscribe", {
  payload: { channels: Schema.Array(Schema.String), timeoutMs: Schema.Number },
  error: Schema.Union(FeedError, FeedRpcError)
})

/**
 * The feed's state on its owner.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const State = Rpc.make("State", {
  success: FeedState,
  error: FeedError
})

/**
 * The entity, one per feed, addressed by the feed's name.
 *
 * @example
 * ```ts
 * import { WebSocketConnection } from "@zen-websocket/cluster"
 * import { Effect } from "effect"
 *
 * // from any runner: ask the owner of "btc-ticker" for its state
 * const state = Effect.gen(function*() {
 *   const connections = yield* WebSocketConnection.WebSocketConnection.client
 *   return yield* connections("btc-ticker").State()
 * })
 * ```
 *
 * @since 0.1.0
 * @category entities
 */
export const WebSocketConnection = Entity.make("WebSocketConnection", [Send, Request, Subscribe, Unsubscribe, State])
