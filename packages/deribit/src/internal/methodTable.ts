/**
 * Which credit budget a method draws on, and the default budgets (Deribit's published credit model).
 *
 * @since 0.1.0
 * @internal
 */

/** @internal */
export type RateClass = "nonMatching" | "matching" | "subscribe"

/** @internal */
export interface Budget {
  /** credits one call costs */
  readonly cost: number
  /** the most credits the bucket holds (the burst) */
  readonly capacity: number
  /** credits added back per second */
  readonly refillPerSecond: number
}

/**
 * Non-matching-engine: 500 per call, 50 000 pool, 10 000/s (~20 calls/s, burst 100). Subscribe: 3 000 per call, 30 000
 * pool, 10 000/s (~3.3 calls/s, burst 10). Matching engine: tiered by volume; the default is the lowest tier
 * (5 calls/s, burst 20), expressed in the same credit units.
 *
 * @internal
 */
export const defaultBudgets: { readonly [K in RateClass]: Budget } = {
  nonMatching: { cost: 500, capacity: 50_000, refillPerSecond: 10_000 },
  subscribe: { cost: 3_000, capacity: 30_000, refillPerSecond: 10_000 },
  matching: { cost: 500, capacity: 10_000, refillPerSecond: 2_500 }
}

const matchingEngine: ReadonlySet<string> = new Set([
  "private/buy",
  "private/sell",
  "private/edit",
  "private/edit_by_label",
  "private/cancel",
  "private/cancel_all",
  "private/cancel_all_by_currency",
  "private/cancel_all_by_currency_pair",
  "private/cancel_all_by_instrument",
  "private/cancel_all_by_kind_or_type",
  "private/cancel_by_label",
  "private/cancel_quotes",
  "private/close_position",
  "private/mass_quote",
  "private/verify_block_trade",
  "private/execute_block_trade",
  "private/move_positions"
])

const subscribe: ReadonlySet<string> = new Set([
  "public/subscribe",
  "private/subscribe",
  "public/unsubscribe",
  "private/unsubscribe",
  "public/unsubscribe_all",
  "private/unsubscribe_all"
])

/** @internal */
export const rateClass = (method: string): RateClass =>
  matchingEngine.has(method) ? "matching" : subscribe.has(method) ? "subscribe" : "nonMatching"

/** @internal */
export const isPrivateMethod = (method: string): boolean => method.startsWith("private/")
