/**
 * Kraken v2: `method: subscribe` with `params.channel` + `params.symbol`, one ack per symbol (`result`, `success`,
 * `req_id`), pushes `{ channel, type, data: [{ symbol }] }`.
 */
import * as Predicate from "effect/Predicate"
import { classifier, finish, joinName, keysOf, patterns, record, refusal, splitName, text } from "./common.js"
import { krakenTransient } from "./tables.js"
import type * as Dialect from "./types.js"

const frame = (method: string, channels: ReadonlyArray<string>, ref: number, token: (() => string) | undefined) => {
  const symbols = keysOf(channels)
  return {
    method,
    params: {
      channel: splitName(channels[0] ?? "")[0],
      ...(symbols.length > 0 ? { symbol: symbols } : {}),
      ...(token === undefined ? {} : { token: token() })
    },
    req_id: ref
  }
}

/** @internal */
export const make = (options?: Dialect.KrakenOptions): Dialect.Dialect =>
  finish({
    name: "krakenV2",
    // no documented limit per request: our frame limit keeps requests moderate
    limits: { maxChannelsPerRequest: Infinity, maxFrameBytes: 64 * 1024, pacing: undefined },
    groupOf: (channel) => splitName(channel)[0],
    subscribe: (channels, { ref }) => frame("subscribe", channels, ref, options?.token),
    unsubscribe: (channels, { ref }) => frame("unsubscribe", channels, ref, options?.token),
    ack: (message, requested) => {
      const json = record(message)
      if (json === undefined || typeof json.success !== "boolean") return undefined
      if (json.method !== "subscribe" && json.method !== "unsubscribe") return undefined
      const ref = typeof json.req_id === "number" ? json.req_id : undefined
      if (json.success) {
        const result = Predicate.isRecord(json.result) ? json.result : {}
        const channel = text(result.channel)
        return channel === undefined ? { ref, accepted: "all", final: true } : {
          ref,
          accepted: [joinName(channel, text(result.symbol))]
        }
      }
      const error = refusal(0, json.error, json, "krakenV2")
      const symbol = text(json.symbol)
      const channels = symbol === undefined ? undefined : requested(ref)?.filter((c) => splitName(c)[1] === symbol)
      return channels === undefined || channels.length === 0
        ? { ref, error }
        : { ref, rejected: channels.map((channel) => ({ channel, error })) }
    },
    channelOf: (message) => {
      const json = record(message)
      if (json === undefined || typeof json.channel !== "string" || "method" in json) return undefined
      const first = Array.isArray(json.data) ? json.data[0] : undefined
      return joinName(json.channel, Predicate.isRecord(first) ? text(first.symbol) : undefined)
    },
    retryable: classifier(patterns(krakenTransient))
  }, options)
