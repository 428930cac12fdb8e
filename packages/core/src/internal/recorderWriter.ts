/**
 * The writing half of the recorder: the file (opened for appending, or rotated first), the writer (one flush at a
 * time, in order, each write uninterruptible, a failed write kept as bytes and retried), and the flush fiber (idle
 * while nothing is buffered; a second after the first entry, or at 100 entries; drained on every exit of the scope).
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type { FileHandle } from "node:fs/promises"
import { RecorderError } from "../WebSocketError.js"
import * as internal from "./recorder.js"

/** What a recorder may be told: which keys to mask, and what to do with an existing file. */
export interface RecorderOptions {
  readonly redact?: ReadonlyArray<string> | boolean | undefined
  readonly mode?: "append" | "rotate" | undefined
}

const FLUSH_INTERVAL = Duration.seconds(1)

const openFile = (path: string, mode: "append" | "rotate", clock: Clock.Clock) =>
  Effect.tryPromise({
    try: () => internal.open(path, mode, clock.unsafeCurrentTimeMillis()),
    catch: (cause) => new RecorderError({ reason: "open", path, cause })
  })

const closeFile = (path: string, handle: FileHandle) =>
  Effect.tryPromise({
    try: () => handle.close(),
    catch: (cause) => new RecorderError({ reason: "write", path, cause })
  }).pipe(Effect.catchAll((error) => Effect.logWarning("Recorder: closing the file failed", error)))

/** The writer: one flush at a time (a semaphore keeps the batches in order), each write uninterruptible. */
const makeWriter = (path: string, handle: FileHandle, buffer: internal.EntryBuffer, redact: internal.Redactor) =>
  Effect.map(Effect.makeSemaphore(1), (semaphore) => {
    let failing = false
    const write = (batch: internal.Batch) => {
      const bytes = batch.bytes
      return Effect.tryPromise({
        try: () => handle.appendFile(bytes),
        catch: (cause) => new RecorderError({ reason: "write", path, cause })
      }).pipe(Effect.matchEffect({
        onSuccess: () =>
          Effect.sync(() => {
            buffer.written += batch.count
            buffer.bytes += bytes.length
            failing = false
            return true
          }),
        onFailure: (error) =>
          Effect.suspend(() => {
            buffer.retryLater(batch)
            const first = !failing
            failing = true
            return first ? Effect.logWarning("Recorder: write failed, retrying at the next flush", error) : Effect.void
          }).pipe(Effect.as(false))
      }))
    }
    /** writes what is buffered; `false` when the write failed (the entries stay buffered) */
    const flushOnce: Effect.Effect<boolean> = semaphore.withPermits(1)(Effect.suspend(() => {
      const batch = buffer.take(redact)
      return batch === undefined ? Effect.succeed(true) : write(batch)
    })).pipe(Effect.uninterruptible)
    const lose = Effect.suspend(() => {
      const lost = buffer.close()
      return Effect.logError(`Recorder: the final write failed, ${lost} entries lost`)
    })
    /** flushes until the buffer is empty, then closes it (check and close in one synchronous step) */
    const drain: Effect.Effect<void> = Effect.suspend(() =>
      buffer.closeIfEmpty() ? Effect.void : Effect.flatMap(flushOnce, (ok) => ok ? drain : lose)
    )
    return { flushOnce, drain }
  })

/**
 * Sleeps while nothing is buffered (no timer runs for an idle recorder); once something is, flushes one second later
 * or as soon as `BATCH_SIZE` entries are buffered; after a failed write, waits a second before retrying. The latches
 * are closed before the buffer is taken: whatever is recorded after the take opens them again.
 */
const flushLoop = (pending: Effect.Latch, full: Effect.Latch, flushOnce: Effect.Effect<boolean>) =>
  Effect.forever(
    pending.await.pipe(
      Effect.zipRight(Effect.timeoutOption(full.await, FLUSH_INTERVAL)),
      Effect.zipRight(Effect.sync(() => {
        pending.unsafeClose()
        full.unsafeClose()
      })),
      Effect.zipRight(flushOnce),
      Effect.flatMap((ok) => ok ? Effect.void : Effect.sleep(FLUSH_INTERVAL))
    )
  )

/** Opens the recording and starts its flush fiber (see `Recorder.make`). */
export const make = (
  path: string,
  options: RecorderOptions = {}
) =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const pending = yield* Effect.makeLatch(false)
    const full = yield* Effect.makeLatch(false)
    const buffer = new internal.EntryBuffer(clock, () => pending.unsafeOpen(), () => full.unsafeOpen())
    const redact = internal.makeRedactor(options.redact)
    const handle = yield* Effect.acquireRelease(openFile(path, options.mode ?? "append", clock), (handle) =>
      closeFile(path, handle))
    const writer = yield* makeWriter(path, handle, buffer, redact)
    yield* Effect.acquireRelease(
      Effect.forkDaemon(Effect.interruptible(flushLoop(pending, full, writer.flushOnce))),
      (fiber) =>
        Effect.zipRight(Fiber.interrupt(fiber), writer.drain)
    )
    return {
      path,
      recordText: (dir: internal.Direction, data: string) => buffer.push(internal.TEXT, dir, data, 0),
      recordBinary: (dir: internal.Direction, data: Uint8Array) =>
        buffer.push(internal.BINARY, dir, new Uint8Array(data), 0),
      recordClose: (dir: internal.Direction, code: number, reason: string) =>
        buffer.push(internal.CLOSE, dir, reason, code),
      flush: Effect.asVoid(writer.flushOnce),
      stats: () => ({
        written: buffer.written,
        bytes: buffer.bytes,
        buffered: buffer.size,
        dropped: buffer.dropped
      })
    }
  })
