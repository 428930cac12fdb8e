/**
 * One Deribit session's state, shared by its connections: the token of the current connection (never carried over to
 * the next one), the credit limiters by method class, the pause after a 10028, the latency split, the books waiting
 * for their snapshot, and the shared channel subscriptions.
 *
 * @since 0.1.0
 * @internal
 */
import type { Client, RateLimiter, WebSocketError } from "@zen-websocket/core"
import { LatencyStats } from "@zen-websocket/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as RcMap from "effect/RcMap"
import type * as Redacted from "effect/Redacted"
import type * as methodTable from "../methodTable.js"
import type { Resolved } from "./options.js"

/** @internal */
export interface Token {
  /** the connection it belongs to (`SessionState.generation` when it was granted) */
  readonly generation: number
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string>
  readonly expiresInMs: number
  /** Clock ms */
  readonly grantedAt: number
  readonly scope: string
}

/** A book channel the session maintains: the connection whose snapshot it last applied, and who waits for one. */
interface BookSync {
  /** the streams maintaining it */
  holders: number
  syncedGeneration: number
  readonly waiters: Set<() => void>
}

/** @internal */
export type ChannelError = Client.RequestError | WebSocketError.InvalidOptions

/** @internal */
export class SessionState {
  /** set once the first connection is up (its hooks run before) */
  client: Client.Client | undefined = undefined
  /** the current connection, counted from 1 */
  generation = 0
  token: Token | undefined = undefined
  /** Clock ms until which requests (and the next connection's auth) wait, after a 10028 */
  pausedUntil = 0
  /** consecutive 10028 answers (the pause doubles with each) */
  tooManyRequests = 0
  closing = false
  readonly reauthLock = Effect.unsafeMakeSemaphore(1)
  readonly network: LatencyStats.LatencyStats
  readonly server: LatencyStats.LatencyStats
  readonly books = new Map<string, BookSync>()
  channels: RcMap.RcMap<string, void, ChannelError> | undefined = undefined

  constructor(
    readonly options: Resolved,
    readonly limiters: { readonly [K in methodTable.RateClass]: RateLimiter.RateLimiter } | undefined
  ) {
    const size = typeof options.core.latencyBufferSize === "number" ? options.core.latencyBufferSize : 100
    this.network = LatencyStats.make(size)
    this.server = LatencyStats.make(size)
  }

  /** A new connection: whatever token the previous one had is forgotten. */
  nextConnection(): number {
    this.token = undefined
    return ++this.generation
  }

  /** A 10028: pause sends (1 s, doubling with each consecutive one, at most 30 s: the credits refill meanwhile). */
  onTooManyRequests(now: number): void {
    this.tooManyRequests++
    const pauseMs = Math.min(30_000, 1_000 * 2 ** Math.min(this.tooManyRequests - 1, 16))
    this.pausedUntil = Math.max(this.pausedUntil, now + pauseMs)
  }

  /** Waits for the credits of one call of `method`'s class (no limiter: at once). */
  acquire(rateClass: methodTable.RateClass): Effect.Effect<void, WebSocketError.RateLimited> {
    const limiter = this.limiters?.[rateClass]
    const budgets = this.options.budgets
    return limiter === undefined || budgets === undefined ? Effect.void : limiter.acquire(budgets[rateClass].cost)
  }

  /** A request went through: the next 10028 starts the back-off over. */
  onSuccess(): void {
    this.tooManyRequests = 0
  }

  /** Waits out the pause after a 10028, if one is running. */
  get awaitPause(): Effect.Effect<void> {
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const wait = this.pausedUntil - now
      return wait > 0 ? Effect.sleep(wait) : Effect.void
    })
  }

  // ---- books ----

  /** A stream starts maintaining the book of `channel`. */
  holdBook(channel: string): void {
    const sync = this.books.get(channel)
    if (sync !== undefined) sync.holders++
    else this.books.set(channel, { holders: 1, syncedGeneration: 0, waiters: new Set() })
  }

  releaseBook(channel: string): void {
    const sync = this.books.get(channel)
    if (sync === undefined) return
    if (--sync.holders > 0) return
    this.books.delete(channel)
    for (const wake of Array.from(sync.waiters)) wake()
  }

  /** A maintained book applied a snapshot (on the current connection). */
  bookSynced(channel: string): void {
    const sync = this.books.get(channel)
    if (sync === undefined) return
    sync.syncedGeneration = this.generation
    for (const wake of Array.from(sync.waiters)) wake()
  }

  /** Waits until every maintained book among `channels` applied a snapshot on this connection; the late ones. */
  awaitBooks(channels: ReadonlyArray<string>, timeoutMs: number): Effect.Effect<ReadonlyArray<string>> {
    const generation = this.generation
    const pending = channels.filter((c) => {
      const sync = this.books.get(c)
      return sync !== undefined && sync.syncedGeneration < generation
    })
    return Effect.forEach(pending, (channel) => {
      const sync = this.books.get(channel)!
      const wait = Effect.async<void>((resume) => {
        if (sync.syncedGeneration >= generation) return resume(Effect.void)
        const wake = () => {
          // synced, or no stream maintains it any more
          if (sync.syncedGeneration < generation && this.books.get(channel) === sync) return
          sync.waiters.delete(wake)
          resume(Effect.void)
        }
        sync.waiters.add(wake)
        return Effect.sync(() => sync.waiters.delete(wake))
      })
      return Effect.map(
        Effect.timeoutTo(wait, { duration: timeoutMs, onSuccess: () => true, onTimeout: () => false }),
        (synced) => [channel, synced] as const
      )
    }, { concurrency: "unbounded" }).pipe(
      Effect.map((results) => results.filter(([, synced]) => !synced).map(([channel]) => channel))
    )
  }
}
