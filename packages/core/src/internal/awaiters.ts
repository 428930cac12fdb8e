/**
 * Inbound frames awaited by something other than a JSON-RPC id: a restore hook's `sendAndAwait` (an OKX login ack)
 * and the acks of a dialect's subscribe requests. The router offers a frame here only while something waits, so a
 * client that awaits nothing pays one size check per frame.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type WebSocket from "ws"
import type { Message } from "../Message.js"
import type { Disconnected, NotConnected, RateLimited } from "../WebSocketError.js"
import { RequestTimeout, SendError } from "../WebSocketError.js"
import type { Runtime } from "./runtime.js"
import * as Send from "./send.js"

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

/** @internal */
export type AwaitError = RequestTimeout | Disconnected | NotConnected | SendError | RateLimited

/** What a timeout names: the frame's `op`, `method` or `type` field when it has one. */
const labelOf = (frame: unknown): string => {
  if (Predicate.isRecord(frame)) {
    for (const key of ["op", "method", "type", "event"]) {
      if (typeof frame[key] === "string") return frame[key] as string
    }
  }
  return "sendAndAwait"
}

/**
 * Sends `frame` (paced by the rate limiter) and waits for the first inbound frame `match` maps to a value. The
 * awaiter is in place before the frame goes out, so an immediate answer is not missed; the matched frame is not
 * delivered to `messages`. A `match` that throws matches nothing.
 * @internal
 */
export const sendAndAwait = <A>(
  runtime: Runtime,
  frame: Send.Outbound,
  match: (message: Message) => A | undefined,
  timeout: Duration.DurationInput | undefined,
  socketOf: () => WebSocket | NotConnected
): Effect.Effect<A, AwaitError> =>
  Effect.suspend((): Effect.Effect<A, AwaitError> => {
    const encoded = Send.encode(frame)
    if (encoded instanceof SendError) return Effect.fail(encoded)
    const timeoutMs = timeout === undefined ? runtime.options.requestTimeout : Duration.toMillis(timeout)
    const awaited = Effect.suspend((): Effect.Effect<A, AwaitError> => {
      const socket = socketOf()
      if (!("readyState" in socket)) return Effect.fail(socket)
      return Effect.async<A, Disconnected | SendError>((resume) => {
        const awaiter: Awaiter = {
          offer: (message) => {
            let value: A | undefined
            try {
              value = match(message)
            } catch {
              return false
            }
            if (value === undefined) return false
            runtime.awaiters.remove(awaiter)
            resume(Effect.succeed(value))
            return true
          },
          fail: (error) => resume(Effect.fail(error))
        }
        runtime.awaiters.add(awaiter)
        if (!runtime.transmit(socket, encoded)) {
          runtime.awaiters.remove(awaiter)
          resume(Effect.fail(new SendError({ reason: "socket", cause: "the socket closed before the frame went out" })))
        }
        return Effect.sync(() => runtime.awaiters.remove(awaiter))
      }).pipe(
        Effect.timeoutFail({
          duration: Duration.millis(timeoutMs),
          onTimeout: () => new RequestTimeout({ id: "-", method: labelOf(frame), timeoutMs })
        })
      )
    })
    return Effect.zipRight(runtime.throttle(encoded), awaited)
  })
