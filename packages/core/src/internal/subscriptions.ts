/**
 * The tracked channel set and the requests that change it. Channels go out in batches that fit the dialect's limits;
 * a batch refused as a whole is halved down to single channels, so one bad channel drops only itself. Only channels
 * the server confirmed are tracked; after a reconnect they are restored the same way, before the client is
 * `connected`.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type WebSocket from "ws"
import * as ClientEvent from "../ClientEvent.js"
import type * as JsonRpc from "../JsonRpc.js"
import type { RpcError } from "../WebSocketError.js"
import { InvalidOptions, NotConnected, RequestTimeout, SendError } from "../WebSocketError.js"
import * as Batches from "./batches.js"
import type * as Dialect from "./dialect/types.js"
import * as Exchanges from "./exchanges.js"
import { waitingRoom } from "./offlineQueue.js"
import * as Requests from "./requests.js"
import type { Runtime } from "./runtime.js"
import { closedBeforeSent } from "./send.js"

const checkChannels = (channels: ReadonlyArray<string>): Effect.Effect<void, InvalidOptions> =>
  Array.isArray(channels) && channels.length > 0 && channels.every((c) => typeof c === "string" && c.length > 0)
    ? Effect.void
    : Effect.fail(
      new InvalidOptions({ field: "channels", value: channels, rule: "must be a non-empty array of channel names" })
    )

/**
 * Sends one request of the client's dialect for `channels` (paced by the dialect, then by the rate limiter) and waits
 * up to `requestTimeout` for the acks that settle it. A user's request (no `socketOf`) waits in the offline queue while
 * reconnecting, when there is one (the wait counts in its timeout); the restore's (its `socketOf`) never waits.
 * @internal
 */
const exchange = (
  runtime: Runtime,
  kind: Batches.Kind,
  channels: ReadonlyArray<string>,
  socketOf: (() => WebSocket | NotConnected) | undefined
): Effect.Effect<Exchanges.Outcome, Exchanges.ExchangeError> =>
  Effect.suspend((): Effect.Effect<Exchanges.Outcome, Exchanges.ExchangeError> => {
    const socketNow = socketOf ?? (() => runtime.sendable())
    const first = socketNow()
    const queue = first instanceof NotConnected ? waitingRoom(runtime, first, socketOf) : undefined
    if (first instanceof NotConnected && queue === undefined) return Effect.fail(first)
    const dialect = runtime.protocol
    const ref = runtime.pending.reserve()
    let method = `${dialect.name} ${kind}`
    let frame: string
    try {
      const built = dialect[kind](channels, { ref, serverId: (c) => runtime.serverIds.idOf(c) })
      method = Batches.labelOf(built, method)
      frame = Batches.encodeFrame(built)
    } catch (cause) {
      runtime.pending.release(ref)
      return Effect.fail(new SendError({ reason: "encode", cause }))
    }
    const timeoutMs = runtime.options.requestTimeout
    let entry: Exchanges.Exchange | undefined
    let startedAt = performance.now()
    /** registers the request for its acks and puts its frame on `socket` */
    const start = (
      socket: WebSocket,
      resume: (effect: Effect.Effect<Exchanges.Outcome, Exchanges.ExchangeError>) => void
    ) => {
      startedAt = performance.now()
      entry = new Exchanges.Exchange(ref, kind, channels, method, resume)
      runtime.exchanges.add(entry)
      if (!runtime.transmit(socket, frame, "subscribe")) {
        runtime.exchanges.remove(entry)
        resume(Effect.fail(closedBeforeSent()))
      }
    }
    const settled = (
      acks: Effect.Effect<Exchanges.Outcome, Exchanges.ExchangeError>
    ): Effect.Effect<Exchanges.Outcome, Exchanges.ExchangeError> =>
      acks.pipe(
        Effect.timeoutFail({
          duration: Duration.millis(timeoutMs),
          onTimeout: () => new RequestTimeout({ id: ref, method, timeoutMs })
        }),
        // reported like a request (telemetry, latency), once it went out
        Effect.onExit((exit) => {
          if (entry === undefined) return Effect.void
          runtime.exchanges.remove(entry)
          const durationMs = performance.now() - startedAt
          if (exit._tag === "Success") runtime.instruments.latency.add(durationMs)
          return Requests.report(runtime, ref, method, durationMs, timeoutMs, exit)
        })
      )
    const paced = runtime.pacer === undefined
      ? runtime.throttle(frame)
      : Effect.zipRight(runtime.pacer.take, runtime.throttle(frame))
    const sent = queue !== undefined
      ? settled(queue.wait<Exchanges.Outcome, Exchanges.ExchangeError>((resume) => ({
        run: (socket) =>
          Effect.matchEffect(paced, {
            onFailure: (error) => Effect.sync(() => resume(Effect.fail(error))),
            onSuccess: () => Effect.sync(() => start(socket, resume))
          }),
        fail: (error) => resume(Effect.fail(error))
      })))
      : Effect.zipRight(
        paced,
        Effect.suspend(() => {
          const socket = socketNow()
          return socket instanceof NotConnected
            ? Effect.fail(socket)
            : settled(Effect.async<Exchanges.Outcome, Exchanges.ExchangeError>((resume) => start(socket, resume)))
        })
      )
    return Effect.ensuring(sent, Effect.sync(() => runtime.pending.release(ref)))
  })

/** What a set of batches came to. */
interface Settled {
  /** the first request's ref */
  ref: number | undefined
  readonly accepted: Array<string>
  readonly rejected: Array<Dialect.Rejection>
}

/** A whole-request refusal the dialect calls transient: the request may succeed as it is, later. */
type SettleError = Exchanges.ExchangeError | RpcError

/**
 * Subscribes to `channels` in batches; `onAccepted` runs after each batch (so what the server confirmed is tracked
 * even when a later batch fails).
 */
const settle = (
  runtime: Runtime,
  channels: ReadonlyArray<string>,
  socketOf: (() => WebSocket | NotConnected) | undefined,
  onAccepted: (accepted: ReadonlyArray<string>) => void
): Effect.Effect<Settled, SettleError> =>
  Effect.gen(function*() {
    const plan = Batches.plan(runtime.protocol, "subscribe", channels, (c) => runtime.serverIds.idOf(c))
    const settled: Settled = { ref: undefined, accepted: [], rejected: [...plan.oversize] }
    const sendBatch = (batch: ReadonlyArray<string>): Effect.Effect<void, SettleError> =>
      Effect.flatMap(exchange(runtime, "subscribe", batch, socketOf), (outcome) => {
        settled.ref ??= outcome.ref
        if (outcome.error !== undefined) {
          if (runtime.retryable(outcome.error)) return Effect.fail(outcome.error)
          if (batch.length === 1) {
            settled.rejected.push({ channel: batch[0]!, error: outcome.error })
            return Effect.void
          }
          const half = Math.ceil(batch.length / 2)
          return Effect.zipRight(sendBatch(batch.slice(0, half)), sendBatch(batch.slice(half)))
        }
        if (outcome.serverId !== undefined && batch.length === 1) runtime.serverIds.set(batch[0]!, outcome.serverId)
        settled.accepted.push(...outcome.accepted)
        settled.rejected.push(...outcome.rejected)
        onAccepted(outcome.accepted)
        return Effect.void
      })
    for (const batch of plan.batches) yield* sendBatch(batch)
    return settled
  })

/**
 * Subscribes through the client's dialect. Confirmed channels are tracked; when the server refused one, the call
 * fails with its error (the others stay tracked: `subscriptions()` lists them).
 * @internal
 */
export const subscribe = (
  runtime: Runtime,
  channels: ReadonlyArray<string>
): Effect.Effect<JsonRpc.RequestId, Requests.RequestError | InvalidOptions> =>
  Effect.zipRight(
    checkChannels(channels),
    Effect.suspend(() =>
      Effect.flatMap(
        settle(runtime, [...new Set(channels)], undefined, (accepted) => {
          for (const channel of accepted) runtime.tracked.add(channel)
        }),
        (settled) => {
          const [first] = settled.rejected
          return first !== undefined ? Effect.fail(first.error) : Effect.succeed(settled.ref ?? 0)
        }
      )
    )
  )

/**
 * Unsubscribes in batches; what each batch's ack confirms stops being tracked. A refusal fails the call.
 * @internal
 */
export const unsubscribe = (
  runtime: Runtime,
  channels: ReadonlyArray<string>
): Effect.Effect<void, Requests.RequestError | InvalidOptions> =>
  Effect.zipRight(
    checkChannels(channels),
    Effect.suspend(() => {
      const plan = Batches.plan(
        runtime.protocol,
        "unsubscribe",
        [...new Set(channels)],
        (c) => runtime.serverIds.idOf(c)
      )
      const [oversize] = plan.oversize
      if (oversize !== undefined) return Effect.fail(oversize.error)
      return Effect.forEach(plan.batches, (batch) =>
        Effect.flatMap(
          exchange(runtime, "unsubscribe", batch, undefined),
          (outcome) => {
            for (const channel of outcome.accepted) {
              runtime.tracked.delete(channel)
              runtime.serverIds.delete(channel)
            }
            const [first] = outcome.rejected
            return outcome.error !== undefined
              ? Effect.fail(outcome.error)
              : first !== undefined
              ? Effect.fail(first.error)
              : Effect.void
          }
        ), { discard: true })
    })
  )

/** Why a restore did not finish: no answer (timeout, lost link), a transient refusal, or refused channels. */
export type RestoreError = SettleError | { readonly _tag: "Rejected"; readonly first: Dialect.Rejection }

/**
 * Re-subscribes the tracked channels on a fresh connection (before it is writable for users). Refused channels are
 * dropped and reported (or, with `onRestoreRejected: "fail"`, fail the attempt and stay tracked for the next one);
 * any failure to get an answer fails the attempt with the set unchanged.
 * @internal
 */
export const restore = (
  runtime: Runtime,
  socketOf: () => WebSocket | NotConnected
): Effect.Effect<void, RestoreError> =>
  Effect.gen(function*() {
    runtime.serverIds.clear()
    if (!runtime.options.restoreSubscriptions || runtime.tracked.size === 0) return
    const settled = yield* settle(runtime, [...runtime.tracked], socketOf, () => {})
    const [first] = settled.rejected
    const keep = first !== undefined && runtime.options.onRestoreRejected === "fail"
    if (!keep) { for (const { channel } of settled.rejected) runtime.tracked.delete(channel) }
    yield* runtime.emit(ClientEvent.SubscriptionsRestored({ restored: settled.accepted, rejected: settled.rejected }))
    if (keep) return yield* Effect.fail({ _tag: "Rejected", first } as const)
  })
