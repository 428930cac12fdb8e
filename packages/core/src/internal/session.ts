/**
 * What restore hooks use on a fresh connection before it is handed to users.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type WebSocket from "ws"
import type * as ClientOptions from "../ClientOptions.js"
import type { Message } from "../Message.js"
import type { Disconnected, NotConnected } from "../WebSocketError.js"
import { RequestTimeout, SendError } from "../WebSocketError.js"
import type { Awaiter } from "./awaiters.js"
import * as Batches from "./batches.js"
import * as Requests from "./requests.js"
import type { Runtime } from "./runtime.js"
import * as Send from "./send.js"

/** @internal */
export const make = (runtime: Runtime): ClientOptions.Session => {
  const socketOf = () => runtime.socket ?? runtime.sendable()
  return {
    request: (request, options) => Requests.request(runtime, request, options, socketOf),
    sendMessage: (message) => Send.send(runtime, message, socketOf),
    sendAndAwait: (frame, match, timeout) => sendAndAwait(runtime, frame, match, timeout, socketOf),
    // hooks run inside a connection attempt, which has its scope
    scope: runtime.connection ?? runtime.scope
  }
}

type AwaitError = ClientOptions.AwaitError

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
        if (!runtime.transmit(socket, encoded, "restore")) {
          runtime.awaiters.remove(awaiter)
          resume(Effect.fail(Send.closedBeforeSent()))
        }
        return Effect.sync(() => runtime.awaiters.remove(awaiter))
      }).pipe(
        Effect.timeoutFail({
          duration: Duration.millis(timeoutMs),
          onTimeout: () => new RequestTimeout({ id: "-", method: Batches.labelOf(frame, "sendAndAwait"), timeoutMs })
        })
      )
    })
    return Effect.zipRight(runtime.throttle(encoded), awaited)
  })
