/**
 * Correlated JSON-RPC requests over the current socket.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type WebSocket from "ws"
import * as JsonRpc from "../JsonRpc.js"
import * as Telemetry from "../Telemetry.js"
import {
  type Disconnected,
  DuplicateRequestId,
  NotConnected,
  type RateLimited,
  type RequestTimeout,
  type RpcError,
  SendError
} from "../WebSocketError.js"
import type { Runtime } from "./runtime.js"

/** @internal */
export type RequestError =
  | RpcError
  | RequestTimeout
  | Disconnected
  | DuplicateRequestId
  | NotConnected
  | SendError
  | RateLimited

/** @internal */
export interface RequestOptions {
  readonly timeout?: number | undefined
}

const report = (
  runtime: Runtime,
  id: JsonRpc.RequestId,
  method: string,
  durationMs: number,
  timeoutMs: number,
  exit: Exit.Exit<unknown, RequestError>
): Effect.Effect<void> => {
  const { names } = Telemetry
  if (Exit.isFailure(exit) && Cause.isFailType(exit.cause) && exit.cause.error._tag === "RequestTimeout") {
    return runtime.instruments.emit(names.requestTimeout, { timeout_ms: timeoutMs }, { id, method })
  }
  const outcome = Exit.isSuccess(exit) ? "ok" : Cause.isFailType(exit.cause) ? exit.cause.error._tag : "interrupted"
  return runtime.instruments.emit(names.request, { duration_ms: durationMs }, { id, method, outcome })
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
    return Effect.zipRight(
      runtime.throttle(frame),
      Effect.suspend(() => dispatch(runtime, id, request.method, frame, timeoutMs, socket))
    ).pipe(
      Effect.map((result) => [id, result] as const),
      Effect.withSpan("zen_websocket.request", {
        attributes: { method: request.method, id, client: runtime.id },
        captureStackTrace: false
      })
    )
  })

/** Sends the request frame and waits for its response; the socket and the id are checked again after throttling. */
const dispatch = (
  runtime: Runtime,
  id: JsonRpc.RequestId,
  method: string,
  frame: string,
  timeoutMs: number,
  socket: () => WebSocket | NotConnected
): Effect.Effect<unknown, RequestError> => {
  const target = socket()
  if (target instanceof NotConnected) return Effect.fail(target)
  if (runtime.pending.has(id)) return Effect.fail(new DuplicateRequestId({ id }))
  const startedAt = performance.now()
  return Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.zipRight(
      runtime.pending.expireAt(now + timeoutMs),
      Effect.async<unknown, RpcError | Disconnected | SendError | RequestTimeout>((resume) => {
        runtime.pending.add(id, method, now + timeoutMs, timeoutMs, resume)
        if (!runtime.transmit(target, frame)) {
          runtime.pending.delete(id)
          resume(Effect.fail(new SendError({ reason: "socket", cause: "the socket closed before the frame went out" })))
        }
        return Effect.sync(() => runtime.pending.delete(id))
      })
    )).pipe(
      Effect.onExit((exit) => report(runtime, id, method, performance.now() - startedAt, timeoutMs, exit))
    )
}
