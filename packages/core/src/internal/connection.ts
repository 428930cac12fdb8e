/**
 * The connection loop, one fiber per client: attempt → restore → run → end → decide → wait → attempt…
 * Each connection lives in its own scope; every end of a connection is an error value, except our own close, which
 * interrupts the loop.
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import type WebSocket from "ws"
import * as ClientEvent from "../ClientEvent.js"
import * as ClientOptions from "../ClientOptions.js"
import * as Heartbeat from "../Heartbeat.js"
import * as Reconnect from "../Reconnect.js"
import type { InvalidOptions } from "../WebSocketError.js"
import { ConnectError, Disconnected } from "../WebSocketError.js"
import type { Runtime } from "./runtime.js"
import * as Send from "./send.js"
import * as Session from "./session.js"
import * as Subscriptions from "./subscriptions.js"
import * as Transport from "./transport.js"

/** How one connection ended. */
export type ConnectionEnd = ConnectError | Disconnected | InvalidOptions

/** What `connect` waits for: the first connection up, or the reason there will be none. */
export type Ready = Deferred.Deferred<void, ConnectError | InvalidOptions>

/** The link must stay up this long before the backoff starts over. */
const stableAfterMs = (runtime: Runtime) => Math.max(runtime.options.retryDelay, 1_000) * 5

/** @internal */
export const run = (runtime: Runtime, url: string | Effect.Effect<string>, ready: Ready): Effect.Effect<void> =>
  Effect.gen(function*() {
    let attempt = 0
    const driver = yield* Schedule.driver(
      Reconnect.schedule(runtime.options).pipe(
        Schedule.modifyDelayEffect((_, delay) =>
          Effect.as(
            runtime.emit(ClientEvent.Reconnecting({ attempt: attempt + 1, delayMs: Duration.toMillis(delay) })),
            delay
          )
        )
      )
    )
    while (true) {
      attempt++
      yield* runtime.emit(ClientEvent.Connecting({ attempt }))
      runtime.connectedAt = undefined
      const end = yield* Effect.flip(Effect.scoped(connectOnce(runtime, url, ready, () => (attempt = 0))))
      const upMs = runtime.connectedAt === undefined ? 0 : (yield* Clock.currentTimeMillis) - runtime.connectedAt
      yield* runtime.setState("connecting")
      if (end._tag === "Disconnected") {
        if (Transport.isFrameTooLarge(end.cause)) {
          yield* runtime.emit(ClientEvent.FrameTooLarge({ maxPayload: runtime.options.maxPayload, cause: end.cause }))
        }
        yield* runtime.emit(ClientEvent.Disconnected({ code: end.code, reason: end.reason, cause: end.cause }))
        if (upMs >= stableAfterMs(runtime)) yield* driver.reset
      }
      const retry = Reconnect.shouldReconnect(runtime.options, end) &&
        Either.isRight(yield* Effect.either(driver.next(end)))
      if (!retry) return yield* giveUp(runtime, ready, end, attempt)
    }
  })

const giveUp = (runtime: Runtime, ready: Ready, end: ConnectionEnd, attempts: number) =>
  Effect.gen(function*() {
    runtime.gaveUp()
    yield* runtime.setState("disconnected")
    yield* runtime.emit(ClientEvent.GaveUp({ attempts, cause: end }))
    if (end._tag === "Disconnected") return
    const failure = attempts > 1 && end._tag === "ConnectError"
      ? new ConnectError({ reason: "max-attempts", url: end.url, cause: end })
      : end
    yield* Deferred.fail(ready, failure)
  })

/** One connection, from dialing to its end. Never succeeds: it fails with how it ended. */
const connectOnce = (
  runtime: Runtime,
  url: string | Effect.Effect<string>,
  ready: Ready,
  onConnected: () => void
) =>
  Effect.gen(function*() {
    const target = yield* resolveUrl(url)
    const headers = yield* resolveHeaders(runtime.options.headers)
    const ended = yield* Deferred.make<never, Disconnected>()
    const startedAt = performance.now()
    let opened: WebSocket | undefined = undefined
    const end = (error: Disconnected) => {
      if (opened !== undefined && runtime.socket === opened) runtime.detach(error)
      Deferred.unsafeDone(ended, Exit.fail(error))
    }
    const socket = yield* Transport.open(
      {
        url: target,
        timeout: runtime.options.timeout,
        headers,
        protocols: runtime.options.protocols,
        maxPayload: runtime.options.maxPayload,
        tls: runtime.options.tls
      },
      {
        onMessage: runtime.onMessage,
        onPing: (data) => {
          runtime.inboundFrames++
          runtime.heartbeat?.onPing(data)
        },
        onPong: (data) => {
          runtime.inboundFrames++
          runtime.heartbeat?.onPong(data)
        },
        onError: () => {},
        onClose: (code, reason, cause) => {
          runtime.recorder?.recordClose("in", code, reason)
          end(new Disconnected({ code, reason, cause }))
        }
      }
    )
    opened = socket
    runtime.attach(socket)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        runtime.heartbeat = undefined
        if (Transport.isOpen(socket)) runtime.recorder?.recordClose("out", 1000, "")
        if (runtime.socket === socket) runtime.detach(new Disconnected({ code: 1000, reason: "connection closed" }))
      })
    )
    const connectTimeMs = Math.round(performance.now() - startedAt)
    yield* armHeartbeat(runtime, socket, (error) => end(error))
    yield* runRestoreHooks(runtime, target)
    yield* Subscriptions.restore(runtime)
    yield* flushOfflineQueue(runtime, socket)
    runtime.writable = true
    if (runtime.everConnected) runtime.reconnects++
    runtime.everConnected = true
    runtime.connectedAt = yield* Clock.currentTimeMillis
    yield* runtime.setState("connected")
    yield* runtime.emit(ClientEvent.Connected({ connectTimeMs }))
    onConnected()
    yield* Deferred.succeed(ready, undefined)
    return yield* Deferred.await(ended)
  })

/** Forks the heartbeat fiber in the connection scope; a dead link is terminated and ends the connection. */
const armHeartbeat = (runtime: Runtime, socket: WebSocket, end: (error: Disconnected) => void) =>
  Effect.gen(function*() {
    const config = runtime.options.heartbeatConfig
    if (config === undefined) return
    const heartbeat = yield* Heartbeat.make(config, {
      ping: (payload) => socket.ping(payload),
      send: (frame) => runtime.transmit(socket, frame),
      inboundFrames: () => runtime.inboundFrames
    }, {
      onMissed: (missed) => runtime.emit(ClientEvent.HeartbeatMissed({ missed })),
      onRtt: (rttMs) => runtime.recordRtt(rttMs)
    })
    runtime.heartbeat = heartbeat
    runtime.lastHeartbeat = heartbeat
    yield* heartbeat.run.pipe(
      Effect.catchAll((timeout) =>
        Effect.sync(() => {
          end(new Disconnected({ code: 1006, reason: timeout.message, cause: timeout }))
          socket.terminate()
        })
      ),
      Effect.interruptible,
      Effect.forkScoped
    )
  })

const runRestoreHooks = (runtime: Runtime, url: string) =>
  Effect.forEach(runtime.restoreHooks, (hook) =>
    Effect.suspend(() => hook(Session.make(runtime))).pipe(
      Effect.mapError((cause) => new ConnectError({ reason: "restore", url, cause }))
    ), { discard: true })

const flushOfflineQueue = (runtime: Runtime, socket: WebSocket) =>
  runtime.offline === undefined ?
    Effect.void :
    runtime.offline.flush((frame) => Effect.zipRight(runtime.throttle(frame), Send.write(runtime, socket, frame)))

const resolveUrl = (url: string | Effect.Effect<string>) =>
  typeof url === "string"
    ? Effect.succeed(url)
    : Effect.flatMap(url, (u) => Effect.as(ClientOptions.validateUrl(u), u))

const resolveHeaders = (headers: ClientOptions.Resolved["headers"]) =>
  Effect.isEffect(headers) ? headers : Effect.succeed(headers)
