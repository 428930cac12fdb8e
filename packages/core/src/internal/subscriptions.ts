/**
 * The tracked channel set: only channels the server confirmed are tracked, and they are restored after a reconnect.
 */
import * as Effect from "effect/Effect"
import * as ClientEvent from "../ClientEvent.js"
import type * as JsonRpc from "../JsonRpc.js"
import { InvalidOptions } from "../WebSocketError.js"
import * as Requests from "./requests.js"
import type { Runtime } from "./runtime.js"

const checkChannels = (channels: ReadonlyArray<string>): Effect.Effect<void, InvalidOptions> =>
  Array.isArray(channels) && channels.length > 0 && channels.every((c) => typeof c === "string" && c.length > 0)
    ? Effect.void
    : Effect.fail(
      new InvalidOptions({ field: "channels", value: channels, rule: "must be a non-empty array of channel names" })
    )

/** @internal */
export const subscribe = (
  runtime: Runtime,
  channels: ReadonlyArray<string>
): Effect.Effect<JsonRpc.RequestId, Requests.RequestError | InvalidOptions> =>
  Effect.zipRight(
    checkChannels(channels),
    Effect.map(Requests.request(runtime, runtime.protocol.subscribe(channels)), ([id, result]) => {
      for (const channel of runtime.protocol.confirmed(result, channels)) runtime.tracked.add(channel)
      return id
    })
  )

/** @internal */
export const unsubscribe = (
  runtime: Runtime,
  channels: ReadonlyArray<string>
): Effect.Effect<void, Requests.RequestError | InvalidOptions> =>
  Effect.zipRight(
    checkChannels(channels),
    Effect.map(Requests.request(runtime, runtime.protocol.unsubscribe(channels)), () => {
      for (const channel of channels) runtime.tracked.delete(channel)
    })
  )

/**
 * Re-sends the tracked channels on a fresh connection (before it is writable for users). Channels the server no
 * longer confirms are dropped and reported; a failed restore request leaves the set as it was.
 * @internal
 */
export const restore = (runtime: Runtime): Effect.Effect<void> =>
  Effect.gen(function*() {
    if (!runtime.options.restoreSubscriptions || runtime.tracked.size === 0) return
    const channels = [...runtime.tracked]
    const onSocket = () => runtime.socket ?? runtime.sendable()
    const result = yield* Effect.either(
      Requests.request(runtime, runtime.protocol.subscribe(channels), undefined, onSocket)
    )
    if (result._tag === "Left" && result.left._tag !== "RpcError") {
      // the link went away or the server is slow: keep the set for the next connection
      return yield* Effect.annotateLogs(
        Effect.logWarning("subscription restore failed", result.left),
        "client_id",
        runtime.id
      )
    }
    const confirmed = new Set(result._tag === "Right" ? runtime.protocol.confirmed(result.right[1], channels) : [])
    const rejected = channels.filter((c) => !confirmed.has(c))
    for (const channel of rejected) runtime.tracked.delete(channel)
    yield* runtime.emit(ClientEvent.SubscriptionsRestored({ channels: [...confirmed], rejected }))
  })
