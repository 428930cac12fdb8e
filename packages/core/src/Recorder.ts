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
 * The wire format lives in `internal/recorderWire.ts`, the writer in `internal/recorderWriter.ts`, the reader in
 * `internal/recorderReader.ts`, the buffer, formatter and redaction in `internal/recorder.ts`. About 400 lines: the
 * wire format's schemas and the recorder's API are documented together.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as ParseResult from "effect/ParseResult"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/recorder.js"
import * as reader from "./internal/recorderReader.js"
import * as wire from "./internal/recorderWire.js"
import * as writer from "./internal/recorderWriter.js"
import type { RecorderError } from "./WebSocketError.js"

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
export const Direction: typeof wire.Direction = wire.Direction

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
export const Timestamp: typeof wire.Timestamp = wire.Timestamp

/**
 * A text frame: `{"ts","dir","type":"text","data"}`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TextEntry: typeof wire.TextEntry = wire.TextEntry

/**
 * A binary frame: `{"ts","dir","type":"binary","data":"<base64>","binary":true}`, decoded to bytes. `binary` is
 * optional on read. Invalid base64 makes the line malformed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BinaryEntry: typeof wire.BinaryEntry = wire.BinaryEntry

/**
 * A close frame, decoded to `{ ts, dir, type: "close", code, reason }`. Written with `code` and `reason` and, for the
 * Elixir reader, `data: "{\"code\":N,\"reason\":\"...\"}"`; read from `code`/`reason` when present, else from `data`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CloseEntry: typeof wire.CloseEntry = wire.CloseEntry

/**
 * One line of a recording.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Entry: typeof wire.Entry = wire.Entry

/**
 * A decoded entry: `type` tells `"text"` (`data: string`), `"binary"` (`data: Uint8Array`) and `"close"` (`code`,
 * `reason`) apart. `ts` is the timestamp as written (see {@link epochMicros}). Decoded entries (`decodeLine`,
 * `replay`) live on a prototype: they are {@link DecodedEntry}s.
 *
 * @since 0.1.0
 * @category models
 */
export type Entry = typeof Entry.Type

/**
 * An entry as `decodeLine` and `replay` hand it out: `Pipeable`, and `Inspectable` as its wire form (`toJSON`,
 * `toString` is the JSONL line, Node inspect).
 *
 * @since 0.2.0
 * @category models
 */
export type DecodedEntry = wire.DecodedEntry

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

/**
 * Decodes one JSONL line.
 *
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import * as Recorder from "@zen-websocket/core/Recorder"
 *
 * const entry = Recorder.decodeLine("{\"ts\":\"2026-01-20T15:30:45.000001Z\",\"dir\":\"in\",\"type\":\"text\",\"data\":\"hi\"}")
 * if (Either.isRight(entry)) String(entry.right) // the JSONL line again
 * ```
 *
 * @since 0.1.0
 * @category codecs
 */
export const decodeLine: (line: string) => Either.Either<DecodedEntry, ParseResult.ParseError> = wire.decodeLine

/**
 * Encodes one entry as a JSONL line (without the newline), exactly as the recorder writes it (unredacted).
 *
 * @example
 * ```ts
 * import * as Recorder from "@zen-websocket/core/Recorder"
 *
 * Recorder.encodeLine({ ts: "2026-01-20T15:30:45.000001Z", dir: "out", type: "text", data: "hello" })
 * ```
 *
 * @since 0.1.0
 * @category codecs
 */
export const encodeLine: (entry: Entry) => string = wire.encodeLine

/**
 * Microseconds since the epoch of an entry's `ts` (`NaN` when it is not a valid timestamp).
 *
 * @example
 * ```ts
 * import * as Recorder from "@zen-websocket/core/Recorder"
 *
 * Recorder.epochMicros("1970-01-01T00:00:01.000002Z") // 1000002
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const epochMicros: (ts: string) => number = wire.epochMicros

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
export type RecorderOptions = writer.RecorderOptions

/**
 * `client_secret`, `access_token`, `refresh_token`, `password`, `signature`, and the login fields of the built-in
 * dialects' venues: `passphrase`, `sign` (OKX), `jwt` (Coinbase), `token` (Kraken).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRedactKeys: ReadonlyArray<string> = internal.defaultRedactKeys

/**
 * Opens (creating) the recording at `path` and starts its flush fiber. Closing the scope writes every buffered entry
 * and closes the file, whatever the scope's exit. Fails with `RecorderError("open")` when the file cannot be opened
 * (e.g. its directory does not exist) or rotated.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Recorder from "@zen-websocket/core/Recorder"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const recorder = yield* Recorder.make("session.jsonl", { redact: ["api_key"], mode: "rotate" })
 *   recorder.recordText("out", "{\"method\":\"public/test\"}")
 *   yield* recorder.flush
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (path: string, options?: RecorderOptions) => Effect.Effect<Recorder, RecorderError, Scope.Scope> =
  writer.make

/**
 * The {@link Recorder} service for a client, recording to `path` for the layer's lifetime.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Recorder from "@zen-websocket/core/Recorder"
 * import * as Client from "@zen-websocket/core/Client"
 *
 * const program = Effect.scoped(Effect.flatMap(Client.connect("wss://feed.example/ws"), (c) => Client.sendMessage(c, "x")))
 * const recorded = Effect.provide(program, Recorder.layer("session.jsonl"))
 * ```
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
export type Malformed = reader.Malformed

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
export type ReplayOptions = reader.ReplayOptions

/**
 * Counts the entries of a recording (ours or the Elixir library's) and measures its duration. Malformed lines are
 * skipped and counted.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Recorder from "@zen-websocket/core/Recorder"
 *
 * const program = Effect.map(Recorder.metadata("session.jsonl"), ({ count, durationMs }) => `${count} frames in ${durationMs} ms`)
 * ```
 *
 * @since 0.1.0
 * @category reading
 */
export const metadata: (path: string) => Effect.Effect<Metadata, RecorderError> = reader.metadata

/**
 * The entries of a recording (ours or the Elixir library's), in file order, read lazily. Malformed lines are skipped
 * (see `onMalformed`), never fatal. Fails with `RecorderError("read")` when the file cannot be read.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Recorder from "@zen-websocket/core/Recorder"
 * import * as Stream from "effect/Stream"
 *
 * const inbound = Recorder.replay("session.jsonl", { dir: "in", realtime: true, speed: 10 }).pipe(
 *   Stream.runForEach((entry) => Effect.log(entry.type))
 * )
 * ```
 *
 * @since 0.1.0
 * @category reading
 */
export const replay: (path: string, options?: ReplayOptions) => Stream.Stream<DecodedEntry, RecorderError> =
  reader.replay

/**
 * What a mock server should send to replay a recorded session: the recorded **inbound** frames, in order, each after
 * its recorded gap to the previous inbound frame divided by `speed` (the first at once). The same as
 * `replay(path, { realtime: true, speed, dir: "in" })`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Recorder from "@zen-websocket/core/Recorder"
 * import * as Stream from "effect/Stream"
 *
 * const frames = Recorder.script("session.jsonl", { speed: 2 }).pipe(Stream.runCount)
 * ```
 *
 * @since 0.1.0
 * @category reading
 */
export const script: (
  path: string,
  options?: { readonly speed?: number | undefined }
) => Stream.Stream<DecodedEntry, RecorderError> = reader.script
