/**
 * Inbound frames on their way to the readers. The `ws` listener appends synchronously; the frames of one event-loop
 * turn (every socket read of the poll phase) are released together at `setImmediate`, so readers get large chunks and
 * the per-chunk cost of fibers and streams is spread over many frames (DESIGN §4). No fiber is involved. (Releasing
 * per socket read, in a microtask, was measured too: 1 KiB frames then come ~60 to a chunk, and the Stream consumers
 * paid 30% more per frame.)
 */

/** @internal */
export class Inbox<A> {
  private batch: Array<A> = []
  private scheduled = false

  constructor(
    private readonly owner: {
      readonly release: (batch: Array<A>) => void
      /** a turn ended with nothing to release (the owner consumed its frames itself, e.g. answers to requests) */
      readonly settle: () => void
    }
  ) {}

  get size(): number {
    return this.batch.length
  }

  offer(item: A): void {
    this.batch.push(item)
    this.wake()
  }

  /** The end of this turn flushes, even when nothing was offered: a frame the owner consumed still gets reported. */
  wake(): void {
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(flushInbox, this)
    }
  }

  /** Releases what is buffered now (the end of the client does not wait for the next turn). */
  flush(): void {
    this.scheduled = false
    if (this.batch.length === 0) return this.owner.settle()
    const batch = this.batch
    this.batch = []
    this.owner.release(batch)
  }
}

// module-level, so an inbox needs no bound callback of its own
const flushInbox = <A>(inbox: Inbox<A>): void => inbox.flush()
