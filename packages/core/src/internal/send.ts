/**
 * Outbound frames: encoding, the offline queue while reconnecting, and waiting while the socket's buffer is over its
 * high-water mark (a slow link costs the sender time, not unbounded memory).
 */
import * as Effect from "effect/Effect"
import type WebSocket from "ws"
import { NotConnected, SendError } from "../WebSocketError.js"
import { type OfflineQueue, type QueuedError, waitingRoom } from "./offlineQueue.js"
import type { Runtime } from "./runtime.js"
import * as Transport from "./transport.js"

/** @internal */
export type Outbound = string | Uint8Array | object

/** A frame that `transmit` could not put on the wire: the socket closed first. @internal */
export const closedBeforeSent = (): SendError =>
  new SendError({ reason: "socket", cause: "the socket closed before the frame went out" })

/** @internal */
export const encode = (message: Outbound): string | Uint8Array | SendError => {
  if (typeof message === "string" || message instanceof Uint8Array) return message
  try {
    const json = JSON.stringify(message)
    if (typeof json === "string") return json
    return new SendError({ reason: "encode", cause: "the message is not JSON-serialisable" })
  } catch (cause) {
    return new SendError({ reason: "encode", cause })
  }
}

/**
 * A user's send (no `socketOf`): while reconnecting it waits in the offline queue, when there is one. A restore hook's
 * send (its session's `socketOf`) never waits: the queue is flushed only after the hooks.
 * @internal
 */
export const send = (
  runtime: Runtime,
  message: Outbound,
  socketOf?: () => WebSocket | NotConnected
): Effect.Effect<void, QueuedError> =>
  Effect.suspend((): Effect.Effect<void, QueuedError> => {
    const frame = encode(message)
    if (frame instanceof SendError) return Effect.fail(frame)
    const socket = socketOf === undefined ? runtime.sendable() : socketOf()
    if (socket instanceof NotConnected) {
      const queue = waitingRoom(runtime, socket, socketOf)
      return queue === undefined ? Effect.fail(socket) : queued(runtime, queue, frame)
    }
    if (runtime.limiter === undefined) return writeAndReport(runtime, socket, frame)
    return Effect.zipRight(
      runtime.throttle(frame),
      Effect.suspend(() => {
        const current = socketOf === undefined ? runtime.sendable() : socketOf()
        return current instanceof NotConnected ? Effect.fail(current) : writeAndReport(runtime, current, frame)
      })
    )
  })

/** A send waiting for the restored connection: it ends once its frame went out there. */
const queued = (runtime: Runtime, queue: OfflineQueue, frame: string | Uint8Array) =>
  queue.wait<void, never>((resume) => ({
    run: (socket) =>
      Effect.flatMap(
        Effect.exit(Effect.zipRight(runtime.throttle(frame), writeAndReport(runtime, socket, frame))),
        (exit) => Effect.sync(() => resume(exit))
      ),
    fail: (error) => resume(Effect.fail(error))
  }))

const writeAndReport = (runtime: Runtime, socket: WebSocket, frame: string | Uint8Array) => {
  const written = write(runtime, socket, frame)
  // `transmit` counted the frame; a `Telemetry` service sees its event before the send returns
  if (written === Effect.void) return runtime.instruments.flush
  return Effect.zipRight(written, Effect.suspend(() => runtime.instruments.flush))
}

/** Writes one frame, first waiting for the socket to drain when too much is buffered already. */
export const write = (
  runtime: Runtime,
  socket: WebSocket,
  frame: string | Uint8Array
): Effect.Effect<void, NotConnected> => {
  const kind = "message"
  if (socket.bufferedAmount <= runtime.options.outbound.highWaterMark) {
    return sent(runtime.transmit(socket, frame, kind))
  }
  return Effect.zipRight(
    Transport.awaitDrain(socket),
    Effect.suspend(() => sent(runtime.transmit(socket, frame, kind)))
  )
}

const sent = (ok: boolean): Effect.Effect<void, NotConnected> =>
  ok ? Effect.void : Effect.fail(new NotConnected({ state: "connecting" }))
