/**
 * Bybit v5: `op: subscribe` with topic `args`, one ack for the whole request (`success`, `ret_msg`, `req_id`), pushes
 * `{ topic, type, data }`.
 */
import { classifier, finish, patterns, record, refusal, text } from "./common.js"
import { bybitTransient } from "./tables.js"
import type * as Dialect from "./types.js"

/** @internal */
export const make = (options?: Dialect.CommonOptions): Dialect.Dialect =>
  finish({
    name: "bybit",
    // spot: at most 10 args per request; public connections: at most 21 000 characters of args
    limits: { maxChannelsPerRequest: 10, maxFrameBytes: 21_000, pacing: undefined },
    subscribe: (channels, { ref }) => ({ req_id: String(ref), op: "subscribe", args: channels }),
    unsubscribe: (channels, { ref }) => ({ req_id: String(ref), op: "unsubscribe", args: channels }),
    ack: (message) => {
      const json = record(message)
      if (json === undefined || typeof json.success !== "boolean") return undefined
      if (json.op !== "subscribe" && json.op !== "unsubscribe") return undefined
      const ref = text(json.req_id) || undefined
      return json.success
        ? { ref, accepted: "all", final: true }
        : { ref, error: refusal(0, json.ret_msg, json, "bybit") }
    },
    channelOf: (message) => {
      const json = record(message)
      return json !== undefined && typeof json.topic === "string" && "data" in json ? json.topic : undefined
    },
    retryable: classifier(patterns(bybitTransient))
  }, options)
