/**
 * Node's built-in `WebSocket` (undici, global since Node 22): the client a Node user gets without a dependency. This
 * adapter runs under Node 22, which the runner fetches on demand (`node@22` from npm into `.cache/node22`, see
 * `node22.ts`); the server is the same Node 20 process as every other row's. Inbound and echo only.
 */
import { consumeText, countedInbound } from "../common.js"
import type { Adapter } from "./types.js"

interface BuiltinWebSocket {
  binaryType: string
  readonly readyState: number
  onopen: (() => void) | null
  onerror: ((event: unknown) => void) | null
  onclose: (() => void) | null
  onmessage: ((event: { readonly data: unknown }) => void) | null
  send(data: string): void
  close(): void
}

const make = (url: string): BuiltinWebSocket => {
  const Ctor = (globalThis as { WebSocket?: new(url: string) => BuiltinWebSocket }).WebSocket
  if (Ctor === undefined) throw new Error(`no global WebSocket in Node ${process.version} (needs Node >= 22)`)
  const ws = new Ctor(url)
  ws.binaryType = "arraybuffer"
  return ws
}

const opened = (ws: BuiltinWebSocket): Promise<void> =>
  new Promise((resolve, reject) => {
    ws.onopen = () => resolve()
    ws.onerror = (event) => reject(new Error(`WebSocket error: ${String((event as { message?: unknown }).message)}`))
  })

const closed = (ws: BuiltinWebSocket): Promise<void> =>
  new Promise((resolve) => {
    if (ws.readyState === 3) return resolve()
    ws.onclose = () => resolve()
    ws.close()
  })

const unsupported = (what: string) => () =>
  Promise.reject(new Error(`the Node WebSocket row has no ${what} measurement`))

export const adapter: Adapter = {
  inbound: async ({ frames, json, marks, url, warmup }) => {
    const ws = make(url)
    const counter = countedInbound({ warmup, frames, json, marks, send: (frame) => ws.send(frame) })
    ws.onmessage = (event) => counter.onText(typeof event.data === "string" ? event.data : "")
    await opened(ws)
    counter.start()
    await counter.done
    await closed(ws)
  },

  echo: async ({ latenciesMs, marks, payload, url, warmup }) => {
    const ws = make(url)
    let i = -warmup
    let sentAt = 0
    const done = new Promise<void>((resolve) => {
      ws.onmessage = (event) => {
        const now = performance.now()
        consumeText(typeof event.data === "string" ? event.data : "")
        if (i >= 0) latenciesMs[i] = now - sentAt
        if (++i === latenciesMs.length) {
          marks.end()
          return resolve()
        }
        if (i === 0) marks.start()
        sentAt = performance.now()
        ws.send(payload)
      }
    })
    await opened(ws)
    sentAt = performance.now()
    ws.send(payload)
    await done
    await closed(ws)
  },

  requests: unsupported("requests"),
  idle: unsupported("idle"),
  recovery: unsupported("recovery")
}
