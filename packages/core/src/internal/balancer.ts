/**
 * `sendBalanced`'s choice: candidates ranked by health (pending requests, p99 latency, recent errors that fade with a
 * half-life of 10 s), disconnected ones last, ties rotating; tried in that order, failing over on error.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { NoConnections } from "../WebSocketError.js"

/** What can be sent (`Client.Outbound`). */
type Outbound = string | Uint8Array | object

/** A candidate as the balancer sees it (`ClientSupervisor.Candidate`). */
export interface Candidate {
  readonly id: string
  readonly sendMessage: (message: Outbound) => Effect.Effect<void, unknown>
  readonly health?: Effect.Effect<Health> | undefined
}

/** @internal */
export interface Health {
  readonly connected: boolean
  readonly pendingRequests: number
  readonly p99Ms?: number | undefined
}

export const uniqueById = (candidates: ReadonlyArray<Candidate>): ReadonlyArray<Candidate> => {
  const seen = new Set<string>()
  return candidates.filter((c) => !seen.has(c.id) && seen.add(c.id))
}

const idle: Health = { connected: true, pendingRequests: 0 }
const unreachable: Health = { connected: false, pendingRequests: 0 }

/** A candidate's health; one that does not answer within a second ranks as disconnected. */
const healthOf = (candidate: Candidate): Effect.Effect<Health> =>
  candidate.health === undefined ? Effect.succeed(idle) : candidate.health.pipe(
    Effect.timeoutTo({ duration: "1 second", onTimeout: () => unreachable, onSuccess: (health) => health })
  )

/** Picks candidates by health; ties rotate; recent errors weigh in and fade (half-life 10 s). */
export class Balancer {
  private turn = 0
  private readonly errors = new Map<string, { readonly weight: number; readonly at: number }>()

  send(candidates: ReadonlyArray<Candidate>, message: Outbound, maxAttempts: number) {
    return Effect.gen(this, function*() {
      if (candidates.length === 0) return yield* Effect.fail(new NoConnections({ candidates: 0 }))
      const now = yield* Clock.currentTimeMillis
      const ranked = yield* this.rank(candidates, now)
      let lastError: unknown = new NoConnections({ candidates: candidates.length })
      for (const candidate of ranked.slice(0, Math.max(1, maxAttempts))) {
        const result = yield* Effect.either(Effect.suspend(() => candidate.sendMessage(message)))
        if (result._tag === "Right") return candidate.id
        lastError = result.left
        this.recordError(candidate.id, now)
      }
      return yield* Effect.fail(lastError)
    })
  }

  private rank(candidates: ReadonlyArray<Candidate>, now: number) {
    return Effect.map(
      Effect.forEach(
        candidates,
        (candidate) =>
          Effect.map(healthOf(candidate), (health) => ({ candidate, score: this.score(candidate.id, health, now) })),
        {
          concurrency: "unbounded"
        }
      ),
      (scored) => {
        const offset = this.turn++
        return scored
          .map((s, i) => ({ ...s, tie: (i - offset % scored.length + scored.length) % scored.length }))
          .sort((a, b) => a.score - b.score || a.tie - b.tie)
          .map((s) => s.candidate)
      }
    )
  }

  private score(id: string, health: Health, now: number): number {
    if (!health.connected) return Number.MAX_SAFE_INTEGER
    return health.pendingRequests + (health.p99Ms ?? 0) / 100 + 10 * this.recentErrors(id, now)
  }

  private recentErrors(id: string, now: number): number {
    const entry = this.errors.get(id)
    return entry === undefined ? 0 : entry.weight * Math.pow(0.5, (now - entry.at) / 10_000)
  }

  private recordError(id: string, now: number): void {
    this.errors.set(id, { weight: this.recentErrors(id, now) + 1, at: now })
  }
}
