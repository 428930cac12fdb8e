/**
 * The JSONL wire format of a recording (ZenWebsocket-compatible) as Schemas, and the decoded entries, which live on
 * a prototype: `Pipeable`, and `Inspectable` as their wire form (`toJSON`, `toString` as the JSONL line, Node
 * inspect).
 */
import * as Either from "effect/Either"
import type * as Inspectable from "effect/Inspectable"
import * as ParseResult from "effect/ParseResult"
import type * as Pipeable from "effect/Pipeable"
import * as Schema from "effect/Schema"
import { DataProto } from "./proto.js"
import * as internal from "./recorder.js"

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
export const decodeLine = (line: string): Either.Either<DecodedEntry, ParseResult.ParseError> =>
  Either.map(decodeEither(line), onProto)

const decodeEither = Schema.decodeEither(EntryFromJson)

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
const encodeEntry = Schema.encodeSync(Entry)

/** What every decoded entry inherits: `pipe`, and its wire form as `toJSON`, `toString` and Node inspect. */
const EntryProto = {
  ...DataProto,
  toJSON(this: Entry) {
    return encodeEntry(this)
  },
  toString(this: Entry) {
    return encodeLine(this)
  }
}

/** A decoded entry put on the entry prototype (decoding made it: nothing else holds it). */
const onProto = (entry: Entry): DecodedEntry => Object.setPrototypeOf(entry, EntryProto)

/** A decoded entry. */
export type DecodedEntry = Entry & Pipeable.Pipeable & Inspectable.Inspectable

export const epochMicros = (ts: string): number => internal.parseMicros(ts) ?? NaN
