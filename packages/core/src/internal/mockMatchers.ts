/**
 * Which received frames a `Matcher` selects, and how matchers and frames are described in assertion failures.
 */
import type { Frame, Matcher, ReceivedFrame } from "./mockModels.js"

export const matches = (matcher: Matcher, frame: ReceivedFrame): boolean => {
  if (typeof matcher === "string") return frame._tag === "Text" && frame.data === matcher
  if (typeof matcher === "function") return matcher(frame)
  if (matcher instanceof RegExp) {
    matcher.lastIndex = 0
    return frame._tag === "Text" && matcher.test(frame.data)
  }
  if (matcher instanceof Uint8Array) return frame._tag === "Binary" && bytesEqual(matcher, frame.data)
  if (frame._tag !== "Text") return false
  const json = parseJsonObject(frame.data)
  return json !== undefined && Object.keys(matcher).every((key) => jsonEqual(matcher[key], json[key]))
}

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i])

const parseJsonObject = (text: string): Record<string, unknown> | undefined => {
  if (!text.startsWith("{")) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return isPlainObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const jsonEqual = (expected: unknown, actual: unknown): boolean => {
  if (expected === actual) return true
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length &&
      expected.every((item, i) => jsonEqual(item, actual[i]))
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return false
    const keys = Object.keys(expected)
    return keys.length === Object.keys(actual).length && keys.every((key) => jsonEqual(expected[key], actual[key]))
  }
  return false
}

export const describeMatcher = (matcher: Matcher): string => {
  if (typeof matcher === "string") return JSON.stringify(matcher)
  if (typeof matcher === "function") return `predicate ${matcher.name || "(anonymous)"}`
  if (matcher instanceof RegExp) return String(matcher)
  if (matcher instanceof Uint8Array) return describeBytes(matcher)
  return `partial JSON ${JSON.stringify(matcher)}`
}

const shownFrames = 5

export const describeReceived = (received: ReadonlyArray<ReceivedFrame>): string => {
  if (received.length === 0) return "no frames were received"
  const last = received.slice(-shownFrames)
  const lines = last.map((f) => `  [connection ${f.connectionId}] ${describeFrame(f)}`)
  return `received ${received.length} frame(s), the last ${last.length}:\n${lines.join("\n")}`
}

const describeFrame = (frame: Frame): string =>
  frame._tag === "Text" ? JSON.stringify(truncate(frame.data, 200)) : describeBytes(frame.data)

const describeBytes = (bytes: Uint8Array): string =>
  `<binary ${bytes.byteLength} bytes: ${truncate(Buffer.from(bytes).toString("hex"), 64)}>`

const truncate = (text: string, max: number): string => text.length <= max ? text : `${text.slice(0, max)}…`
