import type { Sharding } from "@effect/cluster/Sharding"
import type { Client, JsonRpc } from "@zen-websocket/core"
import { ClientSupervisor, WebSocketError } from "@zen-websocket/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { FeedError } from "../FeedError.js"
import { WebSocketConnection } from "../WebSocketConnection.js"
import { delivered, feedError } from "./errors.js"
import type { Slot } from "./slot.js"

/** @internal */
export interface CallOptions {
  readonly timeout?: Duration.DurationInput | undefined
}

/** how much longer than the owner's deadline the caller waits for its answer (the trip there and back) */
const deliveryGrace = 1_000

/**
 * The routing side of `ClusterFeeds`, usable on any runner (or a client-only process): each call goes to the feed's
 * connection entity on whichever runner owns the feed, with a deadline.
 *
 * @internal
 */
export const make = (options: {
  readonly sharding: Sharding["Type"]
  readonly timeout: Duration.DurationInput
  readonly slots: ReadonlyMap<string, Slot>
}) =>
  Effect.gen(function*() {
    const connections = yield* options.sharding.makeClient(WebSocketConnection)
    const balancer = yield* ClientSupervisor.make
    const defaultMs = Duration.toMillis(Duration.decode(options.timeout))
    const msOf = (call?: CallOptions) => call?.timeout === undefined ? defaultMs : Duration.toMillis(call.timeout)

    /** the call with the caller's deadline: the owner answers within `timeoutMs`, the caller gives it a little more */
    const call = <A, E>(name: string, timeoutMs: number, effect: Effect.Effect<A, E>) =>
      effect.pipe(
        delivered(name),
        Effect.timeoutFail({
          duration: Duration.millis(timeoutMs + deliveryGrace),
          onTimeout: () => feedError(name, "Timeout", `no runner answered for "${name}" within ${timeoutMs} ms`)
        })
      )

    const send = (name: string, message: Client.Outbound, callOptions?: CallOptions) =>
      Effect.suspend(() => {
        const timeoutMs = msOf(callOptions)
        const frame = toFrame(name, message)
        return frame instanceof FeedError
          ? Effect.fail(frame)
          : call(name, timeoutMs, connections(name).Send({ message: frame, timeoutMs }))
      })

    const state = (name: string, callOptions?: CallOptions) => call(name, msOf(callOptions), connections(name).State())

    return {
      send,
      request: (name: string, request: JsonRpc.Request, callOptions?: CallOptions) => {
        const timeoutMs = msOf(callOptions)
        return call(
          name,
          timeoutMs,
          connections(name).Request({ method: request.method, params: request.params, timeoutMs })
        )
      },
      subscribe: (name: string, channels: ReadonlyArray<string>, callOptions?: CallOptions) => {
        const timeoutMs = msOf(callOptions)
        return call(name, timeoutMs, connections(name).Subscribe({ channels, timeoutMs }))
      },
      unsubscribe: (name: string, channels: ReadonlyArray<string>, callOptions?: CallOptions) => {
        const timeoutMs = msOf(callOptions)
        return call(name, timeoutMs, connections(name).Unsubscribe({ channels, timeoutMs }))
      },
      state,
      sendBalanced: (
        pool: ReadonlyArray<string>,
        message: Client.Outbound,
        balancedOptions?: { readonly maxAttempts?: number | undefined } & CallOptions
      ) =>
        Effect.gen(function*() {
          // only feeds whose owner reports them connected are candidates (a second each to answer)
          const states = yield* Effect.forEach(
            pool,
            (name) => Effect.option(state(name, { timeout: Math.min(1_000, msOf(balancedOptions)) })),
            { concurrency: "unbounded" }
          )
          const candidates = states.flatMap((found) =>
            found._tag === "Some" && found.value.state === "connected"
              ? [{
                id: found.value.feed,
                sendMessage: (outbound: Client.Outbound) => send(found.value.feed, outbound, balancedOptions),
                health: Effect.succeed({
                  connected: true,
                  pendingRequests: found.value.pendingRequests,
                  p99Ms: found.value.p99Ms
                })
              }]
              : []
          )
          return yield* balancer.sendBalanced(message, {
            clientDiscovery: Effect.succeed(candidates),
            maxAttempts: balancedOptions?.maxAttempts
          }).pipe(
            Effect.mapError((error) =>
              error instanceof FeedError || error instanceof WebSocketError.NoConnections
                ? error
                : feedError(pool.join(","), "Unavailable", String(error), error)
            )
          )
        }),
      localFeeds: Effect.map(
        Effect.forEach(options.slots.values(), (slot) =>
          Effect.map(slot.current.get, (current) => [slot.name, current] as const)),
        (entries) =>
          entries.filter(([, current]) => current._tag === "Some").map(([name]) => name)
      )
    }
  })

/** what `Client.sendMessage` would send: strings and bytes as they are, anything else as JSON */
const toFrame = (name: string, message: Client.Outbound): string | Uint8Array | FeedError => {
  if (typeof message === "string" || message instanceof Uint8Array) return message
  try {
    const json = JSON.stringify(message)
    if (typeof json === "string") return json
    return feedError(name, "InvalidMessage", "the message has no JSON form; nothing was sent")
  } catch (cause) {
    return feedError(name, "InvalidMessage", `the message could not be JSON-encoded; nothing was sent`, cause)
  }
}
