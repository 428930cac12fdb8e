/**
 * zen-websocket on `@effect/cluster`: each feed connected exactly once across the cluster, reached from any runner.
 *
 * @since 0.1.0
 */

/**
 * Feeds as cluster singletons, routing from any runner, and the deployment layers.
 *
 * @since 0.1.0
 */
export * as ClusterFeeds from "./ClusterFeeds.js"

/**
 * A feed's definition and its validation.
 *
 * @since 0.1.0
 */
export * as Feed from "./Feed.js"

/**
 * The typed errors of the feed RPCs.
 *
 * @since 0.1.0
 */
export * as FeedError from "./FeedError.js"

/**
 * What the cluster remembers about each feed: its owner and its subscriptions.
 *
 * @since 0.1.0
 */
export * as FeedStore from "./FeedStore.js"

/**
 * The connection entity and its RPCs.
 *
 * @since 0.1.0
 */
export * as WebSocketConnection from "./WebSocketConnection.js"
