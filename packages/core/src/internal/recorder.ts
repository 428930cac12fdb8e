/**
 * The synchronous parts of the session recorder: the in-memory buffer the `ws` listeners push to, the JSONL line
 * formatter, timestamps with microseconds, redaction and file rotation. No Effect here: `Recorder.ts` wraps these.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as fs from "node:fs/promises"
import type { Redactor } from "./redact.js"

/** @internal */
export type Direction = "in" | "out"

/** flush when this many entries are buffered */
export const BATCH_SIZE = 100

/** entries buffered beyond this (only while writes keep failing) are dropped and counted */
export const MAX_BUFFERED = 100_000

/** @internal */
export const TEXT = 0
/** @internal */
export const BINARY = 1
/** @internal */
export const CLOSE = 2

/**
 * One recorded frame, as captured by the `ws` listener: a timestamp and the raw payload. Formatting (ISO time, base64,
 * JSON escaping, redaction) is deferred to the flush.
 *
 * @internal
 */
export class Pending {
  constructor(
    readonly kind: typeof TEXT | typeof BINARY | typeof CLOSE,
    readonly dir: Direction,
    readonly nanos: bigint,
    /** text data, the binary payload, or the close reason */
    readonly data: string | Uint8Array,
    readonly code: number
  ) {}
}

/**
 * The buffer shared by the record calls (synchronous, from the socket listeners) and the flush (from a fiber). A batch
 * whose write failed is kept as its formatted text, to be written first at the next flush: the entries themselves are
 * let go as soon as they are formatted, so they do not outlive a write in progress (and get promoted to the old space
 * under a busy feed).
 *
 * @internal
 */
export class EntryBuffer {
  entries: Array<Pending> = []
  /** the text of the entries a failed write left, and how many they are */
  unwritten: { readonly text: string; readonly count: number } | undefined = undefined
  closed = false
  written = 0
  bytes = 0
  dropped = 0

  constructor(
    private readonly clock: Clock.Clock,
    /** called when the buffer stops being empty */
    private readonly onPending: () => void,
    /** called (cheaply, possibly many times) once `BATCH_SIZE` entries are buffered */
    private readonly onFull: () => void
  ) {}

  push(kind: Pending["kind"], dir: Direction, data: string | Uint8Array, code: number): void {
    if (this.closed) return
    const entries = this.entries
    if (entries.length + this.unwrittenCount >= MAX_BUFFERED) {
      this.dropped++
      return
    }
    const length = entries.push(new Pending(kind, dir, this.clock.unsafeCurrentTimeNanos(), data, code))
    if (length === 1) this.onPending()
    else if (length >= BATCH_SIZE) this.onFull()
  }

  get unwrittenCount(): number {
    return this.unwritten?.count ?? 0
  }

  /** entries not written yet: buffered, or left by a failed write */
  get size(): number {
    return this.entries.length + this.unwrittenCount
  }

  /** what to write next: the text a failed write left, then every buffered entry formatted, in order */
  take(redact: Redactor): { readonly text: string; readonly count: number } | undefined {
    const batch = this.entries
    const unwritten = this.unwritten
    if (batch.length === 0) {
      this.unwritten = undefined
      return unwritten
    }
    this.entries = []
    this.unwritten = undefined
    const text = formatBatch(batch, redact)
    return unwritten === undefined
      ? { text, count: batch.length }
      : { text: unwritten.text + text, count: unwritten.count + batch.length }
  }

  /** keeps the text of a failed write, in front of what arrives since */
  retryLater(unwritten: { readonly text: string; readonly count: number }): void {
    this.unwritten = unwritten
    this.onPending()
  }

  /** closes the buffer when nothing is left to write; later records are ignored */
  closeIfEmpty(): boolean {
    if (this.size === 0) this.closed = true
    return this.closed
  }

  /** closes the buffer, dropping what could not be written */
  close(): number {
    const lost = this.size
    this.dropped += lost
    this.entries = []
    this.unwritten = undefined
    this.closed = true
    return lost
  }
}

// -------------------------------------------------------------------------------------------------------------------
// timestamps
// -------------------------------------------------------------------------------------------------------------------

// entries of one flush mostly share their second: format it once
let cachedSecond = NaN
let cachedPrefix = ""

/**
 * `2026-11-25T21:00:00.123456Z` from nanoseconds since the epoch (truncated to microseconds).
 *
 * @internal
 */
export const isoMicros = (nanos: bigint): string => {
  const micros = Number(nanos / 1000n)
  const second = Math.floor(micros / 1_000_000)
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20)
    cachedSecond = second
  }
  return cachedPrefix + String(micros - second * 1_000_000 + 1_000_000).slice(1) + "Z"
}

const isoPattern = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?([Zz]|[+-]\d{2}(?::?\d{2})?)$/

const normalizeOffset = (offset: string): string => {
  if (offset === "Z" || offset === "z") return "Z"
  const digits = offset.slice(1).replace(":", "")
  return `${offset[0]}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2) : "00"}`
}

/**
 * Microseconds since the epoch of an ISO 8601 date-time with an offset (`Z` or `±hh:mm`) and 0–9 fraction digits, as
 * Elixir's `DateTime.from_iso8601` reads them; `undefined` when it is not one.
 *
 * @internal
 */
export const parseMicros = (ts: string): number | undefined => {
  const match = isoPattern.exec(ts)
  if (match === null) return undefined
  const [, date, time, fraction, offset] = match
  const seconds = Date.parse(`${date}T${time}${normalizeOffset(offset)}`)
  if (Number.isNaN(seconds)) return undefined
  const micros = fraction === undefined ? 0 : Number(fraction.slice(0, 6).padEnd(6, "0"))
  return seconds * 1000 + micros
}

// -------------------------------------------------------------------------------------------------------------------
// lines
// -------------------------------------------------------------------------------------------------------------------

const toBase64 = (data: Uint8Array): string =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64")

/**
 * The JSONL line of one entry (without the newline). Key order: `ts`, `dir`, `type`, `data`, then `binary` or
 * `code`/`reason`. A close entry carries `code`/`reason` and, for the Elixir reader, `data` as the JSON string
 * `{"code":N,"reason":"..."}`.
 *
 * @internal
 */
export const formatLine = (entry: Pending, redact: Redactor): string => {
  const head = `{"ts":"${isoMicros(entry.nanos)}","dir":"${entry.dir}"`
  switch (entry.kind) {
    case TEXT:
      return `${head},"type":"text","data":${JSON.stringify(redact(entry.data as string))}}`
    case BINARY:
      return `${head},"type":"binary","data":"${toBase64(entry.data as Uint8Array)}","binary":true}`
    case CLOSE: {
      const code = entry.code
      const reason = JSON.stringify(entry.data as string)
      const data = JSON.stringify(`{"code":${code},"reason":${reason}}`)
      return `${head},"type":"close","data":${data},"code":${code},"reason":${reason}}`
    }
  }
}

/**
 * Every entry of a batch as JSONL, each line ending with a newline.
 *
 * @internal
 */
export const formatBatch = (batch: ReadonlyArray<Pending>, redact: Redactor): string => {
  const lines = new Array<string>(batch.length + 1)
  for (let i = 0; i < batch.length; i++) lines[i] = formatLine(batch[i], redact)
  lines[batch.length] = ""
  return lines.join("\n")
}

// -------------------------------------------------------------------------------------------------------------------
// redaction (shared with the debug logs: `redact.ts`)
// -------------------------------------------------------------------------------------------------------------------

export { defaultRedactKeys, makeRedactor, MASK, type Redactor } from "./redact.js"

// -------------------------------------------------------------------------------------------------------------------
// files
// -------------------------------------------------------------------------------------------------------------------

const exists = (path: string): Promise<boolean> =>
  fs.stat(path).then(() => true, (error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return false
    throw error
  })

/**
 * Moves a non-empty `path` aside to `<path>.<timestamp>` (`2026-11-25T21-00-00.123Z`, with `-1`, `-2`… appended
 * when that name is taken). Returns the new path, or `undefined` when there was nothing to move.
 *
 * @internal
 */
export const rotate = async (path: string, nowMillis: number): Promise<string | undefined> => {
  const stat = await fs.stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined
    throw error
  })
  if (stat === undefined || stat.size === 0) return undefined
  const base = `${path}.${new Date(nowMillis).toISOString().replace(/:/g, "-")}`
  let target = base
  for (let n = 1; await exists(target); n++) target = `${base}-${n}`
  await fs.rename(path, target)
  return target
}

/**
 * Opens (creating) `path` for appending, after rotating it in `rotate` mode. Never truncates.
 *
 * @internal
 */
export const open = async (path: string, mode: "append" | "rotate", nowMillis: number): Promise<fs.FileHandle> => {
  if (mode === "rotate") await rotate(path, nowMillis)
  return fs.open(path, "a")
}
