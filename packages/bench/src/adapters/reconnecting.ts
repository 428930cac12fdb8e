/**
 * partysocket and reconnecting-websocket share one API (partysocket is a fork of RWS): both get `ws`'s WebSocket as
 * their `WebSocket` option (Node 20 has no global WebSocket), and a fixed reconnection delay for the recovery run.
 */
import WebSocket from "ws"
import { consumeText, countedInbound, pool, requestMap } from "../common.js"
import type { Adapter } from "./types.js"

/** The part of the (identical) partysocket / RWS API the bench uses. */
export interface ReconnectingSocket {
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void
  addEventListener(type: "open" | "close" | "error", listener: (event: unknown) => void): void
  removeEventListener(type: "open", listener: (event: unknown) => void): void
}

export type Make = (url: string, options: Record<string, unknown>) => ReconnectingSocket

const opened = (socket: ReconnectingSocket): Promise<void> =>
  new Promise((resolve) => {
    const onOpen = () => {
      socket.removeEventListener("open", onOpen)
      resolve()
    }
    socket.addEventListener("open", onOpen)
  })

const keep: Array<unknown> = []

export const make = (construct: Make): Adapter => {
  const open = (url: string, options: Record<string, unknown> = {}) => construct(url, { WebSocket, ...options })

  return {
    inbound: async ({ frames, json, marks, url, warmup }) => {
      const socket = open(url)
      const counter = countedInbound({ warmup, frames, json, marks, send: (frame) => socket.send(frame) })
      socket.addEventListener("message", (event) => counter.onText(event.data as string))
      await opened(socket)
      counter.start()
      await counter.done
      socket.close()
    },

    echo: async ({ latenciesMs, marks, payload, url, warmup }) => {
      const socket = open(url)
      let sentAt = 0
      const done = new Promise<void>((resolve) => {
        let i = -warmup
        socket.addEventListener("message", (event) => {
          const now = performance.now()
          consumeText(event.data as string)
          if (i >= 0) latenciesMs[i] = now - sentAt
          if (++i === latenciesMs.length) {
            marks.end()
            return resolve()
          }
          if (i === 0) marks.start()
          sentAt = performance.now()
          socket.send(payload)
        })
      })
      await opened(socket)
      sentAt = performance.now()
      socket.send(payload)
      await done
      socket.close()
    },

    requests: async ({ inflight, marks, total, url, warmup }) => {
      const socket = open(url)
      const { onMessage, request } = requestMap((frame) => socket.send(frame))
      socket.addEventListener("message", (event) => onMessage(event.data as string))
      const run = (count: number) => pool(count, inflight, (i) => request("public/test", { i }).then(() => {}))
      await opened(socket)
      await run(warmup)
      marks.start()
      await run(total)
      marks.end()
      socket.close()
    },

    idle: async ({ concurrency, consume, count, url }) => {
      // neither library has a heartbeat: the idle rows with ping compare zen against raw ws only
      await pool(count, concurrency, async () => {
        const socket = open(url)
        if (consume) socket.addEventListener("message", (event) => consumeText(event.data as string))
        keep.push(socket)
        await opened(socket)
      })
    },

    recovery: async ({ channels, onRestored, retryDelayMs, url }) => {
      const socket = open(url, {
        maxRetries: Infinity,
        minReconnectionDelay: retryDelayMs,
        maxReconnectionDelay: retryDelayMs,
        reconnectionDelayGrowFactor: 1
      })
      let nextId = 0
      let subscribeId = -1
      let first = true
      let confirmFirst: () => void = () => {}
      const firstConfirmed = new Promise<void>((resolve) => (confirmFirst = resolve))
      // resubscribed by hand on every open
      socket.addEventListener("open", () => {
        subscribeId = ++nextId
        socket.send(
          JSON.stringify({ jsonrpc: "2.0", id: subscribeId, method: "public/subscribe", params: { channels } })
        )
      })
      socket.addEventListener("error", () => {})
      socket.addEventListener("message", (event) => {
        const json = JSON.parse(event.data as string) as { id?: number }
        if (json.id !== subscribeId) return
        if (first) {
          first = false
          confirmFirst()
        } else onRestored()
      })
      await firstConfirmed
      return { stop: async () => socket.close() }
    }
  }
}
