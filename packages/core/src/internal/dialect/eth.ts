/**
 * Ethereum JSON-RPC subscriptions: `eth_subscribe` answered with a server-assigned id, `eth_subscription`
 * notifications carrying it, `eth_unsubscribe` with it. The client maps the user's channel name to the current id.
 */
import * as Predicate from "effect/Predicate"
import * as JsonRpc from "../../JsonRpc.js"
import { classifier, codes, finish, splitName } from "./common.js"
import { errorOf, response } from "./jsonRpc.js"
import { ethTransient } from "./tables.js"
import type * as Dialect from "./types.js"

/** `"newHeads"` → `["newHeads"]`; `"logs:{…}"` → `["logs", {…}]` (the filter is JSON). */
const paramsOf = (name: string): Array<unknown> => {
  const [kind, filter] = splitName(name)
  return filter === undefined ? [kind] : [kind, JSON.parse(filter)]
}

/** @internal */
export const make = (options?: Dialect.CommonOptions): Dialect.Dialect =>
  finish({
    name: "ethSubscribe",
    // one subscription per request; geth reads frames up to 32 MiB
    limits: { maxChannelsPerRequest: 1, maxFrameBytes: 32 * 1024 * 1024, pacing: undefined },
    subscribe: (channels, { ref }) => JsonRpc.encodeRequest(ref, "eth_subscribe", paramsOf(channels[0] ?? "")),
    unsubscribe: (channels, { ref, serverId }) =>
      JsonRpc.encodeRequest(ref, "eth_unsubscribe", channels.map((c) => serverId(c) ?? c)),
    ack: (message) => {
      const incoming = response(message)
      if (incoming === undefined) return undefined
      if (incoming._tag === "Error") return { ref: incoming.id, error: errorOf(incoming.error, "eth_subscribe") }
      if (incoming._tag !== "Result") return undefined
      return typeof incoming.result === "string"
        ? { ref: incoming.id, accepted: "all", final: true, serverId: incoming.result }
        : { ref: incoming.id, accepted: "all", final: true }
    },
    channelOf: (message) => {
      if (message._tag !== "Text" || !message.data.includes("eth_subscription")) return undefined
      const json = message.json
      if (!Predicate.isRecord(json) || json.method !== "eth_subscription" || !Predicate.isRecord(json.params)) {
        return undefined
      }
      const id = json.params.subscription
      return typeof id === "string" ? { serverId: id } : undefined
    },
    retryable: classifier(codes(ethTransient))
  }, options)
