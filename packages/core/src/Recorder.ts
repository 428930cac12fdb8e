/**
 * Session recording (DESIGN §3.7): one JSONL line per WebSocket frame, in the format of the Elixir ZenWebsocket
 * `Recorder`, so recordings of either library are read by both.
 *
 * ```jsonl
 * {"ts":"2026-11-25T21:00:00.123456Z","dir":"out","type":"text","data":"{\"method\":\"public/test\"}"}
 * {"ts":"2026-11-25T21:00:00.234567Z","dir":"in","type":"binary","data":"AQID","binary":true}
 * {"ts":"2026-11-25T21:00:01.000001Z","dir":"in","type":"close","data":"{\"code\":1000,\"reason\":\"bye\"}","code":1000,"reason":"bye"}
 * ```
 *
 * - `ts`: UTC, ISO 8601 with microseconds, taken from the Effect `Clock` when the frame is recorded.
 * - `data`: text as is (after redaction); binary as base64 (with `binary: true`); for close frames the JSON string
 *   `{"code":N,"reason":"..."}` the Elixir reader expects, plus `code` and `reason` as fields of their own.
 *
 * Recording is cheap: the `record*` calls are synchronous, run no Effect and only push the frame and a timestamp to
 * an in-memory buffer. Formatting, redaction and writing happen in one fiber, which appends the buffer to the file
 * every second, as soon as 100 entries are buffered, on `flush`, and on every exit of the recorder's scope (success,
 * failure or interruption), so no recorded entry is lost unless the process itself dies. Existing files are appended to
 * (or rotated aside), never truncated.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as nodeFs from "node:fs"
import type { FileHandle } from "node:fs/promises"
import * as internal from "./internal/recorder.js"
import { RecorderError } from "./WebSocketError.js"

// -------------------------------------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------------------------------------

export {
  /**
   * A recording could not be opened (or rotated), written, or read (one of the library's errors, see
   * `WebSocketError`). `cause` is the raw Node error (with its `code`).
   *
   * @since 0.1.0
   * @category errors
   */
  RecorderError
} from "./WebSocketError.js"

// -------------------------------------------------------------------------------------------------------------------
// wire format
// -------------------------------------------------------------------------------------------------------------------

/**
 * `"in"` (received) or `"out"` (sent).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Direction = Schema.Literal("in", "out")

/**
 * @since 0.1.0
 * @category models
 */
export type Direction = typeof Direction.Type

/**
 * An ISO 8601 date-time with an offset, any number of fraction digits (we write `2026-11-25T21:00:00.123456Z`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timestamp = Schema.String.pipe(
  Schema.filter((ts) => internal.parseMicros(ts) !== undefined, {
    identifier: "Timestamp",
    message: () => "expected an ISO 8601 date-time with an offset"
  })
)

/**
 * A text frame: `{"ts","dir","type":"text","data"}`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TextEntry = Schema.Struct({
  ts: Timestamp,
  dir: Direction,
  type: Schema.Literal("text"),
  data: Schema.String
})

/**
 * A binary frame: `{"ts","dir","type":"binary","data":"<base64>","binary":true}`, decoded to bytes. `binary` is
 * optional on read. Invalid base64 makes the line malformed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BinaryEntry = Schema.Struct({
  ts: Timestamp,
  dir: Direction,
  type: Schema.Literal("binary"),
  data: Schema.Uint8ArrayFromBase64,
  binary: Schema.optionalWith(Schema.Literal(true), { default: () => true as const })
})

const CloseWire = Schema.Struct({
  ts: Timestamp,
  dir: Direction,
  type: Schema.Literal("close"),
  data: Schema.optional(Schema.String),
  code: Schema.optional(Schema.Number),
  reason: Schema.optional(Schema.String)
})

const CloseData = Schema.parseJson(Schema.Struct({ code: Schema.Number, reason: Schema.String }))

/**
 * A close frame, decoded to `{ ts, dir, type: "close", code, reason }`. Written with `code` and `reason` and, for the
 * Elixir reader, `data: "{\"code\":N,\"reason\":\"...\"}"`; read from `code`/`reason` when present, else from `data`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CloseEntry = Schema.transformOrFail(
  CloseWire,
  Schema.Struct({
    ts: Schema.typeSchema(Timestamp),
    dir: Direction,
    type: Schema.Literal("close"),
    code: Schema.Number,
    reason: Schema.String
  }),
  {
    strict: true,
    decode: (wire, _, ast) => {
      const { dir, ts, type } = wire
      if (wire.code !== undefined) {
        return ParseResult.succeed({ ts, dir, type, code: wire.code, reason: wire.reason ?? "" })
      }
      if (wire.data === undefined) return ParseResult.fail(new ParseResult.Type(ast, wire, "close entry without code"))
      return ParseResult.map(
        ParseResult.decodeUnknown(CloseData)(wire.data),
        ({ code, reason }) => ({ ts, dir, type, code, reason })
      )
    },
    encode: ({ code, dir, reason, ts, type }) =>
      ParseResult.succeed({ ts, dir, type, data: JSON.stringify({ code, reason }), code, reason })
  }
)

/**
 * One line of a recording.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Entry = Schema.Union(TextEntry, BinaryEntry, CloseEntry)

/**
 * A decoded entry: `type` tells `"text"` (`data: string`), `"binary"` (`data: Uint8Array`) and `"close"` (`code`,
 * `reason`) apart. `ts` is the timestamp as written (see {@link epochMicros}).
 *
 * @since 0.1.0
 * @category models
 */
export type Entry = typeof Entry.Type

/**
 * @since 0.1.0
 * @category models
 */
export type TextEntry = typeof TextEntry.Type

/**
 * @since 0.1.0
 * @category models
 */
export type BinaryEntry = typeof BinaryEntry.Type

/**
 * @since 0.1.0
 * @category models
 */
export type CloseEntry = typeof CloseEntry.Type

const EntryFromJson = Schema.parseJson(Entry)

/**
 * Decodes one JSONL line.
 *
 * @since 0.1.0
 * @category codecs
 */
export const decodeLine: (line: string) => Either.Either<Entry, ParseResult.ParseError> = Schema.decodeEither(
  EntryFromJson
)

/**
 * Encodes one entry as a JSONL line (without the newline), exactly as the recorder writes it (unredacted).
 *
 * @since 0.1.0
 * @category codecs
 */
export const encodeLine: (entry: Entry) => string = Schema.encodeSync(EntryFromJson)

/**
 * Microseconds since the epoch of an entry's `ts` (`NaN` when it is not a valid timestamp).
 *
 * @since 0.1.0
 * @category utils
 */
export const epochMicros = (ts: string): number => internal.parseMicros(ts) ?? NaN

// -------------------------------------------------------------------------------------------------------------------
// recording
// -------------------------------------------------------------------------------------------------------------------

/**
 * The recorder a client writes to. The `record*` calls are synchronous and cheap (a push to an array): call them from
 * the socket listeners. Entries recorded after the recorder's scope closed are ignored.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recorder {
  readonly path: string
  /** records a text frame (redacted when written) */
  readonly recordText: (dir: Direction, data: string) => void
  /** records a binary frame (the bytes are copied) */
  readonly recordBinary: (dir: Direction, data: Uint8Array) => void
  /** records a close frame */
  readonly recordClose: (dir: Direction, code: number, reason: string) => void
  /** writes everything buffered now; a failed write is logged and retried at the next flush */
  readonly flush: Effect.Effect<void>
  /** counters, for tests and monitoring */
  readonly stats: () => Stats
}

/**
 * @since 0.1.0
 * @category tags
 */
export const Recorder: Context.Tag<Recorder, Recorder> = Context.GenericTag<Recorder>("@zen-websocket/core/Recorder")

/**
 * - `written`, `bytes`: entries and bytes appended to the file.
 * - `buffered`: entries waiting for the next flush.
 * - `dropped`: entries lost because writes kept failing (more than 100 000 buffered, or the final flush failed).
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly written: number
  readonly bytes: number
  readonly buffered: number
  readonly dropped: number
}

/**
 * - `redact`: keys whose values are masked (`"***"`) in text frames before they reach the disk. `true` or absent: the
 *   {@link defaultRedactKeys}; a list: the default keys plus these; `false`: no redaction. JSON frames have the key's
 *   value masked at any depth; other text has `key=value`, `key: value` and `"key":"value"` patterns masked. Frames
 *   not containing a key (a substring check) are not parsed. Binary frames and close reasons are not redacted.
 * - `mode`: what to do with an existing file. `"append"` (default) appends to it; `"rotate"` first renames it (when
 *   not empty) to `<path>.<timestamp>`, e.g. `session.jsonl.2026-11-25T21-00-00.123Z`. Files are never truncated.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecorderOptions {
  readonly redact?: ReadonlyArray<string> | boolean | undefined
  readonly mode?: "append" | "rotate" | undefined
}

/**
 * `client_secret`, `access_token`, `refresh_token`, `password`, `signature`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRedactKeys: ReadonlyArray<string> = internal.defaultRedactKeys

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
    const write = (batch: { readonly text: string; readonly count: number }) => {
      const text = batch.text
      return Effect.tryPromise({
        try: () => handle.appendFile(text, "utf8"),
        catch: (cause) => new RecorderError({ reason: "write", path, cause })
      }).pipe(Effect.matchEffect({
        onSuccess: () =>
          Effect.sync(() => {
            buffer.written += batch.count
            buffer.bytes += Buffer.byteLength(text)
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

/**
 * Opens (creating) the recording at `path` and starts its flush fiber. Closing the scope writes every buffered entry
 * and closes the file, whatever the scope's exit. Fails with `RecorderError("open")` when the file cannot be opened
 * (e.g. its directory does not exist) or rotated.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  path: string,
  options: RecorderOptions = {}
): Effect.Effect<Recorder, RecorderError, Scope.Scope> =>
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
    return Recorder.of({
      path,
      recordText: (dir, data) => buffer.push(internal.TEXT, dir, data, 0),
      recordBinary: (dir, data) => buffer.push(internal.BINARY, dir, new Uint8Array(data), 0),
      recordClose: (dir, code, reason) => buffer.push(internal.CLOSE, dir, reason, code),
      flush: Effect.asVoid(writer.flushOnce),
      stats: () => ({
        written: buffer.written,
        bytes: buffer.bytes,
        buffered: buffer.size,
        dropped: buffer.dropped
      })
    })
  })

/**
 * The {@link Recorder} service for a client, recording to `path` for the layer's lifetime.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (path: string, options?: RecorderOptions): Layer.Layer<Recorder, RecorderError> =>
  Layer.scoped(Recorder, make(path, options))

// -------------------------------------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------------------------------------

/**
 * A line that is not a valid entry (bad JSON, unknown `dir`/`type`, bad timestamp or base64). Blank lines are skipped
 * without being counted.
 *
 * @since 0.1.0
 * @category models
 */
export interface Malformed {
  /** 1-based */
  readonly lineNumber: number
  readonly line: string
  readonly cause: ParseResult.ParseError
}

/**
 * - `count`, `inbound`, `outbound`: valid entries.
 * - `durationMs`: last `ts` − first `ts` in file order, in milliseconds (with the microseconds as fraction).
 * - `firstTs`, `lastTs`: as written; `undefined` without entries.
 * - `malformed`: skipped lines (see {@link Malformed}).
 *
 * @since 0.1.0
 * @category models
 */
export interface Metadata {
  readonly count: number
  readonly inbound: number
  readonly outbound: number
  readonly durationMs: number
  readonly firstTs: string | undefined
  readonly lastTs: string | undefined
  readonly malformed: number
}

/**
 * - `realtime`: wait between entries the gap between their timestamps (positive gaps only, none before the first
 *   emitted entry), divided by `speed` (default 1; `2` is twice as fast; must be > 0). Waits are on the Effect `Clock`.
 * - `dir`: only entries of that direction; gaps are then measured between the emitted entries.
 * - `onMalformed`: called with each skipped line.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayOptions {
  readonly realtime?: boolean | undefined
  readonly speed?: number | undefined
  readonly dir?: Direction | undefined
  readonly onMalformed?: ((malformed: Malformed) => Effect.Effect<void>) | undefined
}

const lines = (path: string): Stream.Stream<string, RecorderError> =>
  Stream.suspend(() =>
    Stream.fromAsyncIterable(
      nodeFs.createReadStream(path, { encoding: "utf8" }) as AsyncIterable<string>,
      (cause) => new RecorderError({ reason: "read", path, cause })
    )
  ).pipe(Stream.splitLines)

const parseLine = ([line, index]: [string, number]): Option.Option<Either.Either<Entry, Malformed>> => {
  if (line.trim() === "") return Option.none()
  return Option.some(Either.mapLeft(decodeLine(line), (cause) => ({ lineNumber: index + 1, line, cause })))
}

const parsedLines = (path: string) => lines(path).pipe(Stream.zipWithIndex, Stream.filterMap(parseLine))

/**
 * Counts the entries of a recording (ours or the Elixir library's) and measures its duration. Malformed lines are
 * skipped and counted.
 *
 * @since 0.1.0
 * @category reading
 */
export const metadata = (path: string): Effect.Effect<Metadata, RecorderError> =>
  Effect.suspend(() => {
    let count = 0, inbound = 0, outbound = 0, malformed = 0
    let firstTs: string | undefined, lastTs: string | undefined
    const step = (parsed: Either.Either<Entry, Malformed>): void => {
      if (Either.isLeft(parsed)) {
        malformed++
        return
      }
      const entry = parsed.right
      count++
      if (entry.dir === "in") inbound++
      else outbound++
      firstTs ??= entry.ts
      lastTs = entry.ts
    }
    return parsedLines(path).pipe(
      Stream.runForEachChunk((chunk) => Effect.sync(() => Chunk.forEach(chunk, step))),
      Effect.map((): Metadata => ({
        count,
        inbound,
        outbound,
        durationMs: firstTs === undefined || lastTs === undefined ? 0 : durationMs(firstTs, lastTs),
        firstTs,
        lastTs,
        malformed
      }))
    )
  })

const durationMs = (first: string, last: string): number => (epochMicros(last) - epochMicros(first)) / 1000

const paced = <E>(entries: Stream.Stream<Entry, E>, speed: number): Stream.Stream<Entry, E> =>
  Stream.suspend(() => {
    let previous: number | undefined
    return Stream.mapEffect(entries, (entry) => {
      const at = epochMicros(entry.ts)
      const gap = previous === undefined ? 0 : at - previous
      previous = at
      return gap > 0 ? Effect.as(Effect.sleep(Duration.millis(gap / 1000 / speed)), entry) : Effect.succeed(entry)
    })
  })

/**
 * The entries of a recording (ours or the Elixir library's), in file order, read lazily. Malformed lines are skipped
 * (see `onMalformed`), never fatal. Fails with `RecorderError("read")` when the file cannot be read.
 *
 * @since 0.1.0
 * @category reading
 */
export const replay = (path: string, options: ReplayOptions = {}): Stream.Stream<Entry, RecorderError> => {
  const speed = options.speed ?? 1
  if (!(speed > 0)) {
    return Stream.die(new Cause.IllegalArgumentException(`Recorder.replay: speed must be > 0, got ${speed}`))
  }
  const onMalformed = options.onMalformed
  const parsed = onMalformed === undefined ?
    parsedLines(path) :
    Stream.tap(parsedLines(path), (p) => Either.isLeft(p) ? onMalformed(p.left) : Effect.void)
  const all = Stream.filterMap(parsed, Either.getRight)
  const dir = options.dir
  const entries = dir === undefined ? all : Stream.filter(all, (entry) => entry.dir === dir)
  return options.realtime === true ? paced(entries, speed) : entries
}

/**
 * What a mock server should send to replay a recorded session: the recorded **inbound** frames, in order, each after
 * its recorded gap to the previous inbound frame divided by `speed` (the first at once). The same as
 * `replay(path, { realtime: true, speed, dir: "in" })`.
 *
 * @since 0.1.0
 * @category reading
 */
export const script = (
  path: string,
  options: { readonly speed?: number | undefined } = {}
): Stream.Stream<Entry, RecorderError> => replay(path, { realtime: true, speed: options.speed, dir: "in" })
