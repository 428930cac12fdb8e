/**
 * The reading half of the recorder: a recording's lines, read lazily, decoded (a malformed line is skipped and
 * reported, never fatal), counted for `metadata`, and paced on the Effect `Clock` for a realtime `replay`.
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Stream from "effect/Stream"
import * as nodeFs from "node:fs"
import { RecorderError } from "../WebSocketError.js"
import { type DecodedEntry, decodeLine, type Direction, epochMicros } from "./recorderWire.js"

/** A line that is not a valid entry. */
export interface Malformed {
  /** 1-based */
  readonly lineNumber: number
  readonly line: string
  readonly cause: ParseResult.ParseError
}

/** How to replay. */
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

const parseLine = ([line, index]: [string, number]): Option.Option<Either.Either<DecodedEntry, Malformed>> => {
  if (line.trim() === "") return Option.none()
  return Option.some(Either.mapLeft(decodeLine(line), (cause) => ({ lineNumber: index + 1, line, cause })))
}

const parsedLines = (path: string) => lines(path).pipe(Stream.zipWithIndex, Stream.filterMap(parseLine))

/** Counts the entries of a recording (see `Recorder.metadata`). */
export const metadata = (path: string) =>
  Effect.suspend(() => {
    let count = 0, inbound = 0, outbound = 0, malformed = 0
    let firstTs: string | undefined, lastTs: string | undefined
    const step = (parsed: Either.Either<DecodedEntry, Malformed>): void => {
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
      Effect.map(() => ({
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

const paced = <E>(entries: Stream.Stream<DecodedEntry, E>, speed: number): Stream.Stream<DecodedEntry, E> =>
  Stream.suspend(() => {
    let previous: number | undefined
    return Stream.mapEffect(entries, (entry) => {
      const at = epochMicros(entry.ts)
      const gap = previous === undefined ? 0 : at - previous
      previous = at
      return gap > 0 ? Effect.as(Effect.sleep(Duration.millis(gap / 1000 / speed)), entry) : Effect.succeed(entry)
    })
  })

/** The entries of a recording (see `Recorder.replay`). */
export const replay = (path: string, options: ReplayOptions = {}): Stream.Stream<DecodedEntry, RecorderError> => {
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

/** The inbound frames of a recording, paced (see `Recorder.script`). */
export const script = (
  path: string,
  options: { readonly speed?: number | undefined } = {}
): Stream.Stream<DecodedEntry, RecorderError> => replay(path, { realtime: true, speed: options.speed, dir: "in" })
