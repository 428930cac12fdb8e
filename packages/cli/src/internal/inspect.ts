/**
 * `zenws inspect <file.jsonl>`: what a recording holds — `Recorder.metadata`'s counts and times, the frame sizes,
 * the message rate over time, the most frequent JSON `method` and channel values, the close codes — as a readable
 * summary or, with `--json`, one JSON object.
 */
import * as Recorder from "@zen-websocket/core/Recorder"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { InspectConfig } from "./flags.js"
import type { Output } from "./output.js"
import * as Render from "./render.js"

/** @internal */
export interface Summary {
  readonly file: string
  readonly count: number
  readonly inbound: number
  readonly outbound: number
  readonly closes: number
  readonly text: number
  readonly binary: number
  readonly malformed: number
  readonly durationMs: number
  readonly firstTs: string | null
  readonly lastTs: string | null
  readonly sizes: {
    readonly min: number
    readonly p50: number
    readonly p90: number
    readonly p99: number
    readonly max: number
    readonly histogram: ReadonlyArray<{ readonly upTo: number | null; readonly count: number }>
  }
  readonly rate: { readonly bucketSeconds: number; readonly frames: ReadonlyArray<number> }
  readonly methods: ReadonlyArray<{ readonly value: string; readonly count: number }>
  readonly channels: ReadonlyArray<{ readonly value: string; readonly count: number }>
  readonly closeCodes: ReadonlyArray<{ readonly code: number; readonly reason: string; readonly count: number }>
}

/** Upper bounds of the size histogram's buckets, in bytes (the last bucket is everything larger). */
const sizeBuckets = [64, 256, 1024, 4096, 16384, 65536]

/** At most this many rows in the rate histogram. */
const rateRows = 20

const record = (u: unknown): Record<string, unknown> | undefined =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? u as Record<string, unknown> : undefined

/** The channel of a notification in the usual shapes: JSON-RPC `params.channel`, `channel`, `topic`, `arg.channel`. */
const channelOf = (json: Record<string, unknown>): unknown =>
  record(json.params)?.channel ?? json.channel ?? json.topic ?? record(json.arg)?.channel

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]

const top = (counts: Map<string, number>, n: number) =>
  [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([value, count]) => ({
    value,
    count
  }))

const bump = (counts: Map<string, number>, key: unknown) => {
  if (typeof key === "string" || typeof key === "number") counts.set(String(key), (counts.get(String(key)) ?? 0) + 1)
}

/** @internal */
export const summarise = (file: string, topN: number): Effect.Effect<Summary, Recorder.RecorderError> =>
  Effect.gen(function*() {
    const meta = yield* Recorder.metadata(file)
    const first = meta.firstTs === undefined ? 0 : Recorder.epochMicros(meta.firstTs)
    const bucketSeconds = Math.max(1, Math.ceil(meta.durationMs / 1000 / rateRows))
    const rate: Array<number> = []
    const sizes: Array<number> = []
    const methods = new Map<string, number>()
    const channels = new Map<string, number>()
    const closeCodes = new Map<number, { reason: string; count: number }>()
    let text = 0, binary = 0, closes = 0
    const step = (entry: Recorder.Entry) => {
      const bucket = Math.max(0, Math.floor((Recorder.epochMicros(entry.ts) - first) / 1e6 / bucketSeconds))
      while (rate.length <= bucket) rate.push(0)
      rate[bucket]++
      if (entry.type === "close") {
        closes++
        const seen = closeCodes.get(entry.code)
        closeCodes.set(entry.code, { reason: seen?.reason ?? entry.reason, count: (seen?.count ?? 0) + 1 })
        return
      }
      if (entry.type === "binary") {
        binary++
        sizes.push(entry.data.byteLength)
        return
      }
      text++
      sizes.push(Buffer.byteLength(entry.data))
      if (!entry.data.startsWith("{")) return
      try {
        const json = record(JSON.parse(entry.data))
        if (json === undefined) return
        bump(methods, json.method)
        bump(channels, channelOf(json))
      } catch {
        // not JSON: counted by size only
      }
    }
    yield* Stream.runForEachChunk(Recorder.replay(file), (chunk) => Effect.sync(() => Chunk.forEach(chunk, step)))
    sizes.sort((a, b) => a - b)
    const histogram = [...sizeBuckets, null].map((upTo, i) => ({
      upTo,
      count: sizes.filter((s) => s > (i === 0 ? -1 : sizeBuckets[i - 1]) && (upTo === null || s <= upTo)).length
    }))
    return {
      file,
      count: meta.count,
      inbound: meta.inbound,
      outbound: meta.outbound,
      closes,
      text,
      binary,
      malformed: meta.malformed,
      durationMs: meta.durationMs,
      firstTs: meta.firstTs ?? null,
      lastTs: meta.lastTs ?? null,
      sizes: {
        min: sizes[0] ?? 0,
        p50: percentile(sizes, 0.5),
        p90: percentile(sizes, 0.9),
        p99: percentile(sizes, 0.99),
        max: sizes[sizes.length - 1] ?? 0,
        histogram
      },
      rate: { bucketSeconds, frames: rate },
      methods: top(methods, topN),
      channels: top(channels, topN),
      closeCodes: [...closeCodes].sort((a, b) => a[0] - b[0]).map(([code, seen]) => ({ code, ...seen }))
    }
  })

const histogramLines = (
  rows: ReadonlyArray<readonly [label: string, value: number, note: string]>,
  output: Output
): Array<string> => {
  const max = Math.max(1, ...rows.map(([, value]) => value))
  const width = Math.max(...rows.map(([label]) => label.length))
  const block = output.tty ? "█" : "#"
  return rows.map(([label, value, note]) =>
    `  ${label.padStart(width)}  ${output.paintOut("cyan", block.repeat(Math.ceil((value / max) * 30)))} ${note}`
  )
}

const list = (items: ReadonlyArray<{ readonly value: string; readonly count: number }>) =>
  items.length === 0 ? "none" : items.map((i) => `${i.value} ×${i.count}`).join(", ")

/** @internal */
export const render = (s: Summary, output: Output): Array<string> => {
  const label = (text: string) => output.paintOut("bold", text.padEnd(12))
  const sizeLabel = (upTo: number | null) =>
    upTo === null ? `> ${Render.bytes(sizeBuckets[sizeBuckets.length - 1])}` : `≤ ${Render.bytes(upTo)}`
  const sizeRows = s.sizes.histogram.map((b) => [sizeLabel(b.upTo), b.count, String(b.count)] as const)
  const perSecond = (n: number) => (n / s.rate.bucketSeconds).toFixed(1)
  const rateRows = s.rate.frames.map((n, i) =>
    [`+${i * s.rate.bucketSeconds} s`, n, `${n} frame${n === 1 ? "" : "s"} (${perSecond(n)}/s)`] as const
  )
  return [
    `${label("recording")}${s.file}`,
    `${label("frames")}${s.count} (${s.inbound} in, ${s.outbound} out; ${s.text} text, ${s.binary} binary, ` +
    `${s.closes} close)`,
    `${label("time")}${s.firstTs ?? "-"} → ${s.lastTs ?? "-"} (${Render.duration(s.durationMs)})`,
    `${label("malformed")}${s.malformed} line${s.malformed === 1 ? "" : "s"} skipped`,
    `${label("sizes")}min ${Render.bytes(s.sizes.min)} · p50 ${Render.bytes(s.sizes.p50)} · p90 ` +
    `${Render.bytes(s.sizes.p90)} · p99 ${Render.bytes(s.sizes.p99)} · max ${Render.bytes(s.sizes.max)}`,
    ...histogramLines(sizeRows, output),
    `${label("rate")}frames per ${s.rate.bucketSeconds} s from the first entry`,
    ...(rateRows.length === 0 ? ["  none"] : histogramLines(rateRows, output)),
    `${label("methods")}${list(s.methods)}`,
    `${label("channels")}${list(s.channels)}`,
    `${label("close codes")}${
      s.closeCodes.length === 0
        ? "none"
        : s.closeCodes.map((c) => `${c.code}${c.reason === "" ? "" : ` (${c.reason})`} ×${c.count}`).join(", ")
    }`
  ]
}

/** @internal */
export const run = (config: InspectConfig, output: Output) =>
  Effect.map(summarise(config.file, config.top), (summary) => {
    if (config.json) output.line(JSON.stringify(summary, null, output.tty ? 2 : undefined))
    else for (const line of render(summary, output)) output.line(line)
  })
