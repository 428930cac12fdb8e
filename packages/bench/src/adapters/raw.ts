/**
 * The anchor: raw `ws` 8 with hand-written code where a feature is needed (id → resolver map for requests, a
 * `setInterval` ping for the heartbeat, a `setTimeout` reconnect loop for recovery).
 */
import WebSocket from "ws"
import { consumeText, countedInbound, pool, requestMap } from "../common.js"
import type { Adapter } from "./types.js"

const opened = (ws: WebSocket): Promise<void> =>
  new Promise((resolve, reject) => {
    ws.once("open", () => resolve())
    ws.once("error", reject)
  })

const closed = (ws: WebSocket): Promise<void> =>
  new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve()
    ws.once("close", () => resolve())
    ws.close()
  })

const keep: Array<unknown> = []

/** A connection kept open until the process exits, with a `message` listener and the hand-written ping heartbeat. */
const openKept = async (
  url: string,
  onMessage: ((data: Buffer) => void) | undefined,
  pingIntervalMs: number | undefined
): Promise<void> => {
  const ws = new WebSocket(url)
  if (onMessage !== undefined) ws.on("message", onMessage)
  ws.on("error", () => {})
  keep.push(ws)
  await opened(ws)
  if (pingIntervalMs !== undefined) {
    // the hand-written heartbeat: ping every interval, terminate after 2 missed pongs
    let missed = 0
    ws.on("pong", () => (missed = 0))
    const timer = setInterval(() => (++missed > 2 ? ws.terminate() : ws.ping()), pingIntervalMs)
    ws.once("close", () => clearInterval(timer))
  }
}

export const adapter: Adapter = {
  inbound: async ({ clientDeflate, frames, json, marks, url, warmup }) => {
    const ws = new WebSocket(url, clientDeflate === undefined ? undefined : { perMessageDeflate: clientDeflate })
    const counter = countedInbound({ warmup, frames, json, marks, send: (frame) => ws.send(frame) })
    ws.on("message", (data: Buffer, isBinary) => counter.onText(isBinary ? "" : data.toString()))
    await opened(ws)
    counter.start()
    await counter.done
    await closed(ws)
  },

  echo: async ({ latenciesMs, marks, payload, url, warmup }) => {
    const ws = new WebSocket(url)
    const done = new Promise<void>((resolve) => {
      let i = -warmup
      let sentAt = 0
      ws.on("message", (data: Buffer) => {
        const now = performance.now()
        consumeText(data.toString())
        if (i >= 0) latenciesMs[i] = now - sentAt
        if (++i === latenciesMs.length) {
          marks.end()
          return resolve()
        }
        if (i === 0) marks.start()
        sentAt = performance.now()
        ws.send(payload)
      })
      ws.once("open", () => {
        sentAt = performance.now()
        ws.send(payload)
      })
    })
    await done
    await closed(ws)
  },

  requests: async ({ inflight, marks, total, url, warmup }) => {
    const ws = new WebSocket(url)
    const { onMessage, request } = requestMap((frame) => ws.send(frame))
    ws.on("message", (data: Buffer) => onMessage(data.toString()))
    const run = (count: number) => pool(count, inflight, (i) => request("public/test", { i }).then(() => {}))
    await opened(ws)
    await run(warmup)
    marks.start()
    await run(total)
    marks.end()
    await closed(ws)
  },

  idle: ({ concurrency, consume, count, pingIntervalMs, url }) =>
    pool(
      count,
      concurrency,
      () => openKept(url, consume ? (data) => consumeText(data.toString()) : undefined, pingIntervalMs)
    ),

  fanin: ({ concurrency, count, pingIntervalMs, sink, url }) =>
    pool(count, concurrency, () => openKept(url, (data) => sink(data.toString()), pingIntervalMs)),

  recovery: async ({ channels, onRestored, retryDelayMs, url }) => {
    let stopped = false
    let current: WebSocket | undefined
    let nextId = 0
    let first = true
    let confirmFirst: () => void = () => {}
    const firstConfirmed = new Promise<void>((resolve) => (confirmFirst = resolve))
    const connect = () => {
      const ws = new WebSocket(url)
      current = ws
      let subscribeId = -1
      ws.on("error", () => {})
      ws.on("open", () => {
        subscribeId = ++nextId
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: subscribeId, method: "public/subscribe", params: { channels } }))
      })
      ws.on("message", (data: Buffer) => {
        const json = JSON.parse(data.toString()) as { id?: number }
        if (json.id !== subscribeId) return
        if (first) {
          first = false
          confirmFirst()
        } else onRestored()
      })
      ws.on("close", () => {
        if (!stopped) setTimeout(connect, retryDelayMs)
      })
    }
    connect()
    await firstConfirmed
    return {
      stop: async () => {
        stopped = true
        if (current !== undefined) await closed(current)
      }
    }
  }
}
