/**
 * Deribit's credit model: one leaky bucket per rate class, per account once authenticated (per connection before).
 * Refill is computed from the Clock when a call arrives, so `TestClock` drives it.
 *
 * @since 0.1.0
 * @internal
 */
import type * as DeribitMethods from "../../DeribitMethods.js"

/** @internal */
export interface Bucket {
  level: number
  at: number
}

/** @internal */
export const full = (budget: DeribitMethods.Budget, now: number): Bucket => ({ level: budget.capacity, at: now })

/** @internal */
export const level = (bucket: Bucket, budget: DeribitMethods.Budget, now: number): number =>
  Math.min(budget.capacity, bucket.level + Math.max(0, now - bucket.at) * budget.refillPerSecond / 1000)

/** Takes one call's credits; `false` (and nothing taken) when the bucket holds less than the cost. @internal */
export const take = (bucket: Bucket, budget: DeribitMethods.Budget, now: number): boolean => {
  const available = level(bucket, budget, now)
  bucket.at = now
  if (available < budget.cost) {
    bucket.level = available
    return false
  }
  bucket.level = available - budget.cost
  return true
}
