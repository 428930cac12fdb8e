/**
 * Deribit for zen-websocket: the error-code table, typed channels and method results, a maintained order book, and a
 * simulator that enforces Deribit's rules.
 *
 * @since 0.1.0
 */

/**
 * A resilient Deribit session: auth, heartbeat, cancel-on-disconnect, paced resubscribe, typed requests and channels.
 *
 * @since 0.1.0
 */
export * as DeribitClient from "./DeribitClient.js"

/**
 * Deribit's RPC error codes as data and the `DeribitRpcError`.
 *
 * @since 0.1.0
 */
export * as DeribitError from "./DeribitError.js"

/**
 * Channel names and the Schemas of their notifications.
 *
 * @since 0.1.0
 */
export * as DeribitChannels from "./DeribitChannels.js"

/**
 * The common methods: params and result Schemas, credit classes, the response envelope.
 *
 * @since 0.1.0
 */
export * as DeribitMethods from "./DeribitMethods.js"

/**
 * A maintained order book checked along the change-id chain.
 *
 * @since 0.1.0
 */
export * as OrderBook from "./OrderBook.js"

/**
 * A Deribit JSON-RPC server on 127.0.0.1 that enforces Deribit's rules, for tests and demos.
 *
 * @since 0.1.0
 */
export * as DeribitSimulator from "./DeribitSimulator.js"

/**
 * The Deribit demo's program (`pnpm demo`).
 *
 * @since 0.1.0
 */
export * as DeribitDemo from "./DeribitDemo.js"
