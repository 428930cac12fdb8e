/**
 * What users ask for while reconnecting, when `offlineQueue` is configured: sends, requests, subscribes and
 * unsubscribes wait here, in order, and go out on the restored connection (after its restore hooks and subscriptions,
 * before it is `connected`). Each waiter settles itself: a send when its frame went out, a request with its response,
 * or with a typed error (queue full, gave up, its own timeout): nothing is dropped silently.
 *
 * Only the outage path comes here: a connected client sends without a waiter, a fiber or a `Deferred`.
 */
import * as Effect from "effect/Effect"
import type WebSocket from "ws"
import type * as ClientOptions from "../ClientOptions.js"
import type { NotConnected, RateLimited, SendError } from "../WebSocketError.js"
import { OfflineQueueFull } from "../WebSocketError.js"
import * as Transport from "./transport.js"

/** @internal */
export type QueuedError = NotConnected | SendError | OfflineQueueFull | RateLimited

/** One operation waiting for the restored connection. */
export interface Waiter {
  /**
   * Puts the waiter's frame on the restored socket, in the queue's order (after its pacing and rate-limit tokens); it
   * ends once the frame went out, and settles the waiter itself (a request goes on waiting for its response).
   */
  readonly run: (socket: WebSocket) => Effect.Effect<void>
  /** settles the waiter with an error: evicted, refused, or no connection will come */
  readonly fail: (error: QueuedError) => void
}

/**
 * The offline queue an operation refused with `refusal` may wait in: there is one, the client is reconnecting (it did
 * not give up and was not closed), and the operation is a user's (no `socketOf`). A restore hook's operation (its
 * session's `socketOf`) never waits: the queue is flushed only after the hooks.
 * @internal
 */
export const waitingRoom = (
  client: { readonly offline: OfflineQueue | undefined },
  refusal: NotConnected,
  socketOf: (() => unknown) | undefined
): OfflineQueue | undefined => socketOf === undefined && refusal.state === "connecting" ? client.offline : undefined

/** @internal */
export class OfflineQueue {
  private entries: Array<Waiter> = []

  constructor(readonly config: NonNullable<ClientOptions.Resolved["offlineQueue"]>) {}

  get size(): number {
    return this.entries.length
  }

  /**
   * Puts a waiter in line, or returns why it may not wait: the queue is full (`dropOldest` evicts the oldest waiter
   * instead, which fails with `OfflineQueueFull{ evicted: true }`).
   */
  add(waiter: Waiter): OfflineQueueFull | undefined {
    const { capacity, strategy } = this.config
    if (this.entries.length >= capacity) {
      if (strategy !== "dropOldest") return new OfflineQueueFull({ capacity, evicted: false })
      this.entries.shift()!.fail(new OfflineQueueFull({ capacity, evicted: true }))
    }
    this.entries.push(waiter)
    return undefined
  }

  /** The waiter gave up (its timeout, an interruption): it leaves the line. */
  remove(waiter: Waiter): void {
    const index = this.entries.indexOf(waiter)
    if (index >= 0) this.entries.splice(index, 1)
  }

  /**
   * Waits in line as an `Effect`: `register` builds the waiter from the effect's `resume` (it may call `resume` itself
   * when the waiter is settled). An interrupted or timed-out waiter leaves the line.
   */
  wait<A, E>(
    register: (resume: (effect: Effect.Effect<A, E | QueuedError>) => void) => Waiter
  ): Effect.Effect<A, E | QueuedError> {
    return Effect.async<A, E | QueuedError>((resume) => {
      const waiter = register(resume)
      const refused = this.add(waiter)
      if (refused !== undefined) return resume(Effect.fail(refused))
      return Effect.sync(() => this.remove(waiter))
    })
  }

  /**
   * Runs every waiter on `socket`, oldest first, while the socket is open; waiters that come meanwhile are run too.
   * Should the link die, the rest stays in line for the next connection.
   */
  flush(socket: WebSocket): Effect.Effect<void> {
    return Effect.whileLoop({
      while: () => this.entries.length > 0 && Transport.isOpen(socket),
      body: () => this.entries.shift()!.run(socket),
      step: () => {}
    })
  }

  /** Fails every waiter (the client gave up or was closed). */
  failAll(error: QueuedError): void {
    const entries = this.entries
    this.entries = []
    for (const entry of entries) entry.fail(error)
  }
}
