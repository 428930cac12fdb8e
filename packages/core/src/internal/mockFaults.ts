/**
 * The faults the mock server can play, and the outbound path they act on: every frame the server sends (replies,
 * injected frames, pings, pongs) goes through one per-connection queue, so `goSilent` drops it, `delayFrames` delays
 * it and order is kept; `rejectHandshake` answers an upgrade with an HTTP status; `simulateDisconnect` ends the live
 * connections (close frame or abrupt) and waits until they are gone.
 */
import * as Effect from "effect/Effect"
import { STATUS_CODES } from "node:http"
import type { Duplex } from "node:stream"
import type { DisconnectMode } from "./mockModels.js"
import type { Connection, Outgoing, OutgoingRequest, State } from "./mockState.js"
import { awaitClosedOrTerminate, forEachConnection } from "./mockState.js"

export const setFault = (apply: () => void): Effect.Effect<void> => Effect.sync(apply)

export const goSilent = (state: State, on: boolean): Effect.Effect<void> =>
  Effect.sync(() => {
    state.faults.silent = on
    forEachConnection(state, (c) => on ? c.ws.pause() : c.ws.resume())
  })

export const rejectHandshake = (socket: Duplex, status: number, body: string | undefined): void => {
  const statusText = STATUS_CODES[status] ?? "Unknown"
  const payload = body ?? statusText
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\n` +
      "Connection: close\r\n" +
      "Content-Type: text/plain; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n` +
      payload
  )
}

export const send = (state: State, connection: Connection, data: string | Uint8Array): void =>
  enqueue(state, connection, { kind: "data", data })

/** Every outbound frame goes through here so `delayFrames` keeps order across data, pings and pongs. */
export const enqueue = (state: State, connection: Connection, request: OutgoingRequest): void => {
  if (state.faults.silent) return
  const delayMs = state.faults.delayMs
  if (delayMs === 0 && connection.outbox.length === 0) return transmit(state, connection, request)
  connection.outbox.push({ ...request, dueAt: Date.now() + delayMs } as Outgoing)
  scheduleFlush(state, connection)
}

const scheduleFlush = (state: State, connection: Connection): void => {
  const head = connection.outbox[0]
  if (connection.flushTimer !== undefined || head === undefined) return
  connection.flushTimer = setTimeout(() => {
    connection.flushTimer = undefined
    flushDue(state, connection)
  }, Math.max(0, head.dueAt - Date.now()))
}

const flushDue = (state: State, connection: Connection): void => {
  const now = Date.now()
  while (connection.outbox.length > 0 && connection.outbox[0].dueAt <= now) {
    transmit(state, connection, connection.outbox.shift()!)
  }
  scheduleFlush(state, connection)
}

const transmit = (state: State, connection: Connection, outgoing: OutgoingRequest): void => {
  const ws = connection.ws
  if (state.faults.silent || ws.readyState !== ws.OPEN) return
  switch (outgoing.kind) {
    case "data":
      return ws.send(outgoing.data)
    case "ping":
      return ws.ping(outgoing.data)
    case "pong":
      return ws.pong(outgoing.data)
  }
}

export const simulateDisconnect = (
  state: State,
  how: DisconnectMode,
  reason: string | undefined
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const connections = Array.from(state.connections.values())
    for (const connection of connections) {
      if (how === "abnormal") connection.ws.terminate()
      else connection.ws.close(closeCodeOf(how), reason ?? defaultCloseReason(how))
    }
    return awaitClosedOrTerminate(state, connections)
  })

const closeCodeOf = (how: "normal" | "going_away" | number): number =>
  how === "normal" ? 1000 : how === "going_away" ? 1001 : how

const defaultCloseReason = (how: "normal" | "going_away" | number): string =>
  how === "normal" ? "Normal closure" : how === "going_away" ? "Server going away" : "Custom close"
