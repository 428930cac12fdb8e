/**
 * What restore hooks use on a fresh connection before it is handed to users.
 */
import * as Effect from "effect/Effect"
import type * as ClientOptions from "../ClientOptions.js"
import * as Awaiters from "./awaiters.js"
import * as Requests from "./requests.js"
import type { Runtime } from "./runtime.js"
import * as Send from "./send.js"

/** @internal */
export const make = (runtime: Runtime): ClientOptions.Session => {
  const socketOf = () => runtime.socket ?? runtime.sendable()
  return {
    request: (request, options) =>
      Effect.map(Requests.request(runtime, request, options, socketOf), ([, result]) => result),
    sendMessage: (message) => Send.send(runtime, message, socketOf),
    sendAndAwait: (frame, match, timeout) => Awaiters.sendAndAwait(runtime, frame, match, timeout, socketOf)
  }
}
