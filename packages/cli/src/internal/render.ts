/**
 * How frames, recording entries and lifecycle events look: on a terminal with a direction marker, the time and
 * pretty, coloured JSON; on a pipe one frame per line, as received.
 */
import type * as ClientEvent from "@zen-websocket/core/ClientEvent"
import type * as Message from "@zen-websocket/core/Message"
import type * as Recorder from "@zen-websocket/core/Recorder"
import type { Color } from "./output.js"
import { paint } from "./output.js"

/** @internal */
export type BinaryEncoding = "hex" | "base64"

/** @internal */
export interface Style {
  /** markers, times, pretty JSON */
  readonly pretty: boolean
  readonly color: boolean
  readonly binary: BinaryEncoding
}

/** @internal */
export const encodeBytes = (bytes: Uint8Array, encoding: BinaryEncoding): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding)

/** `undefined` when `text` is not valid in that encoding. */
export const decodeBytes = (text: string, encoding: BinaryEncoding): Uint8Array | undefined => {
  const compact = text.replace(/\s+/g, "")
  const valid = encoding === "hex"
    ? /^(?:[0-9a-fA-F]{2})*$/.test(compact)
    : /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 === 0
  return valid ? new Uint8Array(Buffer.from(compact, encoding)) : undefined
}

const time = (date: Date): string => date.toISOString().slice(11, 23)

/** JSON text → its value, only for objects and arrays (a bare number or string stays text). */
const parseJson = (text: string): unknown => {
  const first = text.trimStart()[0]
  if (first !== "{" && first !== "[") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const jsonColors = { key: "cyan", string: "green", number: "yellow", literal: "magenta" } as const

/** @internal */
export const prettyJson = (value: unknown, color: boolean, indent = ""): string => {
  const c = (kind: keyof typeof jsonColors, text: string) => paint(color, jsonColors[kind] as Color, text)
  if (value === null || typeof value === "boolean") return c("literal", String(value))
  if (typeof value === "number") return c("number", String(value))
  if (typeof value === "string") return c("string", JSON.stringify(value))
  const inner = indent + "  "
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]"
    return `[\n${value.map((v) => inner + prettyJson(v, color, inner)).join(",\n")}\n${indent}]`
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.length === 0) return "{}"
    const lines = entries.map(([k, v]) => `${inner}${c("key", JSON.stringify(k))}: ${prettyJson(v, color, inner)}`)
    return `{\n${lines.join(",\n")}\n${indent}}`
  }
  return String(value)
}

const textBody = (text: string, style: Style): string => {
  if (!style.pretty) return text
  const json = parseJson(text)
  return json === undefined ? text : prettyJson(json, style.color)
}

const binaryBody = (bytes: Uint8Array, style: Style): string =>
  style.pretty
    ? `${paint(style.color, "dim", `[binary ${bytes.byteLength} bytes]`)} ${encodeBytes(bytes, style.binary)}`
    : encodeBytes(bytes, style.binary)

const marker = (dir: "in" | "out", style: Style): string =>
  dir === "in" ? paint(style.color, "blue", "<") : paint(style.color, "green", ">")

/** A frame as `connect`, `send` and `record` print it. */
export const message = (frame: Message.Message, style: Style, dir: "in" | "out" = "in", at = new Date()): string => {
  const body = frame._tag === "Text" ? textBody(frame.data, style) : binaryBody(frame.data, style)
  return style.pretty ? `${marker(dir, style)} ${paint(style.color, "dim", time(at))} ${body}` : body
}

/** A recording entry as `replay` lists it: marker, recorded time, body. */
export const entry = (e: Recorder.Entry, style: Style): string => {
  const body = e.type === "text"
    ? textBody(e.data, style)
    : e.type === "binary"
    ? binaryBody(e.data, { ...style, pretty: true })
    : paint(style.color, "yellow", `[close ${e.code}${e.reason === "" ? "" : ` ${e.reason}`}]`)
  return `${marker(e.dir, style)} ${paint(style.color, "dim", e.ts)} ${body}`
}

/** @internal */
export const bytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`

/** @internal */
export const duration = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`
  const m = Math.floor(s / 60)
  return `${m} min ${Math.round(s - m * 60)} s`
}

/** `undefined`: not worth a line. */
const eventLines: {
  readonly [K in ClientEvent.ClientEvent["_tag"]]: (
    event: Extract<ClientEvent.ClientEvent, { _tag: K }>
  ) => string | undefined
} = {
  Connecting: (e) => e.attempt > 1 ? `connecting (attempt ${e.attempt})` : undefined,
  Connected: (e) => `connected in ${e.connectTimeMs} ms`,
  Disconnected: (e) => `disconnected: code ${e.code}${e.reason === "" ? "" : ` (${e.reason})`}`,
  Reconnecting: (e) => `reconnecting in ${Math.round(e.delayMs)} ms (attempt ${e.attempt})`,
  GaveUp: (e) =>
    e.attempts === 0
      ? "gave up: no more reconnection attempts"
      : `gave up after ${e.attempts} attempt${e.attempts === 1 ? "" : "s"}`,
  HeartbeatMissed: (e) => `heartbeat: ${e.missed} pong${e.missed === 1 ? "" : "s"} missed`,
  SubscriptionsRestored: (e) =>
    `subscriptions restored: ${e.restored.join(", ") || "none"}` +
    (e.rejected.length > 0
      ? `; rejected: ${e.rejected.map((r) => `${r.channel} (${r.error.message})`).join(", ")}`
      : ""),
  RateLimited: (e) => `rate limited: ${e.queueSize} sends waiting`,
  FrameTooLarge: (e) => `a frame was over ${e.maxPayload} bytes: the connection was closed with 1009`,
  Closed: () => undefined
}

/** A lifecycle event as a line for stderr (`undefined` for those not worth one). */
export const event = (e: ClientEvent.ClientEvent): string | undefined =>
  (eventLines[e._tag] as (event: ClientEvent.ClientEvent) => string | undefined)(e)
