/**
 * Inbound frames on their way to the readers. The `ws` listener appends synchronously; the frames of one socket read
 * (`ws` parses a whole read synchronously) are released together in a microtask, so readers get chunks of up to a
 * thousand frames and the per-chunk cost of fibers and streams is spread over many frames (DESIGN §4). Releasing at
 * once rather than at `setImmediate` (several reads) keeps frames young: the longer a frame waits, the likelier a
 * scavenge promotes it to the old space, which cost more than the larger chunks saved (measured). No fiber is involved.
 */

/** @internal */
export class Inbox<A> {
  private batch: Array<A> = []
  private scheduled = false

  constructor(private readonly release: (batch: Array<A>) => void) {}

  get size(): number {
    return this.batch.length
  }

  offer(item: A): void {
    this.batch.push(item)
    if (!this.scheduled) {
      this.scheduled = true
      queueMicrotask(this.flush)
    }
  }

  /** Releases what is buffered now (the end of the client does not wait for the next turn). */
  readonly flush = (): void => {
    this.scheduled = false
    if (this.batch.length === 0) return
    const batch = this.batch
    this.batch = []
    this.release(batch)
  }
}
