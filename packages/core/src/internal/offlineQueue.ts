/**
 * Sends made while reconnecting, when `offlineQueue` is configured. Each send waits until its frame went out on the
 * restored connection, or fails with a typed error: nothing is dropped silently.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as ClientOptions from "../ClientOptions.js"
import type { NotConnected, RateLimited, SendError } from "../WebSocketError.js"
import { OfflineQueueFull } from "../WebSocketError.js"

/** @internal */
export type QueuedError = NotConnected | SendError | OfflineQueueFull | RateLimited

interface Entry {
  readonly frame: string | Uint8Array
  readonly done: Deferred.Deferred<void, QueuedError>
}

/** @internal */
export class OfflineQueue {
  private entries: Array<Entry> = []

  constructor(readonly config: NonNullable<ClientOptions.Resolved["offlineQueue"]>) {}

  get size(): number {
    return this.entries.length
  }

  /** Buffers a frame and waits until it was sent (or failed). */
  enqueue(frame: string | Uint8Array): Effect.Effect<void, QueuedError> {
    return Effect.flatMap(Deferred.make<void, QueuedError>(), (done) => {
      const { capacity, strategy } = this.config
      if (this.entries.length >= capacity) {
        if (strategy !== "dropOldest") return Effect.fail(new OfflineQueueFull({ capacity, evicted: false }))
        const oldest = this.entries.shift()!
        Deferred.unsafeDone(oldest.done, Exit.fail(new OfflineQueueFull({ capacity, evicted: true })))
      }
      this.entries.push({ frame, done })
      return Deferred.await(done)
    })
  }

  /** Hands every buffered frame to `send`, oldest first, and settles each waiting sender with the outcome. */
  flush(send: (frame: string | Uint8Array) => Effect.Effect<void, QueuedError>): Effect.Effect<void> {
    return Effect.whileLoop({
      while: () => this.entries.length > 0,
      body: () => {
        const entry = this.entries.shift()!
        return Effect.flatMap(Effect.exit(send(entry.frame)), (exit) => Deferred.done(entry.done, exit))
      },
      step: () => {}
    })
  }

  /** Fails every buffered send (the client gave up or was closed). */
  failAll(error: QueuedError): void {
    const entries = this.entries
    this.entries = []
    for (const entry of entries) Deferred.unsafeDone(entry.done, Exit.fail(error))
  }
}
