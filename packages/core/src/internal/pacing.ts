/**
 * A dialect's pacing of subscribe/unsubscribe requests: a token bucket of `burst` requests refilled at `perSecond`,
 * on the client's `Clock` (so tests drive it with `TestClock`). A request reserves its token at once, possibly going
 * into debt, and sleeps until the debt is paid: concurrent requests queue up in the order they asked.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Dialect from "./dialect/types.js"

/** @internal */
export class Pacer {
  private tokens: number
  private at: number | undefined = undefined

  constructor(private readonly pacing: Dialect.Pacing) {
    this.tokens = pacing.burst
  }

  /** Waits for one request's turn. */
  get take(): Effect.Effect<void> {
    return Effect.flatMap(Clock.currentTimeMillis, (now) => this.turn(now))
  }

  private turn(now: number): Effect.Effect<void> {
    const { burst, perSecond } = this.pacing
    if (this.at !== undefined) this.tokens = Math.min(burst, this.tokens + ((now - this.at) / 1000) * perSecond)
    this.at = now
    this.tokens -= 1
    return this.tokens >= 0 ? Effect.void : Effect.sleep(Math.ceil((-this.tokens / perSecond) * 1000))
  }
}
