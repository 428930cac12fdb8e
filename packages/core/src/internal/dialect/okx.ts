/**
 * OKX v5: `op: subscribe` with `args: [{ channel, instId }]`, acks per arg (`event: subscribe`), `event: error` for the
 * request as a whole, pushes `{ arg, data }`.
 */
import * as Predicate from "effect/Predicate"
import { classifier, codes, finish, record, refusal, text } from "./common.js"
import { okxTransient } from "./tables.js"
import type * as Dialect from "./types.js"

/**
 * A channel name → its `arg`: `"tickers:BTC-USDT"` → `{ channel, instId }`, `"account"` → `{ channel }`,
 * `"orders?instType=SPOT"` → `{ channel, instType }`.
 */
export const argOf = (name: string): Record<string, string> => {
  const query = name.indexOf("?")
  if (query >= 0) {
    const arg: Record<string, string> = { channel: name.slice(0, query) }
    for (const [key, value] of new URLSearchParams(name.slice(query + 1))) arg[key] = value
    return arg
  }
  const at = name.indexOf(":")
  return at < 0 ? { channel: name } : { channel: name.slice(0, at), instId: name.slice(at + 1) }
}

/** An `arg` → its channel name (the inverse of `argOf`; other fields in alphabetical order; `uid` is not part of it). */
export const nameOf = (arg: Record<string, unknown>): string | undefined => {
  const channel = text(arg.channel)
  if (channel === undefined) return undefined
  const keys = Object.keys(arg).filter((k) => k !== "channel" && k !== "uid" && text(arg[k]) !== undefined).sort()
  if (keys.length === 0) return channel
  if (keys.length === 1 && keys[0] === "instId") return `${channel}:${text(arg.instId)}`
  return `${channel}?${new URLSearchParams(keys.map((k): [string, string] => [k, text(arg[k])!])).toString()}`
}

/** @internal */
export const make = (options?: Dialect.CommonOptions): Dialect.Dialect =>
  finish({
    name: "okx",
    // 64 KB for all args of one request; 480 subscribe/unsubscribe/login requests per hour per connection
    limits: {
      maxChannelsPerRequest: Infinity,
      maxFrameBytes: 64 * 1024,
      pacing: { burst: 480, perSecond: 480 / 3600 }
    },
    subscribe: (channels, { ref }) => ({ id: String(ref), op: "subscribe", args: channels.map(argOf) }),
    unsubscribe: (channels, { ref }) => ({ id: String(ref), op: "unsubscribe", args: channels.map(argOf) }),
    ack: (message) => {
      const json = record(message)
      if (json === undefined || typeof json.event !== "string") return undefined
      const ref = text(json.id) || undefined
      if (json.event === "error") return { ref, error: refusal(json.code, json.msg, json, "okx") }
      if (json.event !== "subscribe" && json.event !== "unsubscribe") return undefined
      const name = Predicate.isRecord(json.arg) ? nameOf(json.arg) : undefined
      return name === undefined ? undefined : { ref, accepted: [name] }
    },
    channelOf: (message) => {
      const json = record(message)
      return json !== undefined && Predicate.isRecord(json.arg) && "data" in json ? nameOf(json.arg) : undefined
    },
    retryable: classifier(codes(okxTransient))
  }, options)
