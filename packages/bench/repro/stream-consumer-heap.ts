/**
 * Heap per suspended `Stream.runForEach` consumer fiber, by source (Effect only, plus the client's `Broadcast`):
 * what an idle connection with a `client.messages` consumer costs before the client does anything.
 *
 *   node --expose-gc --import tsx repro/stream-consumer-heap.ts <never|onPull|scoped|forEachChunk>
 *
 *  - `never`: `Stream.runForEach(Stream.never, f)`, Effect's own floor for any Stream consumer;
 *  - `onPull`: over `Broadcast.streamOnPull` (what `client.messages` is);
 *  - `scoped`: over `Stream.unwrapScoped(subscribe → stream)` (a Scope per stream);
 *  - `forEachChunk`: `Broadcast.forEachChunk` (what `Client.forEachChunk` is), no Stream.
 *
 * Measured 2026-12-03 (Node 20, effect 3.22.4), 5 000 fibers: never 22.14 KB, onPull 22.21 KB, scoped 27.95 KB,
 * forEachChunk 5.09 KB each. The client's source adds ~0.1 KB to Effect's 22 KB floor: a `Stream.runForEach` consumer
 * cannot be brought to 10 KB from the source side.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Broadcast } from "../../core/src/internal/broadcast.js"

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {
  throw new Error("run with --expose-gc")
})
const mode = process.argv[2] ?? "never"
const count = 5_000
const keep: Array<unknown> = []

const consumer = (): Effect.Effect<void> => {
  if (mode === "never") return Stream.runForEach(Stream.never, () => Effect.void)
  const broadcast = new Broadcast<number>()
  keep.push(broadcast)
  if (mode === "forEachChunk") return broadcast.forEachChunk(() => Effect.void)
  const stream = mode === "onPull"
    ? broadcast.streamOnPull
    : Stream.unwrapScoped(Effect.map(broadcast.subscribe, (reader) => broadcast.stream(reader)))
  return Stream.runForEach(stream, () => Effect.void)
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
for (let i = 0; i < 200; i++) keep.push(Effect.runFork(consumer())) // warm-up
await settle(100)
gc()
gc()
const before = process.memoryUsage().heapUsed
for (let i = 0; i < count; i++) keep.push(Effect.runFork(consumer()))
await settle(200)
gc()
gc()
console.log(`${mode}: ${((process.memoryUsage().heapUsed - before) / count / 1000).toFixed(2)} KB per consumer`)
process.exit(0)
