/**
 * The name this library used for subscription dialects before `Dialect`: the same type and constructors, kept so
 * existing code keeps compiling. New code imports `Dialect`.
 *
 * @since 0.1.0
 */
import * as Dialect from "./Dialect.js"

/**
 * A subscription dialect (the same type as `Dialect.Dialect`).
 *
 * @since 0.1.0
 * @category models
 */
export type SubscriptionProtocol = Dialect.Dialect

/**
 * JSON-RPC subscriptions in the Deribit style (`Dialect.jsonRpc`).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as SubscriptionProtocol from "@zen-websocket/core/SubscriptionProtocol"
 *
 * const protocol = SubscriptionProtocol.jsonRpc({ subscribeMethod: "private/subscribe" })
 * const program = Effect.scoped(Client.connect("wss://feed.example/ws", { subscriptionProtocol: protocol }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const jsonRpc: (options?: Dialect.JsonRpcOptions) => SubscriptionProtocol = Dialect.jsonRpc

/**
 * The default protocol: Deribit-style JSON-RPC `public/subscribe` (`Dialect.defaultDialect`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultProtocol: SubscriptionProtocol = Dialect.defaultDialect
