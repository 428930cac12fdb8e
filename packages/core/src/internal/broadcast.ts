/**
 * A broadcast of batches to scoped readers, for the inbound frames, the events and the state of a client.
 *
 * Why not a `PubSub`: an unbounded PubSub costs ~1.7 KB per client before anything flows (three per client) and a
 * node per element on publish and on take, and it needs a fiber to publish from. Here publishing is a synchronous
 * call from the socket's `setImmediate` hand-over that appends one array reference per reader and wakes it; a reader
 * takes all it holds as one `Chunk` (zero-copy for a single batch); nothing is allocated while nobody reads
 * (DESIGN §4). A published batch is never mutated, so readers share it.
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/**
 * What a reader that falls `capacity` elements behind does: keeps everything (`unbounded`, the owner pauses the
 * source instead), drops its oldest elements (`sliding`) or the newest ones (`dropping`).
 */
export type Strategy = "unbounded" | "sliding" | "dropping"

type Pull<A> = Effect.Effect<Chunk.Chunk<A>, Option.Option<never>>

/** One subscriber: what it has not taken yet, and its waiting `take`. */
export class Reader<A> {
  batches: Array<ReadonlyArray<A>> = []
  size = 0
  waiting: ((pull: Pull<A>) => void) | undefined = undefined
}

const endOfStream = Effect.fail(Option.none())

/**
 * Gets Effect's `Channel.fromEffect` compiled by TurboFan before the first stream runs. Unoptimised, it allocates its
 * thunk (`op.effect = () => effect`) in V8's old space (a function literal assigned to a property is pretenured;
 * TurboFan code ignores that), where, dead, it keeps `effect` reachable for every scavenge until the next major GC.
 * `Stream.runForEachChunk` and `Stream.runForEach` (`Sink.forEachChunk`/`Sink.forEach`) run `fromEffect(f(chunk))`
 * per chunk, so every frame a user consumes survived and got promoted: 1.8–2.7× raw ws per frame (1.07–1.36× after;
 * repro/stream-source-designs.ts: 782 → 380 ns per element). V8 optimises a function this small after ~5 000 calls;
 * 10 000 cost ~2 ms, once per process.
 */
let fromEffectOptimised = false
const optimiseFromEffect = (): void => {
  if (fromEffectOptimised) return
  fromEffectOptimised = true
  for (let i = 0; i < 10_000; i++) Channel.fromEffect(endOfStream)
}

const noOwner = { onTaken: (): void => {} }

/** @internal */
export class Broadcast<A> {
  private readers: Array<Reader<A>> = []
  private ended = false

  constructor(
    private readonly strategy: Strategy = "unbounded",
    private readonly capacity = Infinity,
    /** told after a reader took what it held: it may resume a paused source */
    private readonly owner: { readonly onTaken: () => void } = noOwner
  ) {}

  get hasReaders(): boolean {
    return this.readers.length > 0
  }

  /** The most elements any reader holds. */
  lag(): number {
    let most = 0
    for (const reader of this.readers) if (reader.size > most) most = reader.size
    return most
  }

  publish(batch: ReadonlyArray<A>): void {
    if (this.ended || batch.length === 0) return
    for (const reader of this.readers) {
      this.append(reader, batch)
      this.wake(reader)
    }
  }

  /** No more elements: readers take what they hold, then their streams end. Idempotent. */
  end(): void {
    if (this.ended) return
    this.ended = true
    for (const reader of this.readers) this.wake(reader)
  }

  /**
   * A reader for the current scope, holding everything published from now on. (`Scope.addFinalizer`, not
   * `acquireRelease`, which keeps a copy of the subscribing fiber's FiberRefs, ~1 KB, per reader.)
   */
  get subscribe(): Effect.Effect<Reader<A>, never, Scope.Scope> {
    return Effect.flatMap(Effect.scope, (scope) =>
      Effect.uninterruptible(Effect.suspend(() => {
        const reader = this.add()
        return Effect.as(Scope.addFinalizer(scope, Effect.sync(() => this.unsubscribe(reader))), reader)
      })))
  }

  /**
   * Runs `use` with a reader subscribed for as long as it runs: no `Scope` to build and keep, for a consumer fiber
   * that lives as long as its connection (measured ~3.6 KB less each).
   */
  withReader<B, E, R>(use: (reader: Reader<A>) => Effect.Effect<B, E, R>): Effect.Effect<B, E, R> {
    return Effect.uninterruptibleMask((restore) => {
      const reader = this.add()
      return Effect.ensuring(restore(use(reader)), Effect.sync(() => this.unsubscribe(reader)))
    })
  }

  /** Runs `f` on every chunk until the broadcast ends, with no Stream in between (a reader for as long as it runs). */
  forEachChunk<E, R>(f: (chunk: Chunk.Chunk<A>) => Effect.Effect<unknown, E, R>): Effect.Effect<void, E, R> {
    return this.withReader((reader) => {
      const take = this.take(reader)
      // no variable holds a chunk while the next one is awaited: frames die young (no promotion to the old space)
      const loop: Effect.Effect<void, E, R> = Effect.matchEffect(take, {
        onFailure: () => Effect.void,
        onSuccess: (chunk) => Effect.flatMap(f(chunk), () => loop)
      })
      return loop
    })
  }

  private add(): Reader<A> {
    const reader = new Reader<A>()
    this.readers = [...this.readers, reader]
    return reader
  }

  private unsubscribe(reader: Reader<A>): void {
    this.readers = this.readers.filter((r) => r !== reader)
    this.owner.onTaken()
  }

  /** Everything the reader holds, waiting for at least one element; fails with `None` once ended and taken. */
  take(reader: Reader<A>): Pull<A> {
    return Effect.suspend(() => {
      if (reader.size > 0) return Effect.succeed(this.drain(reader))
      if (this.ended) return endOfStream
      // no canceler (Effect wraps an `async` with one in `onInterrupt`, which costs ~1 µs per wake-up): `wake`
      // resumes with `take` itself, so an interrupted waiter's stale callback drains nothing and loses nothing
      return Effect.async<Chunk.Chunk<A>, Option.Option<never>>((resume) => {
        reader.waiting = resume
      })
    })
  }

  /** The reader's elements as a stream of chunks, one per `take`. */
  stream(reader: Reader<A>): Stream.Stream<A> {
    optimiseFromEffect()
    return Stream.fromChannel(this.pulls(this.take(reader)))
  }

  /**
   * Subscribes at the first pull, and unsubscribes when the stream ends however it ends: the finalizer is in place
   * before the reader exists. (`Stream.unwrapScoped` over `subscribe` builds a `Scope` per stream: ~5.6 KB more for
   * every consumer fiber, which lives as long as its connection.)
   */
  get streamOnPull(): Stream.Stream<A> {
    optimiseFromEffect()
    return Stream.fromChannel(Channel.suspend(() => {
      let reader: Reader<A> | undefined
      const take = Effect.suspend(() => this.take(reader ??= this.add()))
      return Channel.ensuring(
        this.pulls(take),
        Effect.sync(() => {
          if (reader !== undefined) this.unsubscribe(reader)
        })
      )
    }))
  }

  /**
   * A chunk per `take` until it ends. `loop` is built once, not per chunk: Effect's `Channel.fromEffect` stores its
   * thunk as `op.effect = () => effect`, and V8 allocates a function literal assigned to a property in the old space
   * (unless TurboFan compiled the code), where, dead, it keeps the effect reachable for every scavenge until the next
   * major GC. The same thunk in `Sink.forEachChunk`, which runs `fromEffect(f(chunk))` per chunk, is why
   * `Stream.runForEachChunk` and `Stream.runForEach` promote every chunk they consume whatever the source; a
   * `Stream.toPull` loop does not.
   */
  private pulls(take: Pull<A>): Channel.Channel<Chunk.Chunk<A>> {
    const next = Effect.option(take)
    const loop: Channel.Channel<Chunk.Chunk<A>> = Channel.flatMap(
      Channel.fromEffect(next),
      (chunk) => chunk._tag === "None" ? Channel.void : Channel.zipRight(Channel.write(chunk.value), loop)
    )
    return loop
  }

  private wake(reader: Reader<A>): void {
    const waiting = reader.waiting
    if (waiting === undefined) return
    reader.waiting = undefined
    waiting(this.take(reader))
  }

  private drain(reader: Reader<A>): Chunk.Chunk<A> {
    const batches = reader.batches
    const chunk = Chunk.unsafeFromArray(batches.length === 1 ? batches[0] : batches.flat())
    // cleared in place: a dropped list that reached the old space would keep the next batches alive (and promoted)
    batches.length = 0
    reader.size = 0
    this.owner.onTaken()
    return chunk
  }

  private append(reader: Reader<A>, batch: ReadonlyArray<A>): void {
    if (this.strategy === "dropping") {
      const room = this.capacity - reader.size
      if (room <= 0) return
      if (room < batch.length) batch = batch.slice(0, room)
    }
    reader.batches.push(batch)
    reader.size += batch.length
    if (this.strategy === "sliding" && reader.size > this.capacity) dropOldest(reader, reader.size - this.capacity)
  }
}

const dropOldest = <A>(reader: Reader<A>, count: number): void => {
  let left = count
  while (left > 0) {
    const first = reader.batches[0]
    if (first.length <= left) {
      reader.batches.shift()
      left -= first.length
    } else {
      reader.batches[0] = first.slice(left)
      left = 0
    }
  }
  reader.size -= count
}
