/**
 * Inbound frames on their way to the pump. The `ws` listener appends synchronously; the frames of one event-loop
 * turn (every socket read of the poll phase) are handed over together at `setImmediate`, so the pump publishes large
 * chunks and the per-chunk cost of the streams is spread over many frames (DESIGN §4).
 */
import * as Effect from "effect/Effect"

/** @internal */
export class Inbox<A> {
  private batch: Array<A> = []
  private scheduled = false
  private ended = false
  private waiting: ((batch: Effect.Effect<readonly [Array<A>, boolean]>) => void) | undefined = undefined

  get size(): number {
    return this.batch.length
  }

  offer(item: A): void {
    this.batch.push(item)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.release)
    }
  }

  /** No more frames: the pump gets what is left, then `done`. */
  end(): void {
    this.ended = true
    this.release()
  }

  /** The next batch (waits for one), and whether the inbox has ended. */
  readonly take: Effect.Effect<readonly [Array<A>, boolean]> = Effect.async((resume) => {
    if (this.ended || (this.batch.length > 0 && !this.scheduled)) return resume(Effect.succeed(this.drain()))
    this.waiting = resume
    return Effect.sync(() => {
      this.waiting = undefined
    })
  })

  private readonly release = (): void => {
    this.scheduled = false
    const waiting = this.waiting
    if (waiting === undefined || (this.batch.length === 0 && !this.ended)) return
    this.waiting = undefined
    waiting(Effect.succeed(this.drain()))
  }

  private drain(): readonly [Array<A>, boolean] {
    const batch = this.batch
    this.batch = []
    return [batch, this.ended]
  }
}
