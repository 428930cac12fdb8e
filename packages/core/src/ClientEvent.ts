/**
 * Lifecycle events of a client, published on `client.events`. Tests and applications await these instead of polling.
 * Events are tagged data (structural equality) on a prototype that makes them `Pipeable` and `Inspectable`
 * (`toJSON`, `toString`, Node inspect).
 *
 * @example
 * ```ts
 * import * as ClientEvent from "@zen-websocket/core/ClientEvent"
 *
 * const event = ClientEvent.Reconnecting({ attempt: 2, delayMs: 2000 })
 * ClientEvent.ClientEvent.$is("Reconnecting")(event) // true
 * String(event) // pretty JSON of { _tag: "Reconnecting", attempt: 2, delayMs: 2000 }
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Inspectable from "effect/Inspectable"
import type * as Pipeable from "effect/Pipeable"
import type { Rejection } from "./internal/dialect/types.js"
import { DataProto } from "./internal/proto.js"

/**
 * @since 0.1.0
 * @category models
 */
export type ClientEvent = Events & Proto

/**
 * What every event inherits from its prototype.
 *
 * @since 0.2.0
 * @category models
 */
export interface Proto extends Pipeable.Pipeable, Inspectable.Inspectable {}

type Events = Data.TaggedEnum<{
  /** An attempt to open a connection started (1 for the first attempt of an outage). */
  Connecting: { readonly attempt: number }
  /**
   * The connection is usable: the link is live and its restore (hooks, subscriptions, offline queue) finished on it.
   * Published once per connection, never for an attempt that failed on the way.
   */
  Connected: { readonly connectTimeMs: number }
  /** The connection ended. `code` 1006 means no close frame was received. */
  Disconnected: { readonly code: number; readonly reason: string; readonly cause?: unknown }
  /** The next attempt waits `delayMs`. */
  Reconnecting: { readonly attempt: number; readonly delayMs: number }
  /** No more attempts: the client stays `disconnected`. */
  GaveUp: { readonly attempts: number; readonly cause?: unknown }
  /** A heartbeat got no answer in time. */
  HeartbeatMissed: { readonly missed: number }
  /**
   * The tracked subscriptions were re-made on a new connection (before `Connected`): `restored` the server confirmed,
   * `rejected` it refused, each with its error (batches refused as a whole are split down to the channel at fault).
   */
  SubscriptionsRestored: { readonly restored: ReadonlyArray<string>; readonly rejected: ReadonlyArray<Rejection> }
  /** A send waited for rate-limit tokens or was refused. */
  RateLimited: { readonly queueSize: number }
  /** An inbound frame was over `maxPayload`: the connection was closed with 1009. */
  FrameTooLarge: { readonly maxPayload: number; readonly cause?: unknown }
  /** The client was closed by `Client.close` or its scope: it will not reconnect. */
  Closed: {}
}>

const EventProto = Object.assign(Object.create(Data.Structural.prototype), {
  ...DataProto,
  toJSON(this: ClientEvent) {
    return Inspectable.toJSON({ ...this })
  }
})

const make = (tag: string) => (args?: object): ClientEvent => {
  const event = Object.create(EventProto)
  if (args !== undefined) Object.assign(event, args)
  event._tag = tag
  return event
}

const matchers = Data.taggedEnum<Events>()

type Constructors = {
  readonly [Tag in ClientEvent["_tag"]]: (
    args: Data.TaggedEnum.Args<Events, Tag>
  ) => Extract<ClientEvent, { readonly _tag: Tag }>
}

/**
 * The event constructors, with `$is` and `$match` (as `Data.taggedEnum` gives them).
 *
 * @since 0.1.0
 * @category constructors
 */
export const ClientEvent: Constructors & Pick<Data.TaggedEnum.Constructor<Events>, "$is" | "$match"> = new Proxy(
  {} as any,
  {
    get(_target, tag) {
      if (tag === "$is" || tag === "$match") return matchers[tag]
      return make(tag as string)
    }
  }
)

/**
 * @since 0.1.0
 * @category constructors
 */
export const {
  Closed,
  Connected,
  Connecting,
  Disconnected,
  FrameTooLarge,
  GaveUp,
  HeartbeatMissed,
  RateLimited,
  Reconnecting,
  SubscriptionsRestored
} = ClientEvent
