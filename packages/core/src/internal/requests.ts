/**
 * Correlated JSON-RPC requests over the current socket.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type WebSocket from "ws"
import * as JsonRpc from "../JsonRpc.js"
import * as Telemetry from "../Telemetry.js"
import {
  type Disconnected,
  DuplicateRequestId,
  NotConnected,
  type RequestError,
  RequestTimeout,
  type RpcError,
  SendError
} from "../WebSocketError.js"
import { type OfflineQueue, waitingRoom } from "./offlineQueue.js"
import type { Entry } from "./pending.js"
import type { Runtime } from "./runtime.js"
import { closedBeforeSent } from "./send.js"
import * as Tracing from "./tracing.js"

/** @internal */
export type { RequestError }

/** @internal */
export interface RequestOptions {
  readonly timeout?: number | undefined
  /** resolve with the whole response object instead of its `result` */
  readonly envelope?: boolean | undefined
}

/** @internal */
export const report = (
  runtime: Runtime,
  id: JsonRpc.RequestId,
  method: string,
  durationMs: number,
  timeoutMs: number,
  exit: Exit.Exit<unknown, RequestError>
): Effect.Effect<void> => {
  const { names } = Telemetry
  if (Exit.isFailure(exit) && Cause.isFailType(exit.cause) && exit.cause.error._tag === "RequestTimeout") {
    return runtime.instruments.emitNow(names.requestTimeout, { timeout_ms: timeoutMs }, { id, method })
  }
  const outcome = Exit.isSuccess(exit) ? "ok" : Cause.isFailType(exit.cause) ? exit.cause.error._tag : "interrupted"
  return runtime.instruments.emitNow(names.request, { duration_ms: durationMs }, { id, method, outcome })
}

/**
 * A user's request (no `socket`): while reconnecting it waits in the offline queue, when there is one, within its own
 * timeout. A restore hook's request (its session's `socket`) never waits.
 * @internal
 */
export const request = (
  runtime: Runtime,
  request: JsonRpc.Request,
  options?: RequestOptions,
  socketOf?: () => WebSocket | NotConnected
): Effect.Effect<unknown, RequestError> =>
  // one step reads what a request needs of its fiber (the tracer, the clock): measured 2.8x -> ~2.3x raw ws CPU per
  // request against Effect.suspend + Effect.tracerWith + Effect.clockWith + two Effect.map of an [id, result] tuple
  Effect.withFiberRuntime((fiber): Effect.Effect<unknown, RequestError> => {
    const socket = socketOf ?? (() => runtime.sendable())
    const target = socket()
    const queue = target instanceof NotConnected ? waitingRoom(runtime, target, socketOf) : undefined
    if (target instanceof NotConnected && queue === undefined) return Effect.fail(target)
    const id = request.id ?? runtime.pending.nextId()
    if (runtime.pending.has(id)) return Effect.fail(new DuplicateRequestId({ id }))
    let frame: string
    try {
      frame = JSON.stringify(JsonRpc.encodeRequest(id, request.method, request.params))
    } catch (cause) {
      return Effect.fail(new SendError({ reason: "encode", cause }))
    }
    const timeoutMs = options?.timeout ?? runtime.options.requestTimeout
    const envelope = options?.envelope === true
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    const sent = queue !== undefined
      ? queued(runtime, queue, id, request.method, frame, timeoutMs, envelope)
      : runtime.limiter === undefined
      ? dispatch(runtime, clock, id, request.method, frame, timeoutMs, socket, envelope)
      : Effect.zipRight(
        runtime.throttle(frame),
        Effect.suspend(() => dispatch(runtime, clock, id, request.method, frame, timeoutMs, socket, envelope))
      )
    return Tracing.withSpanOf(fiber.currentTracer, sent, "zen_websocket.request", () => ({
      ...(runtime.server?.attributes() ?? Tracing.protocolAttributes),
      "rpc.system": "jsonrpc",
      "rpc.method": request.method,
      "rpc.jsonrpc.version": "2.0",
      "rpc.jsonrpc.request_id": String(id),
      "zen_websocket.client_id": runtime.id
    }))
  })

/**
 * Sends the request frame and waits for its response; the socket and the id are checked again after throttling.
 * The entry leaves the pending map in the `onExit` that reports the request (not in an `async` canceler, which Effect
 * wraps in one more `onInterrupt` per request), and only if it is still this request's entry.
 */
const dispatch = (
  runtime: Runtime,
  clock: Clock.Clock,
  id: JsonRpc.RequestId,
  method: string,
  frame: string,
  timeoutMs: number,
  socket: () => WebSocket | NotConnected,
  envelope: boolean
): Effect.Effect<unknown, RequestError> => {
  const target = socket()
  if (target instanceof NotConnected) return Effect.fail(target)
  if (runtime.pending.has(id)) return Effect.fail(new DuplicateRequestId({ id }))
  const startedAt = performance.now()
  let entry: Entry | undefined
  const deadline = clock.unsafeCurrentTimeMillis() + timeoutMs
  const response = Effect.async<unknown, RpcError | Disconnected | SendError | RequestTimeout>((resume) => {
    entry = place(runtime, target, id, method, frame, deadline, timeoutMs, envelope, resume)
  })
  const timer = runtime.pending.expireAt(deadline)
  return (timer === undefined ? response : Effect.zipRight(timer, response)).pipe(
    Effect.onExit((exit) => {
      if (entry !== undefined) runtime.pending.remove(id, entry)
      return report(runtime, id, method, performance.now() - startedAt, timeoutMs, exit)
    })
  )
}

/**
 * A request waiting for the restored connection: the offline queue's flush sends it in order (after its rate-limit
 * tokens), then it waits for its response like any other. Its timeout counts from the call, the wait included.
 */
const queued = (
  runtime: Runtime,
  queue: OfflineQueue,
  id: JsonRpc.RequestId,
  method: string,
  frame: string,
  timeoutMs: number,
  envelope: boolean
): Effect.Effect<unknown, RequestError> => {
  const startedAt = performance.now()
  let entry: Entry | undefined
  return Effect.clockWith((clock) => {
    const deadline = clock.unsafeCurrentTimeMillis() + timeoutMs
    return queue.wait<unknown, RequestError>((resume) => ({
      run: (socket) =>
        Effect.matchEffect(runtime.throttle(frame), {
          onFailure: (error) => Effect.sync(() => resume(Effect.fail(error))),
          onSuccess: () =>
            Effect.sync(() => {
              if (runtime.pending.has(id)) return resume(Effect.fail(new DuplicateRequestId({ id })))
              entry = place(runtime, socket, id, method, frame, deadline, timeoutMs, envelope, resume)
            })
        }),
      fail: (error) => resume(Effect.fail(error))
    }))
  }).pipe(
    Effect.timeoutFail({
      duration: Duration.millis(timeoutMs),
      onTimeout: () => new RequestTimeout({ id, method, timeoutMs })
    }),
    Effect.onExit((exit) => {
      if (entry !== undefined) runtime.pending.remove(id, entry)
      return report(runtime, id, method, performance.now() - startedAt, timeoutMs, exit)
    })
  )
}

/**
 * Registers the request for its response and puts its frame on `socket`; should the socket have closed, the entry
 * leaves at once and the request fails with `SendError`. Returns the entry (removed again by the caller's `onExit`).
 */
const place = (
  runtime: Runtime,
  socket: WebSocket,
  id: JsonRpc.RequestId,
  method: string,
  frame: string,
  deadline: number,
  timeoutMs: number,
  envelope: boolean,
  resume: (effect: Effect.Effect<unknown, RpcError | Disconnected | SendError | RequestTimeout>) => void
): Entry => {
  const entry = runtime.pending.add(id, method, deadline, timeoutMs, resume, envelope)
  if (!runtime.transmit(socket, frame, "request")) {
    runtime.pending.remove(id, entry)
    resume(Effect.fail(closedBeforeSent()))
  }
  return entry
}
