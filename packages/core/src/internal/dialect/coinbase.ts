/**
 * Coinbase Advanced Trade: `type: subscribe` with `channel` + `product_ids` (one channel per message), acked by a
 * `subscriptions` message listing everything subscribed (no id: answers come in order), `type: error` refusals.
 */
import * as Predicate from "effect/Predicate"
import { classifier, finish, joinName, keysOf, patterns, record, refusal, splitName, text } from "./common.js"
import { coinbaseTransient } from "./tables.js"
import type * as Dialect from "./types.js"

/** Where a push's product is: on each event, in the entries of each event, or nowhere (a channel of its own). */
type ProductAt = "event" | "entries" | "none"

/** Push channel → the channel subscribed to, and where its product id is. */
const pushes: Readonly<Record<string, readonly [kind: string, at: ProductAt]>> = {
  l2_data: ["level2", "event"],
  ticker: ["ticker", "entries"],
  ticker_batch: ["ticker_batch", "entries"],
  market_trades: ["market_trades", "entries"],
  candles: ["candles", "entries"],
  status: ["status", "none"],
  heartbeats: ["heartbeats", "none"],
  user: ["user", "none"],
  futures_balance_summary: ["futures_balance_summary", "none"]
}

const productOf = (event: unknown, at: ProductAt): string | undefined => {
  if (!Predicate.isRecord(event) || at === "none") return undefined
  if (at === "event") return text(event.product_id)
  for (const value of Object.values(event)) {
    if (Array.isArray(value) && Predicate.isRecord(value[0])) {
      const product = text(value[0].product_id)
      if (product !== undefined) return product
    }
  }
  return undefined
}

/** Everything a `subscriptions` message lists, as channel names (every kind also by its bare name). */
const holdingOf = (events: unknown): Array<string> => {
  const holding: Array<string> = []
  for (const event of Array.isArray(events) ? events : []) {
    const subscriptions = Predicate.isRecord(event) ? event.subscriptions : undefined
    if (!Predicate.isRecord(subscriptions)) continue
    for (const [kind, products] of Object.entries(subscriptions)) {
      holding.push(kind)
      if (Array.isArray(products)) {
        for (const p of products) if (typeof p === "string") holding.push(joinName(kind, p))
      }
    }
  }
  return holding
}

const frame = (type: string, channels: ReadonlyArray<string>, jwt: (() => string) | undefined) => {
  const products = keysOf(channels)
  return {
    type,
    ...(products.length > 0 ? { product_ids: products } : {}),
    channel: splitName(channels[0] ?? "")[0],
    ...(jwt === undefined ? {} : { jwt: jwt() })
  }
}

/** @internal */
export const make = (options?: Dialect.CoinbaseOptions): Dialect.Dialect =>
  finish({
    name: "coinbase",
    // one channel per message (a group); 8 messages per second per IP unauthenticated; no documented frame limit
    limits: { maxChannelsPerRequest: Infinity, maxFrameBytes: 64 * 1024, pacing: { burst: 8, perSecond: 8 } },
    groupOf: (channel) => splitName(channel)[0],
    subscribe: (channels) => frame("subscribe", channels, options?.jwt),
    unsubscribe: (channels) => frame("unsubscribe", channels, options?.jwt),
    ack: (message) => {
      const json = record(message)
      if (json === undefined) return undefined
      if (json.channel === "subscriptions") return { ref: undefined, holding: holdingOf(json.events) }
      if (json.type === "error") return { ref: undefined, error: refusal(0, json.message, json, "coinbase") }
      return undefined
    },
    channelOf: (message) => {
      const json = record(message)
      const push = json !== undefined && typeof json.channel === "string" ? pushes[json.channel] : undefined
      if (push === undefined || !Array.isArray(json!.events)) return undefined
      return joinName(push[0], productOf(json!.events[0], push[1]))
    },
    retryable: classifier(patterns(coinbaseTransient))
  }, options)
