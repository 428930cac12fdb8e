/**
 * One subscribe or unsubscribe request of the client's dialect and the acks that settle it. The dialect reads each
 * inbound frame as an ack (or not); acks are matched to requests by `ref`, or, for venues without correlation ids, to
 * the oldest request waiting. Every request ends exactly once: settled by its acks, timed out, or failed with the link.
 */
import * as Effect from "effect/Effect"
import type { Message } from "../Message.js"
import type {
  Disconnected,
  NotConnected,
  OfflineQueueFull,
  RateLimited,
  RequestTimeout,
  RpcError,
  SendError
} from "../WebSocketError.js"
import type { Awaiter, Awaiters } from "./awaiters.js"
import type { Kind } from "./batches.js"
import { refusal, safeAck } from "./dialect/common.js"
import type * as Dialect from "./dialect/types.js"

/** How a request that got an answer ended. */
export interface Outcome {
  readonly ref: number
  readonly accepted: ReadonlyArray<string>
  readonly rejected: ReadonlyArray<Dialect.Rejection>
  /** the request was refused as a whole */
  readonly error: RpcError | undefined
  readonly serverId: string | undefined
}

/** How a request can end without an answer. */
export type ExchangeError = RequestTimeout | Disconnected | NotConnected | SendError | RateLimited | OfflineQueueFull

/** @internal */
export class Exchange {
  readonly accepted = new Set<string>()
  readonly rejected = new Map<string, RpcError | SendError>()
  serverId: string | undefined = undefined
  error: RpcError | undefined = undefined

  constructor(
    readonly ref: number,
    readonly kind: Kind,
    readonly channels: ReadonlyArray<string>,
    readonly method: string,
    readonly resume: (effect: Effect.Effect<Outcome, Disconnected>) => void
  ) {}

  /** Takes in one ack; true when the request is settled. */
  apply(ack: Dialect.Ack): boolean {
    if (ack.error !== undefined) {
      this.error = ack.error
      return true
    }
    if (ack.serverId !== undefined) this.serverId = ack.serverId
    if (ack.holding !== undefined) {
      const holding = new Set(ack.holding)
      for (const channel of this.channels) {
        // a subscribe is accepted for what the server now holds, an unsubscribe for what it no longer holds
        if (holding.has(channel) === (this.kind === "subscribe")) this.accepted.add(channel)
      }
      return true
    }
    if (ack.accepted === "all") { for (const channel of this.channels) this.accepted.add(channel) }
    else if (ack.accepted !== undefined) { for (const channel of ack.accepted) this.accept(channel) }
    for (const { channel, error } of ack.rejected ?? []) {
      if (this.channels.includes(channel) && !this.accepted.has(channel)) this.rejected.set(channel, error)
    }
    return ack.final === true || this.accepted.size + this.rejected.size >= this.channels.length
  }

  private accept(channel: string): void {
    if (this.channels.includes(channel)) {
      this.rejected.delete(channel)
      this.accepted.add(channel)
    }
  }

  /** Channels no ack decided: not confirmed (a subscribe), or gone (an unsubscribe answered without error). */
  outcome(): Outcome {
    const rejected: Array<Dialect.Rejection> = []
    const accepted: Array<string> = []
    for (const channel of this.channels) {
      const error = this.rejected.get(channel)
      if (this.accepted.has(channel)) accepted.push(channel)
      else if (error !== undefined) rejected.push({ channel, error })
      else if (this.kind === "unsubscribe") accepted.push(channel)
      else {
        const message = `the server's ack did not confirm the channel ${channel}`
        rejected.push({ channel, error: refusal(0, message, { channel }, this.method) })
      }
    }
    return { ref: this.ref, accepted, rejected, error: this.error, serverId: this.serverId }
  }
}

/** The requests waiting for acks; it awaits inbound frames only while one waits. */
export class Exchanges implements Awaiter {
  /** insertion order: the oldest first, for acks without a ref */
  private readonly waiting = new Map<string, Exchange>()

  constructor(private readonly dialect: Dialect.Dialect, private readonly awaiters: Awaiters) {}

  add(exchange: Exchange): void {
    if (this.waiting.size === 0) this.awaiters.add(this)
    this.waiting.set(String(exchange.ref), exchange)
  }

  remove(exchange: Exchange): void {
    const key = String(exchange.ref)
    if (this.waiting.get(key) !== exchange) return
    this.waiting.delete(key)
    if (this.waiting.size === 0) this.awaiters.remove(this)
  }

  private find(ref: number | string | undefined): Exchange | undefined {
    return ref === undefined ? this.waiting.values().next().value : this.waiting.get(String(ref))
  }

  private readonly requested: Dialect.Requested = (ref) => this.find(ref)?.channels

  readonly offer = (message: Message): boolean => {
    const ack = safeAck(this.dialect, message, this.requested)
    if (ack === undefined) return false
    const exchange = this.find(ack.ref)
    if (exchange === undefined) return false
    if (exchange.apply(ack)) {
      this.remove(exchange)
      exchange.resume(Effect.succeed(exchange.outcome()))
    }
    return true
  }

  readonly fail = (error: Disconnected): void => {
    const all = [...this.waiting.values()]
    this.waiting.clear()
    for (const exchange of all) exchange.resume(Effect.fail(error))
  }
}
