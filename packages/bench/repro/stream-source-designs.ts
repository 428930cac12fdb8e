/**
 * Three designs of a push source consumed as a `Stream` (Effect only, no socket, no zen code), each consumed with
 * `Stream.runForEachChunk` and `Stream.runForEach`, against a plain callback over the same batches (what raw `ws`
 * code does): CPU per element.
 *
 * The source: every event-loop turn (`setImmediate`, like the client's inbox) a batch of 1 000 fresh objects holding
 * a 64-character string is appended to a reader's buffer and the waiting pull is woken.
 *
 *  - `A` (the client's design until 2026-12): a `Channel` loop built once, `Channel.fromEffect(take)` per chunk,
 *    `take` returning everything buffered as one chunk and suspending (`Effect.async`) only when the buffer is empty;
 *  - `B` a hand-written `Channel.suspend` loop that `Channel.write`s the buffer directly while it holds anything and
 *    goes through an `Effect` (`Channel.fromEffect(wait)`) only to suspend when it is empty;
 *  - `C` `Stream.fromPull` over the same `take` (Effect's own pull-based constructor);
 *
 * each with and without `warm` (`Channel.fromEffect` called 10 000 times first, so that V8 optimises it with
 * TurboFan: see `effect-fromeffect-pretenure.ts`; `Sink.forEachChunk`/`Sink.forEach` run `fromEffect(f(chunk))` per
 * chunk, and the unoptimised `fromEffect` allocates its thunk in the old space, which keeps every consumed chunk alive
 * until the next major GC).
 *
 * Run (in packages/bench), one measurement per process:
 *   node --import tsx repro/stream-source-designs.ts <A|B|C|callback> <chunk|element> [warm]
 *   or all of them, interleaved, 3 times:  node --import tsx repro/stream-source-designs.ts all
 *   BATCHES=30000 PER_BATCH=1 …: one element per turn (a sparse feed, or an echo), which shows the cost per chunk
 *
 * Measured 2026-12-03 (2 shared cores, loaded; median of 3; ns per element):  see packages/bench/README.md
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { execFileSync } from "node:child_process"

interface Item {
  readonly data: string
}

/** the reader: what was published since the last take, and the waiting pull */
class Source {
  batches: Array<ReadonlyArray<Item>> = []
  size = 0
  ended = false
  waiting: ((effect: Effect.Effect<void>) => void) | undefined = undefined
  publish(batch: ReadonlyArray<Item>): void {
    this.batches.push(batch)
    this.size += batch.length
    const w = this.waiting
    this.waiting = undefined
    w?.(Effect.void)
  }
  end(): void {
    this.ended = true
    const w = this.waiting
    this.waiting = undefined
    w?.(Effect.void)
  }
  drain(): Chunk.Chunk<Item> {
    const chunk = Chunk.unsafeFromArray(this.batches.length === 1 ? this.batches[0] : this.batches.flat())
    this.batches.length = 0
    this.size = 0
    return chunk
  }
  readonly wait: Effect.Effect<void> = Effect.async<void>((resume) => {
    this.waiting = resume
  })
  /** everything buffered, suspending while nothing is; `None` once ended */
  readonly take: Effect.Effect<Chunk.Chunk<Item>, Option.Option<never>> = Effect.suspend(() =>
    this.size > 0
      ? Effect.succeed(this.drain())
      : this.ended
      ? Effect.fail(Option.none())
      : Effect.flatMap(this.wait, () => this.take)
  )
}

const designs: Record<string, (source: Source) => Stream.Stream<Item>> = {
  A: (source) => {
    const next = Effect.option(source.take)
    const loop: Channel.Channel<Chunk.Chunk<Item>> = Channel.flatMap(
      Channel.fromEffect(next),
      (chunk) => chunk._tag === "None" ? Channel.void : Channel.zipRight(Channel.write(chunk.value), loop)
    )
    return Stream.fromChannel(loop)
  },
  B: (source) => {
    const afterWait = () => loop
    const afterWrite = () => loop
    const loop: Channel.Channel<Chunk.Chunk<Item>> = Channel.suspend(() =>
      source.size > 0
        ? Channel.flatMap(Channel.write(source.drain()), afterWrite)
        : source.ended
        ? Channel.void
        : Channel.flatMap(Channel.fromEffect(source.wait), afterWait)
    )
    return Stream.fromChannel(loop)
  },
  C: (source) => Stream.fromPull(Effect.succeed(source.take))
}

const batches = Number(process.env.BATCHES ?? 300)
const perBatch = Number(process.env.PER_BATCH ?? 1_000)
const base = "x".repeat(80)

const measure = async (design: string, consumer: string, warm: boolean): Promise<number> => {
  if (warm) { for (let i = 0; i < 10_000; i++) Channel.fromEffect(Effect.void) }
  let seen = 0
  const onItem = (item: Item) => {
    if (item.data.length > 0) seen++
  }
  const source = new Source()
  let done: Promise<unknown>
  if (design === "callback") {
    // what raw ws code does: every element handled as it arrives
    const original = source.publish.bind(source)
    source.publish = (batch) => {
      for (const item of batch) onItem(item)
      original([])
      source.batches.length = 0
      source.size = 0
    }
    done = Promise.resolve()
  } else {
    const stream = designs[design](source)
    done = Effect.runPromise(
      consumer === "chunk"
        ? Stream.runForEachChunk(stream, (chunk) =>
          Effect.sync(() => {
            for (const item of chunk) onItem(item)
          }))
        : Stream.runForEach(stream, (item) => Effect.sync(() => onItem(item)))
    )
  }
  const turn = () => new Promise((r) => setImmediate(r))
  const run = async (n: number) => {
    for (let k = 0; k < n; k++) {
      await turn()
      const batch: Array<Item> = new Array(perBatch)
      for (let i = 0; i < perBatch; i++) batch[i] = { data: (base + k + i).slice(1, 65) }
      source.publish(batch)
    }
    await turn()
  }
  await run(batches / 3) // warm-up
  const t0 = process.cpuUsage()
  await run(batches)
  const t = process.cpuUsage(t0)
  source.end()
  await done
  if (seen !== (batches + batches / 3) * perBatch) throw new Error(`saw ${seen}`)
  return ((t.user + t.system) * 1000) / (batches * perBatch)
}

const [design, consumer, warm] = process.argv.slice(2)
if (design === "all") {
  const cases = [["callback", "chunk", ""]].concat(
    ["A", "B", "C"].flatMap((d) => ["chunk", "element"].flatMap((c) => [[d, c, ""], [d, c, "warm"]]))
  )
  const results = new Map<string, Array<number>>()
  for (let rep = 0; rep < 3; rep++) {
    for (const [d, c, w] of cases) {
      const out = execFileSync(process.execPath, ["--import", "tsx", new URL(import.meta.url).pathname, d, c, w], {
        encoding: "utf8"
      })
      const key = `${d} ${c} ${w}`.trim()
      results.set(key, [...(results.get(key) ?? []), Number(out.trim())])
    }
  }
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const baseline = median(results.get("callback chunk")!)
  for (const [key, xs] of results) {
    console.log(
      `${key.padEnd(20)} ${median(xs).toFixed(0).padStart(6)} ns/element  ${(median(xs) / baseline).toFixed(2)}×`
    )
  }
} else {
  console.log((await measure(design, consumer ?? "chunk", warm === "warm")).toFixed(1))
}
