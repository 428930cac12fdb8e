/**
 * Venue cost presets as data: each preset lists the cost of a JSON-RPC method by exact name, by prefix, or by a
 * parameter's tier, and a fallback; `costOf` is the one lookup, `frameCost` sums it over the requests of a frame.
 * The numbers and their sources are documented on `RateLimiter.costs`.
 */
import * as Predicate from "effect/Predicate"

/** A tiered cost by a numeric parameter: the cost of the first tier whose bound the value does not exceed. */
export interface Tiers {
  readonly param: string
  /** the value when the parameter is absent */
  readonly absent: number
  readonly tiers: ReadonlyArray<readonly [upTo: number, cost: number]>
  readonly above: number
}

/** The cost of each method of a venue's API. */
export interface Preset {
  readonly exact: Readonly<Record<string, number>>
  /** checked in order, after `exact` */
  readonly prefixes: ReadonlyArray<readonly [prefix: string, cost: number]>
  readonly tiered: Readonly<Record<string, Tiers>>
  /** any other method */
  readonly fallback: number
}

/** Deribit's relative weights (the seed's): `public/*` 1, `private/get_*` 5, `private/set_*` 10, buy/sell 15. */
export const deribit: Preset = {
  exact: { "private/buy": 15, "private/sell": 15 },
  prefixes: [["public/", 1], ["private/get_", 5], ["private/set_", 10]],
  tiered: {},
  fallback: 5
}

/** Approximate request weights of the Binance Spot WebSocket API. */
export const binance: Preset = {
  exact: {
    "ping": 1,
    "time": 1,
    "exchangeInfo": 20,
    "trades.recent": 25,
    "trades.historical": 25,
    "trades.aggregate": 4,
    "klines": 2,
    "uiKlines": 2,
    "avgPrice": 2,
    "ticker.24hr": 2,
    "ticker.price": 2,
    "ticker.book": 2,
    "session.logon": 2,
    "order.place": 1,
    "order.test": 1,
    "order.cancel": 1,
    "order.cancelReplace": 1,
    "order.status": 4,
    "openOrders.status": 6,
    "openOrders.cancelAll": 1,
    "allOrders": 20,
    "myTrades": 20,
    "account.status": 20,
    "userDataStream.start": 2,
    "userDataStream.ping": 2,
    "userDataStream.stop": 2
  },
  prefixes: [],
  tiered: { depth: { param: "limit", absent: 100, tiers: [[100, 5], [500, 25], [1000, 50]], above: 250 } },
  fallback: 1
}

/** The cost of one request by `preset`. */
export const costOf = (preset: Preset, method: string, params: unknown): number => {
  const exact = preset.exact[method]
  if (exact !== undefined) return exact
  const tiered = preset.tiered[method]
  if (tiered !== undefined) {
    const value = Predicate.isObject(params) && typeof (params as any)[tiered.param] === "number"
      ? (params as any)[tiered.param] as number
      : tiered.absent
    for (const [upTo, cost] of tiered.tiers) if (value <= upTo) return cost
    return tiered.above
  }
  for (const [prefix, cost] of preset.prefixes) if (method.startsWith(prefix)) return cost
  return preset.fallback
}

/** the JSON-RPC `method`s of a text frame (several for a batch), or undefined when it has none */
const methodsOf = (frame: string | Uint8Array): ReadonlyArray<{ method: string; params: unknown }> | undefined => {
  if (typeof frame !== "string" || !frame.includes("\"method\"")) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(frame)
  } catch {
    return undefined
  }
  const items = Array.isArray(parsed) ? parsed : [parsed]
  const methods: Array<{ method: string; params: unknown }> = []
  for (const item of items) {
    if (Predicate.isObject(item) && typeof (item as any).method === "string") {
      methods.push({ method: (item as any).method, params: (item as any).params })
    }
  }
  return methods.length === 0 ? undefined : methods
}

/** The cost of a frame by `preset`: the sum over its requests (a batch), 1 for a frame without a `method`. */
export const frameCost = (preset: Preset) => (frame: string | Uint8Array): number => {
  const methods = methodsOf(frame)
  if (methods === undefined) return 1
  let total = 0
  for (const { method, params } of methods) total += costOf(preset, method, params)
  return total
}
