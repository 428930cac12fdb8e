/**
 * Correlated JSON-RPC requests over the current socket.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type WebSocket from "ws"
import * as JsonRpc from "../JsonRpc.js"
import {
  type Disconnected,
  DuplicateRequestId,
  NotConnected,
  RequestTimeout,
  type RpcError,
  SendError
} from "../WebSocketError.js"
import type { Runtime } from "./runtime.js"
import * as Transport from "./transport.js"

/** @internal */
export type RequestError = RpcError | RequestTimeout | Disconnected | DuplicateRequestId | NotConnected | SendError

/** @internal */
export interface RequestOptions {
  readonly timeout?: number | undefined
}

/** @internal */
export const request = (
  runtime: Runtime,
  request: JsonRpc.Request,
  options?: RequestOptions,
  socket: () => WebSocket | NotConnected = () => runtime.sendable()
): Effect.Effect<readonly [id: JsonRpc.RequestId, result: unknown], RequestError> =>
  Effect.suspend((): Effect.Effect<readonly [id: JsonRpc.RequestId, result: unknown], RequestError> => {
    const target = socket()
    if (target instanceof NotConnected) return Effect.fail(target)
    const id = request.id ?? runtime.pending.nextId()
    if (runtime.pending.has(id)) return Effect.fail(new DuplicateRequestId({ id }))
    let frame: string
    try {
      frame = JSON.stringify(JsonRpc.encodeRequest(id, request.method, request.params))
    } catch (cause) {
      return Effect.fail(new SendError({ reason: "encode", cause }))
    }
    const timeoutMs = options?.timeout ?? runtime.options.requestTimeout
    return Effect.async<unknown, RpcError | Disconnected | SendError>((resume) => {
      runtime.pending.add(id, request.method, resume)
      if (!Transport.send(target, frame)) {
        runtime.pending.delete(id)
        resume(Effect.fail(new SendError({ reason: "socket", cause: "the socket closed before the frame went out" })))
      }
      return Effect.sync(() => runtime.pending.delete(id))
    }).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(timeoutMs),
        onTimeout: () => new RequestTimeout({ id, method: request.method, timeoutMs })
      }),
      Effect.map((result) => [id, result] as const)
    )
  })
