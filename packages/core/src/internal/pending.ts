/**
 * Pending correlated requests by id. Every entry ends exactly once: resolved, failed, timed out or interrupted.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import type * as JsonRpc from "../JsonRpc.js"
import type { Disconnected } from "../WebSocketError.js"
import { RequestTimeout, RpcError } from "../WebSocketError.js"

/** @internal */
export interface Entry {
  readonly method: string
  readonly sentAt: number
  /** Clock time (ms) at which the request times out */
  readonly deadline: number
  readonly timeoutMs: number
  /** resolve with the whole response object, not its `result` */
  readonly envelope: boolean
  readonly resume: (effect: Effect.Effect<unknown, RpcError | Disconnected | RequestTimeout>) => void
}

interface Expiry {
  at: number
  fiber: Fiber.RuntimeFiber<void> | undefined
}

export class Pending {
  /** created with the first request: most clients of a feed never make one */
  private map: Map<JsonRpc.RequestId, Entry> | undefined = undefined
  private lastId = 0
  /** ids of requests correlated elsewhere (a dialect's acks): no user request may take them while they are in flight */
  private reserved: Set<JsonRpc.RequestId> | undefined = undefined
  /** one sleeping fiber (in the client's scope) checks the deadlines, only while requests are pending */
  private expiry: Expiry | undefined = undefined

  constructor(private readonly scope: Scope.Scope) {}

  private get entries(): Map<JsonRpc.RequestId, Entry> {
    return (this.map ??= new Map())
  }

  get size(): number {
    return this.map?.size ?? 0
  }

  has(id: JsonRpc.RequestId): boolean {
    return this.entries.has(id) || this.reserved?.has(id) === true
  }

  /** A fresh integer id not in flight. */
  nextId(): number {
    do this.lastId = this.lastId >= Number.MAX_SAFE_INTEGER ? 1 : this.lastId + 1
    while (this.has(this.lastId))
    return this.lastId
  }

  /** A fresh id held until `release`: a request whose response is matched by a dialect rather than by this map. */
  reserve(): number {
    const id = this.nextId()
    ;(this.reserved ??= new Set()).add(id)
    return id
  }

  release(id: JsonRpc.RequestId): void {
    this.reserved?.delete(id)
  }

  add(
    id: JsonRpc.RequestId,
    method: string,
    deadline: number,
    timeoutMs: number,
    resume: Entry["resume"],
    envelope = false
  ): Entry {
    const entry: Entry = { method, sentAt: performance.now(), deadline, timeoutMs, envelope, resume }
    this.entries.set(id, entry)
    return entry
  }

  /**
   * Makes sure the pending requests are checked at `deadline` (Clock ms) at the latest: the Effect that starts an
   * earlier timer, or undefined when the running one is early enough. Call it from a running Effect and run what it
   * returns at once (the timer is claimed on the call).
   */
  expireAt(deadline: number): Effect.Effect<void> | undefined {
    if (this.expiry !== undefined && this.expiry.at <= deadline) return undefined
    const previous = this.expiry
    const expiry: Expiry = { at: deadline, fiber: undefined }
    this.expiry = expiry
    // interruptible: a request made inside an uninterruptible region (e.g. an acquire) must not pin the timer
    return Effect.flatMap(Effect.forkIn(Effect.interruptible(this.expireLoop(expiry)), this.scope), (fiber) => {
      expiry.fiber = fiber
      return previous?.fiber === undefined ? Effect.void : Fiber.interruptFork(previous.fiber)
    })
  }

  private expireLoop(expiry: Expiry): Effect.Effect<void> {
    return Effect.gen(this, function*() {
      while (this.expiry === expiry) {
        const now = yield* Clock.currentTimeMillis
        const next = this.expire(now)
        if (next === undefined) {
          this.expiry = undefined
          return
        }
        expiry.at = next
        yield* Effect.sleep(next - now)
      }
    })
  }

  /** Fails the requests whose deadline passed; returns the earliest deadline still pending. */
  private expire(now: number): number | undefined {
    let next = Infinity
    for (const [id, entry] of this.entries) {
      if (entry.deadline <= now) {
        this.entries.delete(id)
        entry.resume(Effect.fail(new RequestTimeout({ id, method: entry.method, timeoutMs: entry.timeoutMs })))
      } else if (entry.deadline < next) next = entry.deadline
    }
    return next === Infinity ? undefined : next
  }

  /** Removes `entry` if it is still the one pending under `id` (an ended request must not drop a newer one). */
  remove(id: JsonRpc.RequestId, entry: Entry): void {
    if (this.map?.get(id) === entry) this.map.delete(id)
  }

  /**
   * Resolves the request a response answers (with `response`, the parsed frame, when the request asked for the
   * envelope); returns its round trip in ms, or undefined when nothing matched.
   */
  resolve(incoming: JsonRpc.Incoming, response?: unknown): number | undefined {
    if (incoming._tag !== "Result" && incoming._tag !== "Error") return undefined
    const entry = this.entries.get(incoming.id)
    if (entry === undefined) return undefined
    this.entries.delete(incoming.id)
    entry.resume(
      incoming._tag === "Result"
        ? Effect.succeed(entry.envelope ? response : incoming.result)
        : Effect.fail(new RpcError({ ...incoming.error, id: incoming.id, method: entry.method }))
    )
    return performance.now() - entry.sentAt
  }

  /** Fails every pending request with `error`. */
  failAll(error: Disconnected): void {
    if (this.map === undefined || this.map.size === 0) return
    const entries = [...this.map.values()]
    this.entries.clear()
    for (const entry of entries) entry.resume(Effect.fail(error))
  }
}
