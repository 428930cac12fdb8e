/**
 * One connection's link as the connection loop and the heartbeat see it: the socket's listeners, how the link ended,
 * and what the heartbeat needs (ping, send, liveness, pauses).
 */
import type * as Effect from "effect/Effect"
import type WebSocket from "ws"
import * as ClientEvent from "../ClientEvent.js"
import type * as Heartbeat from "../Heartbeat.js"
import * as Telemetry from "../Telemetry.js"
import { Disconnected } from "../WebSocketError.js"
import type { Runtime } from "./runtime.js"
import * as Transport from "./transport.js"

/**
 * One connection's link, in one object (an idle connection should cost little): the socket listeners, how the link
 * ends, and what its heartbeat needs. The loop either learns the end at once (`park` returns it) or later, through
 * the listener it parked.
 */
/** @internal */
export class Link implements Transport.Listeners, Heartbeat.Link, Heartbeat.Hooks {
  socket: WebSocket | undefined = undefined
  private error: Disconnected | undefined = undefined
  private listener: ((error: Disconnected) => void) | undefined = undefined
  readonly onMessage: Transport.Listeners["onMessage"]
  readonly onPing: Transport.Listeners["onPing"]
  readonly onPong: Transport.Listeners["onPong"]
  readonly onError = noop

  constructor(readonly runtime: Runtime) {
    this.onMessage = runtime.onMessage
    this.onPing = runtime.onPing
    this.onPong = runtime.onPong
  }

  onClose(code: number, reason: string, cause: unknown): void {
    this.runtime.recorder?.recordClose("in", code, reason)
    this.end(new Disconnected({ code, reason, cause }))
  }

  /** The link is gone (once it counts): nothing more goes out on it, and the loop hears of it. */
  end(error: Disconnected): void {
    if (this.socket !== undefined && this.runtime.socket === this.socket) this.runtime.detach(error)
    if (this.error !== undefined) return
    this.error = error
    const listener = this.listener
    this.listener = undefined
    listener?.(error)
  }

  /** How the link ended, once it did. */
  get ended(): Disconnected | undefined {
    return this.error
  }

  park(listener: (error: Disconnected) => void): Disconnected | undefined {
    if (this.error === undefined) this.listener = listener
    return this.error
  }

  /** Our own close (the connection scope's finalizer): whatever the socket reports afterwards changes nothing. */
  release(): void {
    this.listener = undefined
    this.error ??= new Disconnected({ code: 1000, reason: "connection closed" })
    const socket = this.socket
    this.runtime.heartbeat = undefined
    if (socket === undefined) return
    if (Transport.isOpen(socket)) this.runtime.recorder?.recordClose("out", 1000, "")
    if (this.runtime.socket === socket) {
      this.runtime.detach(new Disconnected({ code: 1000, reason: "connection closed" }))
    }
  }

  // ---- the heartbeat's view ----

  ping(payload: Uint8Array): void {
    // a socket that is closing writes no ping (ws drops it): nothing to count either
    if (this.socket === undefined || !Transport.isOpen(this.socket)) return
    this.socket.ping(payload)
    this.runtime.instruments.sent("heartbeat", payload.byteLength)
  }

  send(frame: string): boolean {
    return this.socket !== undefined && this.runtime.transmit(this.socket, frame, "heartbeat")
  }

  inboundFrames(): number {
    return this.runtime.inboundFrames
  }

  /** reading paused for backpressure: answers may wait unread in the socket, a miss proves nothing */
  paused(): boolean {
    return this.runtime.paused
  }

  pauses(): number {
    return this.runtime.pauses
  }

  onMissed(missed: number): Effect.Effect<void> {
    return this.runtime.emit(ClientEvent.HeartbeatMissed({ missed }))
  }

  onRtt(rttMs: number): Effect.Effect<void> {
    return this.runtime.recordRtt(rttMs)
  }

  onInterval(intervalMs: number): Effect.Effect<void> {
    return this.runtime.instruments.emit(Telemetry.names.heartbeatInterval, { interval_ms: intervalMs }, {
      type: this.runtime.options.heartbeatConfig?.type
    })
  }

  /** The heartbeat declared the link dead: end it and drop the socket without a close handshake. */
  dead(timeout: Heartbeat.HeartbeatTimeout): void {
    this.end(new Disconnected({ code: 1006, reason: timeout.message, cause: timeout }))
    this.socket?.terminate()
  }
}

const noop = (): void => {}
