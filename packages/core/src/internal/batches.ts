/**
 * Splits channels into requests that fit a dialect's limits: at most `maxChannelsPerRequest` channels of one group
 * per request, and a frame of at most `maxFrameBytes`. A channel whose frame alone is over the limit is refused here
 * (it would be refused by the server anyway) rather than sent.
 */
import * as Predicate from "effect/Predicate"
import { SendError } from "../WebSocketError.js"
import type * as Dialect from "./dialect/types.js"

/** @internal */
export type Kind = "subscribe" | "unsubscribe"

/** @internal */
export interface Plan {
  readonly batches: ReadonlyArray<ReadonlyArray<string>>
  readonly oversize: ReadonlyArray<Dialect.Rejection>
}

/** What a frame is called in timeouts and telemetry: its `op`, `method`, `type` or `event` field, else `fallback`. */
export const labelOf = (frame: unknown, fallback: string): string => {
  if (Predicate.isRecord(frame)) {
    for (const key of ["method", "op", "type", "event"]) {
      if (typeof frame[key] === "string") return frame[key] as string
    }
  }
  return fallback
}

/** The frame as it goes on the wire. */
export const encodeFrame = (frame: Dialect.Frame): string => typeof frame === "string" ? frame : JSON.stringify(frame)

/** The largest ref a request can get: sizes measured with it are upper bounds. */
const widestRef = Number.MAX_SAFE_INTEGER

/** @internal */
export const plan = (
  dialect: Dialect.Dialect,
  kind: Kind,
  channels: ReadonlyArray<string>,
  serverId: (channel: string) => string | undefined
): Plan => {
  const { maxChannelsPerRequest, maxFrameBytes } = dialect.limits
  const most = Math.max(1, maxChannelsPerRequest)
  const context: Dialect.RequestContext = { ref: widestRef, serverId }
  const bytesOf = (batch: ReadonlyArray<string>) => Buffer.byteLength(encodeFrame(dialect[kind](batch, context)))
  const batches: Array<ReadonlyArray<string>> = []
  const oversize: Array<Dialect.Rejection> = []
  const fits = (batch: ReadonlyArray<string>) => bytesOf(batch) <= maxFrameBytes
  /** an estimate that was too low: halve until every part fits */
  const push = (batch: ReadonlyArray<string>) => {
    if (batch.length === 0) return
    if (batch.length === 1 || fits(batch)) return void batches.push(batch)
    const half = Math.ceil(batch.length / 2)
    push(batch.slice(0, half))
    push(batch.slice(half))
  }
  for (const group of groups(dialect, channels)) {
    const base = safeBytes(bytesOf, [])
    let current: Array<string> = []
    let bytes = base
    for (const channel of group) {
      const single = bytesOf([channel])
      if (single > maxFrameBytes) {
        oversize.push({ channel, error: tooLarge(dialect, kind, single) })
        continue
      }
      // what one more channel adds: its own bytes beyond the empty frame, and a separator
      const cost = single - base + 1
      if (current.length > 0 && (current.length >= most || bytes + cost > maxFrameBytes)) {
        push(current)
        current = []
        bytes = base
      }
      current.push(channel)
      bytes += cost
    }
    push(current)
  }
  return { batches, oversize }
}

const safeBytes = (bytesOf: (batch: ReadonlyArray<string>) => number, batch: ReadonlyArray<string>): number => {
  try {
    return bytesOf(batch)
  } catch {
    return 0
  }
}

const groups = (dialect: Dialect.Dialect, channels: ReadonlyArray<string>): Iterable<ReadonlyArray<string>> => {
  const groupOf = dialect.groupOf
  if (groupOf === undefined) return [channels]
  const byGroup = new Map<string, Array<string>>()
  for (const channel of channels) {
    const key = groupOf(channel)
    const group = byGroup.get(key)
    if (group === undefined) byGroup.set(key, [channel])
    else group.push(channel)
  }
  return byGroup.values()
}

const tooLarge = (dialect: Dialect.Dialect, kind: Kind, bytes: number) =>
  new SendError({
    reason: "encode",
    cause: `the ${dialect.name} ${kind} frame for this channel alone is ${bytes} bytes, over maxFrameBytes ` +
      `(${dialect.limits.maxFrameBytes})`
  })
