/**
 * Inbound frames awaited by something other than a JSON-RPC id: a restore hook's `sendAndAwait` (an OKX login ack)
 * and the acks of a dialect's subscribe requests. The router offers a frame here only while something waits, so a
 * client that awaits nothing pays one size check per frame.
 */
import type { Message } from "../Message.js"
import type { Disconnected } from "../WebSocketError.js"

/** @internal */
export interface Awaiter {
  /** true: the frame was this awaiter's (it is not delivered to `messages`) */
  readonly offer: (message: Message) => boolean
  /** the link is gone */
  readonly fail: (error: Disconnected) => void
}

/** @internal */
export class Awaiters {
  private list: Array<Awaiter> | undefined = undefined

  get size(): number {
    return this.list?.length ?? 0
  }

  add(awaiter: Awaiter): void {
    ;(this.list ??= []).push(awaiter)
  }

  remove(awaiter: Awaiter): void {
    const index = this.list?.indexOf(awaiter) ?? -1
    if (index >= 0) this.list!.splice(index, 1)
  }

  /** Offers a frame to each awaiter in turn; true when one took it. */
  offer(message: Message): boolean {
    const list = this.list
    if (list === undefined) return false
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.offer(message)) return true
    }
    return false
  }

  failAll(error: Disconnected): void {
    const list = this.list
    if (list === undefined || list.length === 0) return
    this.list = undefined
    for (const awaiter of list) awaiter.fail(error)
  }
}
