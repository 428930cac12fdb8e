/**
 * Frames out and connection ends, logged for the tests' observability.
 *
 * @since 0.1.0
 * @internal
 */
import * as notify from "./notify.js"
import type { Connection, State } from "./state.js"
import { now, signal, trim } from "./state.js"

/** @internal */
export const log = (state: State, connection: Connection, direction: "in" | "out", data: string): void => {
  state.frames.push({ connectionId: connection.id, direction, at: now(state), data })
  trim(state.frames, state.options.maxFrames)
  if (state.listeners.size > 0) signal(state)
}

/** @internal */
export const write = (state: State, connection: Connection, frame: string): void => {
  if (!connection.open) return
  log(state, connection, "out", frame)
  connection.ws.send(frame)
}

/** Sends what the unit of work queued. @internal */
export const flush = (state: State): void =>
  notify.flushOutbox(state, (connection, frame) => write(state, connection, frame))

/** Starts a close handshake; the connection takes no more frames. @internal */
export const close = (state: State, connection: Connection, code: number, reason: string): void => {
  if (!connection.open) return
  connection.open = false
  connection.closed = { by: "server", code, reason }
  connection.ws.close(code, reason)
}

/** Destroys the socket without a close frame (the client sees 1006). @internal */
export const terminate = (_state: State, connection: Connection, reason: string): void => {
  if (!connection.open) return
  connection.open = false
  connection.closed = { by: "server", code: 1006, reason }
  connection.ws.terminate()
}
