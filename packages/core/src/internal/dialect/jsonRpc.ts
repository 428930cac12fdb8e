/**
 * The JSON-RPC dialect (Deribit style): `public/subscribe` with `params.channels`, results listing the channels.
 */
import * as Predicate from "effect/Predicate"
import * as JsonRpc from "../../JsonRpc.js"
import type { Message } from "../../Message.js"
import { classifier, codes, finish, refusal } from "./common.js"
import { jsonRpcTransient } from "./tables.js"
import type * as Dialect from "./types.js"

/** @internal */
export const retryable = classifier(codes(jsonRpcTransient))

/** A JSON-RPC response to one of our requests: its result or error, by id. */
export const response = (message: Message): JsonRpc.Incoming | undefined => {
  if (message._tag !== "Text" || !JsonRpc.mayBeResponse(message.data)) return undefined
  const incoming = JsonRpc.classify(message.json)
  return incoming._tag === "Result" || incoming._tag === "Error" ? incoming : undefined
}

/** An `RpcError` from a JSON-RPC error object. */
export const errorOf = (error: JsonRpc.ErrorObject, method: string) =>
  refusal(error.code, error.message, error.data, method)

/** @internal */
export const make = (options?: Dialect.JsonRpcOptions): Dialect.Dialect => {
  const subscribeMethod = options?.subscribeMethod ?? "public/subscribe"
  const unsubscribeMethod = options?.unsubscribeMethod ?? "public/unsubscribe"
  const notificationMethod = options?.notificationMethod ?? "subscription"
  return finish({
    name: "jsonRpc",
    limits: { maxChannelsPerRequest: Infinity, maxFrameBytes: 32 * 1024, pacing: { burst: 10, perSecond: 3.3 } },
    subscribe: (channels, { ref }) => JsonRpc.encodeRequest(ref, subscribeMethod, { channels }),
    unsubscribe: (channels, { ref }) => JsonRpc.encodeRequest(ref, unsubscribeMethod, { channels }),
    ack: (message) => {
      const incoming = response(message)
      if (incoming === undefined) return undefined
      if (incoming._tag === "Error") return { ref: incoming.id, error: errorOf(incoming.error, subscribeMethod) }
      if (incoming._tag !== "Result") return undefined
      const result = incoming.result
      // Deribit: "always diff requested vs returned channels"; a result that is no list confirms the whole request
      const accepted = Array.isArray(result) ? result.filter((c): c is string => typeof c === "string") : "all"
      return { ref: incoming.id, accepted, final: true }
    },
    channelOf: (message) => {
      if (message._tag !== "Text" || !message.data.includes(notificationMethod)) return undefined
      const json = message.json
      if (!Predicate.isRecord(json) || json.method !== notificationMethod) return undefined
      const params = json.params
      return Predicate.isRecord(params) && typeof params.channel === "string" ? params.channel : undefined
    },
    retryable
  }, options)
}

/** The default dialect: Deribit-style `public/subscribe`. */
export const defaultDialect: Dialect.Dialect = make()
