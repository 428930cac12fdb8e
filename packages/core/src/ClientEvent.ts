/**
 * Lifecycle events of a client, published on `client.events`. Tests and applications await these instead of polling.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * @since 0.1.0
 * @category models
 */
export type ClientEvent = Data.TaggedEnum<{
  /** An attempt to open a connection started (1 for the first attempt of an outage). */
  Connecting: { readonly attempt: number }
  /** The WebSocket upgrade completed. */
  Connected: { readonly connectTimeMs: number }
  /** The connection ended. `code` 1006 means no close frame was received. */
  Disconnected: { readonly code: number; readonly reason: string; readonly cause?: unknown }
  /** The next attempt waits `delayMs`. */
  Reconnecting: { readonly attempt: number; readonly delayMs: number }
  /** No more attempts: the client stays `disconnected`. */
  GaveUp: { readonly attempts: number; readonly cause?: unknown }
  /** A heartbeat got no answer in time. */
  HeartbeatMissed: { readonly missed: number }
  /** Tracked subscriptions were re-sent after a reconnect. */
  SubscriptionsRestored: { readonly channels: ReadonlyArray<string>; readonly rejected: ReadonlyArray<string> }
  /** A send waited for rate-limit tokens or was refused. */
  RateLimited: { readonly queueSize: number }
  /** An inbound frame was over `maxPayload`: the connection was closed with 1009. */
  FrameTooLarge: { readonly maxPayload: number; readonly cause?: unknown }
  /** The client was closed by `Client.close` or its scope: it will not reconnect. */
  Closed: {}
}>

/**
 * @since 0.1.0
 * @category constructors
 */
export const ClientEvent = Data.taggedEnum<ClientEvent>()

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
