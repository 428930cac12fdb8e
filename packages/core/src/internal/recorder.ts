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

/** what a failed write left (its bytes, written first at the next flush) or what `take` hands to the writer */
export class Batch {
  constructor(readonly bytes: Uint8Array, readonly count: number) {}
  /** the JSONL text of the batch */
  get text(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString("utf8")
  }
}

/**
 * The buffer shared by the record calls (synchronous, from the socket listeners) and the flush (from a fiber). A frame
 * is captured as its payload, a number (kind, direction, close code) and a number (microseconds since the epoch) in
 * three arrays: no object per frame, nothing but the payload kept alive until the flush. Formatting (ISO time, base64,
 * JSON escaping, redaction) happens at the flush, for the whole batch at once, into one byte buffer. A batch whose write
 * failed is kept as its bytes, to be written first at the next flush.
 *
 * @internal
 */
export class EntryBuffer {
  private tags: Array<number> = []
  private times: Array<number> = []
  private datas: Array<string | Uint8Array> = []
  /** the bytes of the entries a failed write left, and how many they are */
  unwritten: Batch | undefined = undefined
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

  push(
    kind: typeof TEXT | typeof BINARY | typeof CLOSE,
    dir: Direction,
    data: string | Uint8Array,
    code: number
  ): void {
    if (this.closed) return
    const length = this.datas.length
    if (length + this.unwrittenCount >= MAX_BUFFERED) {
      this.dropped++
      return
    }
    // microseconds as a number (exact below 2^53): the bigint does not outlive this call
    this.times.push(Number(this.clock.unsafeCurrentTimeNanos() / 1000n))
    this.tags.push(kind | (dir === "out" ? OUT : 0) | (code << CODE_SHIFT))
    this.datas.push(data)
    if (length === 0) this.onPending()
    else if (length + 1 >= BATCH_SIZE) this.onFull()
  }

  get unwrittenCount(): number {
    return this.unwritten?.count ?? 0
  }

  /** entries not written yet: buffered, or left by a failed write */
  get size(): number {
    return this.datas.length + this.unwrittenCount
  }

  /** what to write next: the bytes a failed write left, then every buffered entry formatted, in order */
  take(redact: Redactor): Batch | undefined {
    const datas = this.datas
    const unwritten = this.unwritten
    this.unwritten = undefined
    if (datas.length === 0) return unwritten
    const tags = this.tags
    const times = this.times
    this.datas = []
    this.tags = []
    this.times = []
    const bytes = formatBatch(tags, times, datas, redact)
    return unwritten === undefined
      ? new Batch(bytes, datas.length)
      : new Batch(Buffer.concat([unwritten.bytes, bytes]), unwritten.count + datas.length)
  }

  /** keeps the bytes of a failed write, in front of what arrives since */
  retryLater(unwritten: Batch | { readonly text: string; readonly count: number }): void {
    this.unwritten = unwritten instanceof Batch ? unwritten : new Batch(Buffer.from(unwritten.text), unwritten.count)
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
    this.datas = []
    this.tags = []
    this.times = []
    this.unwritten = undefined
    this.closed = true
    return lost
  }
}

const OUT = 4
const CODE_SHIFT = 3

// -------------------------------------------------------------------------------------------------------------------
// timestamps
// -------------------------------------------------------------------------------------------------------------------

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
// lines, written as bytes
// -------------------------------------------------------------------------------------------------------------------

const ascii = (text: string): Uint8Array => Buffer.from(text, "latin1")

const HEAD = ascii(`{"ts":"`)
const MIDDLE = [
  ascii(`","dir":"in","type":"text","data":"`),
  ascii(`","dir":"in","type":"binary","data":"`),
  ascii(`","dir":"in","type":"close","data":`),
  ascii(``),
  ascii(`","dir":"out","type":"text","data":"`),
  ascii(`","dir":"out","type":"binary","data":"`),
  ascii(`","dir":"out","type":"close","data":`)
]
const TEXT_END = ascii(`"}\n`)
const BINARY_END = ascii(`","binary":true}\n`)
const HEX = ascii("0123456789abcdef")
/** "000" to "999", three bytes each */
const DIGITS = ascii(Array.from({ length: 1000 }, (_, i) => String(i + 1000).slice(1)).join(""))
/** the short escapes of JSON.stringify (\b \t \n \f \r) by code unit, 0 where `\u00XX` is written */
const SHORT_ESCAPE = new Uint8Array(32)
SHORT_ESCAPE[8] = 0x62
SHORT_ESCAPE[9] = 0x74
SHORT_ESCAPE[10] = 0x6e
SHORT_ESCAPE[12] = 0x66
SHORT_ESCAPE[13] = 0x72

/**
 * A growing byte buffer the lines of one batch are written into: ASCII copied and escaped by a loop, the timestamp's
 * digits from a table, nothing allocated per line. A 64 B JSON frame's line costs 0.37–0.43 µs of CPU this way, against
 * 0.59–0.73 µs as strings (`JSON.stringify` per frame, a template per line, `join`, then `Buffer.from`: the UTF-8
 * encoding alone was ~0.2 µs), in batches of 1 000 on the loaded 2-core bench machine; one `JSON.stringify` of the
 * whole batch as objects (then splitting it into lines) was 0.7–1.0 µs.
 */
class Output {
  buf: Buffer
  pos = 0
  private second = NaN
  private readonly prefix = new Uint8Array(20)

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(capacity)
  }

  ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + more))
    this.buf.copy(bigger, 0, 0, this.pos)
    this.buf = bigger
  }

  copy(bytes: Uint8Array): void {
    const buf = this.buf
    let pos = this.pos
    for (let i = 0; i < bytes.length; i++) buf[pos++] = bytes[i]
    this.pos = pos
  }

  /** the 27 bytes of `isoMicros(micros)` */
  timestamp(micros: number): void {
    const second = Math.floor(micros / 1_000_000)
    if (second !== this.second) {
      this.prefix.set(ascii(new Date(second * 1000).toISOString().slice(0, 20)))
      this.second = second
    }
    this.copy(this.prefix)
    const fraction = micros - second * 1_000_000
    const high = Math.floor(fraction / 1000) * 3
    const low = (fraction % 1000) * 3
    const buf = this.buf
    const pos = this.pos
    buf[pos] = DIGITS[high]
    buf[pos + 1] = DIGITS[high + 1]
    buf[pos + 2] = DIGITS[high + 2]
    buf[pos + 3] = DIGITS[low]
    buf[pos + 4] = DIGITS[low + 1]
    buf[pos + 5] = DIGITS[low + 2]
    buf[pos + 6] = 0x5a // Z
    this.pos = pos + 7
  }

  /** what `JSON.stringify(text)` writes between its quotes, as UTF-8 */
  escaped(text: string): void {
    this.ensure(text.length * 6)
    const buf = this.buf
    const start = this.pos
    let pos = start
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c >= 0x20 && c < 0x80) {
        if (c === 0x22 || c === 0x5c) buf[pos++] = 0x5c
        buf[pos++] = c
      } else if (c < 0x20) {
        buf[pos++] = 0x5c
        const short = SHORT_ESCAPE[c]
        if (short !== 0) {
          buf[pos++] = short
        } else {
          buf[pos++] = 0x75 // u
          buf[pos++] = 0x30
          buf[pos++] = 0x30
          buf[pos++] = HEX[c >> 4]
          buf[pos++] = HEX[c & 15]
        }
      } else {
        // beyond ASCII (multi-byte UTF-8, lone surrogates escaped): Node's own encoder for the whole text
        const json = JSON.stringify(text)
        pos = start + buf.write(json.slice(1, -1), start, "utf8")
        break
      }
    }
    this.pos = pos
  }

  latin1(text: string): void {
    this.ensure(text.length)
    this.pos += this.buf.write(text, this.pos, "latin1")
  }

  utf8(text: string): void {
    this.ensure(text.length * 3)
    this.pos += this.buf.write(text, this.pos, "utf8")
  }
}

const toBase64 = (data: Uint8Array): string =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64")

/**
 * Every entry of a batch as JSONL, each line ending with a newline. Key order: `ts`, `dir`, `type`, `data`, then
 * `binary` or `code`/`reason`. A close entry carries `code`/`reason` and, for the Elixir reader, `data` as the JSON
 * string `{"code":N,"reason":"..."}`. Text is what `JSON.stringify` writes, after redaction.
 *
 * @internal
 */
export const formatBatch = (
  tags: ReadonlyArray<number>,
  times: ReadonlyArray<number>,
  datas: ReadonlyArray<string | Uint8Array>,
  redact: Redactor
): Uint8Array => {
  let estimate = 0
  for (let i = 0; i < datas.length; i++) estimate += datas[i].length
  const out = new Output(datas.length * 96 + estimate + (estimate >> 2) + 64)
  for (let i = 0; i < datas.length; i++) {
    const tag = tags[i]
    const kind = tag & 3
    out.ensure(96)
    out.copy(HEAD)
    out.timestamp(times[i])
    out.copy(MIDDLE[tag & 7])
    switch (kind) {
      case TEXT:
        out.escaped(redact(datas[i] as string))
        out.ensure(TEXT_END.length)
        out.copy(TEXT_END)
        break
      case BINARY:
        out.latin1(toBase64(datas[i] as Uint8Array))
        out.ensure(BINARY_END.length)
        out.copy(BINARY_END)
        break
      case CLOSE: {
        const code = tag >> CODE_SHIFT
        const reason = JSON.stringify(datas[i] as string)
        out.utf8(`${JSON.stringify(`{"code":${code},"reason":${reason}}`)},"code":${code},"reason":${reason}}\n`)
        break
      }
    }
  }
  return out.buf.subarray(0, out.pos)
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
