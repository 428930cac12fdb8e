/**
 * Minimal repro (Effect only, no zen code) for an upstream issue: every `Channel.fromEffect(effect)` run by
 * unoptimized code allocates its thunk `op.effect = () => effect` (effect/src/internal/core-stream.ts) in V8's OLD
 * space, because V8's parser pretenures a function literal assigned to a property (parser.h,
 * CheckAssigningFunctionLiteralToProperty: "If we assign a function literal to a property we pretenure the literal so
 * it can be added as a constant function property"). Ignition, Sparkplug (and Maglev) honour that flag; only
 * TurboFan ignores it, and `fromEffect` rarely gets hot enough for TurboFan.
 *
 * Dead old-space objects are only reclaimed by a mark-compact, and until then the scavenger treats their slots as
 * roots: the thunk keeps its (young) context alive, i.e. the effect, i.e. everything the effect captured.
 * `Sink.forEachChunk` runs `core.fromEffect(f(chunk))` per chunk, so with `Stream.runForEachChunk`/`runForEach`
 * every consumed chunk and its elements survive scavenges until the next major GC and get promoted
 * (130 MB promoted per 1 M small elements in our benchmark, 2.5x the CPU of a toPull loop over the same stream).
 *
 * Fix: don't assign the literal to the property directly, e.g.
 *     const thunk = () => effect
 *     op.effect = thunk
 * (same for the other `op.x = () => …` sites in core-stream.ts and `effect.effect_instruction_iN = … => …` in core.ts).
 *
 * Run (in packages/bench): node --expose-gc --allow-natives-syntax --import tsx repro/effect-fromeffect-pretenure.ts [runForEachChunk|toPull]
 *      (with the argument and --trace-gc-nvp, sum the promoted= fields of part 3)
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as v8 from "node:v8"

const gc = (globalThis as any).gc as (options?: unknown) => void
const inYoung = new Function("o", "return %InYoungGeneration(o)") as (o: unknown) => boolean

// 1. the V8 rule, and where Effect hits it
function viaProperty(x: unknown) {
  const o: any = {}
  o.f = () => x
  return o.f
}
function viaLocal(x: unknown) {
  const f = () => x
  const o: any = {}
  o.f = f
  return o.f
}
console.log(
  "1. `o.f = () => x` closure young:",
  inYoung(viaProperty(1)),
  "| `const f = () => x; o.f = f` young:",
  inYoung(viaLocal(1))
)
console.log(
  "   Channel.fromEffect(e).effect (the thunk) young:",
  inYoung((Channel.fromEffect(Effect.void) as any).effect)
)

// 2. a consumed chunk stays reachable for the scavenger: a running consumer takes a batch whose single element is a
//    4 MB array (allocated in the young large-object space); once consumed nothing refers to it, yet after a minor GC
//    the old large-object space has grown by 4 MB (it was promoted); a major GC frees it.
const oldLO = () =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === "large_object_space")!.space_used_size / 1e6
// a minimal push source: `push` hands a chunk to the waiting pull (no Queue/Deferred involved)
const handoff = () => {
  let waiting: ((effect: Effect.Effect<Chunk.Chunk<unknown>>) => void) | undefined
  const pull = Effect.async<Chunk.Chunk<unknown>>((resume) => {
    waiting = resume
  })
  const loop: Channel.Channel<Chunk.Chunk<unknown>> = Channel.flatMap(
    Channel.fromEffect(pull),
    (c) => Channel.zipRight(Channel.write(c), loop)
  )
  const push = (c: Chunk.Chunk<unknown>) => {
    const w = waiting!
    waiting = undefined
    w(Effect.succeed(c))
  }
  return { stream: Stream.fromChannel(loop), push }
}
const pushMarker = (push: (c: Chunk.Chunk<unknown>) => void): void => push(Chunk.of(new Array(500_000).fill(0)))
const consumer = (mode: "runForEachChunk" | "toPull", stream: Stream.Stream<unknown>) => {
  const f = (c: Chunk.Chunk<unknown>) => Effect.sync(() => Chunk.size(c))
  return mode === "runForEachChunk"
    ? Stream.runForEachChunk(stream, f)
    : Effect.scoped(Effect.flatMap(Stream.toPull(stream), (pull) => {
      const loop: Effect.Effect<void> = Effect.matchEffect(pull, {
        onFailure: () => Effect.void,
        onSuccess: (c) => Effect.flatMap(f(c), () => loop)
      })
      return loop
    }))
}
for (const mode of ["runForEachChunk", "toPull"] as const) {
  const { push, stream } = handoff()
  const fiber = Effect.runFork(consumer(mode, stream))
  for (let k = 0; k < 50; k++) {
    await new Promise((r) => setImmediate(r))
    push(Chunk.of(k))
  }
  await new Promise((r) => setImmediate(r))
  gc()
  const before = oldLO()
  pushMarker(push)
  await new Promise((r) => setImmediate(r))
  push(Chunk.of(-1)) // a stream keeps its last emitted chunk until the next one
  await new Promise((r) => setImmediate(r))
  gc({ type: "minor" })
  const afterMinor = oldLO()
  gc()
  console.log(
    `2. ${mode.padEnd(16)} old large-object space MB: before ${before.toFixed(1)}, after a minor GC ${
      afterMinor.toFixed(1)
    }, after a major GC ${oldLO().toFixed(1)}`
  )
  Effect.runFork(Fiber.interrupt(fiber))
}

// 3. the cost: 1000 batches of 1000 small objects, one batch per event-loop turn, consumed with
//    Stream.runForEachChunk vs a Stream.toPull loop over the same Stream.fromQueue
const consume = async (mode: "runForEachChunk" | "toPull") => {
  const queue = Effect.runSync(Queue.unbounded<{ data: string }>())
  let seen = 0
  const f = (c: Chunk.Chunk<{ data: string }>) =>
    Effect.sync(() => {
      for (const m of c) seen += m.data.length > 0 ? 1 : 0
    })
  const stream = Stream.fromQueue(queue)
  const fiber = Effect.runFork(
    mode === "runForEachChunk"
      ? Stream.runForEachChunk(stream, f)
      : Effect.scoped(Effect.flatMap(Stream.toPull(stream), (pull) => {
        const loop: Effect.Effect<void> = Effect.matchEffect(pull, {
          onFailure: () => Effect.void,
          onSuccess: (c) => Effect.flatMap(f(c), () => loop)
        })
        return loop
      }))
  )
  const base = "x".repeat(64)
  const t0 = process.cpuUsage()
  for (let k = 0; k < 1000; k++) {
    await new Promise((r) => setImmediate(r))
    const batch = Array.from({ length: 1000 }, (_, i) => ({ data: (base + i).slice(0, 64) }))
    Effect.runSync(Queue.offerAll(queue, batch))
  }
  await new Promise((r) => setImmediate(r))
  const t = process.cpuUsage(t0)
  Effect.runFork(Fiber.interrupt(fiber))
  console.log(`3. ${mode.padEnd(16)} consumed ${seen}, ${((t.user + t.system) / 1000).toFixed(0)} ms CPU`)
}
// (one mode per process for stable figures: pass "runForEachChunk" or "toPull" as argument)
const mode3 = process.argv[2]
if (mode3 === "runForEachChunk" || mode3 === "toPull") await consume(mode3)
process.exit(0)
