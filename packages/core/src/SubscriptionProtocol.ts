/**
 * Subscription dialects: how subscribe/unsubscribe requests are built, how confirmations are read and which channel a
 * notification belongs to.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import type * as JsonRpc from "./JsonRpc.js"
import type { Message } from "./Message.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface SubscriptionProtocol {
  /** the request that subscribes to `channels` */
  readonly subscribe: (channels: ReadonlyArray<string>) => JsonRpc.Request
  /** the request that unsubscribes from `channels` */
  readonly unsubscribe: (channels: ReadonlyArray<string>) => JsonRpc.Request
  /** the channels a successful response confirms (only these are tracked and restored) */
  readonly confirmed: (result: unknown, requested: ReadonlyArray<string>) => ReadonlyArray<string>
  /** the channel a notification belongs to, or undefined when the frame is no notification */
  readonly channelOf: (message: Message) => string | undefined
}

/**
 * JSON-RPC subscriptions in the Deribit style: `{ method: "public/subscribe", params: { channels } }`, confirmed by a
 * result listing the channels, notifications `{ method: "subscription", params: { channel, data } }`.
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
export const jsonRpc = (options?: {
  readonly subscribeMethod?: string | undefined
  readonly unsubscribeMethod?: string | undefined
  readonly notificationMethod?: string | undefined
}): SubscriptionProtocol => {
  const subscribeMethod = options?.subscribeMethod ?? "public/subscribe"
  const unsubscribeMethod = options?.unsubscribeMethod ?? "public/unsubscribe"
  const notificationMethod = options?.notificationMethod ?? "subscription"
  return {
    subscribe: (channels) => ({ method: subscribeMethod, params: { channels } }),
    unsubscribe: (channels) => ({ method: unsubscribeMethod, params: { channels } }),
    confirmed: (result, requested) =>
      Array.isArray(result) ? result.filter((c): c is string => typeof c === "string") : requested,
    channelOf: (message) => {
      if (message._tag !== "Text" || !message.data.includes(notificationMethod)) return undefined
      const json = message.json
      if (!Predicate.isRecord(json) || json.method !== notificationMethod) return undefined
      const params = json.params
      return Predicate.isRecord(params) && typeof params.channel === "string" ? params.channel : undefined
    }
  }
}

/**
 * The default protocol: Deribit-style JSON-RPC `public/subscribe`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultProtocol: SubscriptionProtocol = jsonRpc()
