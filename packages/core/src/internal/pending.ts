/**
 * Pending correlated requests by id. Every entry ends exactly once: resolved, failed, timed out or interrupted.
 */
import * as Effect from "effect/Effect"
import type * as JsonRpc from "../JsonRpc.js"
import type { Disconnected } from "../WebSocketError.js"
import { RequestTimeout, RpcError } from "../WebSocketError.js"

interface Entry {
  readonly method: string
  readonly sentAt: number
  /** Clock time (ms) at which the request times out */
  readonly deadline: number
  readonly timeoutMs: number
  readonly resume: (effect: Effect.Effect<unknown, RpcError | Disconnected | RequestTimeout>) => void
}

export class Pending {
  private readonly entries = new Map<JsonRpc.RequestId, Entry>()
  private lastId = 0

  get size(): number {
    return this.entries.size
  }

  has(id: JsonRpc.RequestId): boolean {
    return this.entries.has(id)
  }

  /** A fresh integer id not in flight. */
  nextId(): number {
    do this.lastId = this.lastId >= Number.MAX_SAFE_INTEGER ? 1 : this.lastId + 1
    while (this.entries.has(this.lastId))
    return this.lastId
  }

  add(id: JsonRpc.RequestId, method: string, deadline: number, timeoutMs: number, resume: Entry["resume"]): void {
    this.entries.set(id, { method, sentAt: performance.now(), deadline, timeoutMs, resume })
  }

  /** Fails the requests whose deadline passed; returns the earliest deadline still pending. */
  expire(now: number): number | undefined {
    let next = Infinity
    for (const [id, entry] of this.entries) {
      if (entry.deadline <= now) {
        this.entries.delete(id)
        entry.resume(Effect.fail(new RequestTimeout({ id, method: entry.method, timeoutMs: entry.timeoutMs })))
      } else if (entry.deadline < next) next = entry.deadline
    }
    return next === Infinity ? undefined : next
  }

  delete(id: JsonRpc.RequestId): void {
    this.entries.delete(id)
  }

  /** Resolves the request a response answers; returns its round trip in ms, or undefined when nothing matched. */
  resolve(incoming: JsonRpc.Incoming): number | undefined {
    if (incoming._tag !== "Result" && incoming._tag !== "Error") return undefined
    const entry = this.entries.get(incoming.id)
    if (entry === undefined) return undefined
    this.entries.delete(incoming.id)
    entry.resume(
      incoming._tag === "Result"
        ? Effect.succeed(incoming.result)
        : Effect.fail(new RpcError({ ...incoming.error, id: incoming.id, method: entry.method }))
    )
    return performance.now() - entry.sentAt
  }

  /** Fails every pending request with `error`. */
  failAll(error: Disconnected): void {
    const entries = [...this.entries.values()]
    this.entries.clear()
    for (const entry of entries) entry.resume(Effect.fail(error))
  }
}
