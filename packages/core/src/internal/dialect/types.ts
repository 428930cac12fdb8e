/**
 * The shapes of a subscription dialect, declared here so the built-in dialects and the client's internals need not
 * import the `Dialect` page (which re-exports each of them with its documentation).
 */
import type { Message } from "../../Message.js"
import type { RpcError, SendError } from "../../WebSocketError.js"

/**
 * At most `burst` requests at once, then `perSecond` on average (a token bucket on the client's `Clock`).
 */
export interface Pacing {
  readonly burst: number
  readonly perSecond: number
}

/**
 * What one subscribe or unsubscribe request may carry, and how fast such requests may go out. The batched restore
 * and `Client.subscribe` respect all three.
 */
export interface Limits {
  /** most channels in one request (`Infinity`: only the frame size limits a batch) */
  readonly maxChannelsPerRequest: number
  /** largest request frame, in UTF-8 bytes */
  readonly maxFrameBytes: number
  /** how fast subscribe/unsubscribe requests may go out; `undefined`: no pacing of our own */
  readonly pacing: Pacing | undefined
}

/**
 * What a frame builder gets besides the channels.
 */
export interface RequestContext {
  /** a fresh number for this request, unique among the client's requests in flight: put it in the frame's id field */
  readonly ref: number
  /** the id the server gave a channel on this connection (dialects whose server assigns ids, e.g. `ethSubscribe`) */
  readonly serverId: (channel: string) => string | undefined
}

/**
 * A request frame: a string is sent as it is, an object as JSON.
 */
export type Frame = string | object

/**
 * A channel the server refused, and why.
 */
export interface Rejection {
  readonly channel: string
  /** the server's error (`RpcError`), or `SendError` `encode` when the channel alone is over `maxFrameBytes` */
  readonly error: RpcError | SendError
}

/**
 * What a dialect reads from an inbound frame that answers one of our requests.
 *
 * A request is settled when every channel of it is accepted or rejected, when an ack is `final` (channels not accepted
 * by then count as not confirmed) or when an ack carries an `error` for the request as a whole. A whole-request error
 * on a subscribe is split: the batch is halved, down to single channels, so one bad channel drops only itself (unless
 * the dialect's `retryable` says the error is transient: then the attempt is retried as it is).
 */
export interface Ack {
  /** the `ref` of the request it answers; `undefined` for venues without correlation ids: the oldest request waiting */
  readonly ref: number | string | undefined
  /** channels accepted (`"all"`: every channel of the request) */
  readonly accepted?: ReadonlyArray<string> | "all" | undefined
  /** channels refused, each with its error */
  readonly rejected?: ReadonlyArray<Rejection> | undefined
  /** everything the server now holds (venues whose ack lists the whole set, e.g. Coinbase); implies `final` */
  readonly holding?: ReadonlyArray<string> | undefined
  /** the request as a whole failed */
  readonly error?: RpcError | undefined
  /** no more acks come for this request */
  readonly final?: boolean | undefined
  /** the id the server assigned to the request's channel (single-channel requests, e.g. `eth_subscribe`) */
  readonly serverId?: string | undefined
}

/**
 * The channels of the request waiting under a ref (`undefined`: the oldest request waiting), or `undefined` when none
 * waits under it.
 */
export type Requested = (ref: number | string | undefined) => ReadonlyArray<string> | undefined

/**
 * Where a notification goes: a channel name, or the server's id of a subscription (mapped back to the channel the user
 * subscribed with, on the current connection).
 */
export type Route = string | { readonly serverId: string }

/**
 * A subscription dialect. Every field is plain data or a pure function of its arguments: the client keeps the state
 * (pending requests, server ids, pacing).
 */
export interface Dialect {
  /** a name for logs, errors and the README table */
  readonly name: string
  readonly limits: Limits
  /** the frame that subscribes to a batch of channels */
  readonly subscribe: (channels: ReadonlyArray<string>, context: RequestContext) => Frame
  /** the frame that unsubscribes from a batch of channels */
  readonly unsubscribe: (channels: ReadonlyArray<string>, context: RequestContext) => Frame
  /**
   * reads an inbound frame as an ack of one of our requests, or `undefined` when it is none; `requested(ref)` gives the
   * channels of the request waiting under `ref` (`undefined`: the oldest one), for acks that name only part of a channel
   */
  readonly ack: (message: Message, requested: Requested) => Ack | undefined
  /** the channel (or server id) a notification belongs to, or `undefined` when the frame is no notification */
  readonly channelOf: (message: Message) => Route | undefined
  /** whether an error (of a restore hook, a restore request or a whole-request ack) is transient */
  readonly retryable: (error: unknown) => boolean
  /** channels of different groups never share a request (e.g. Kraken's `params.channel`); default: one group */
  readonly groupOf?: ((channel: string) => string) | undefined
}

/**
 * What every built-in constructor accepts: other limits, another error classifier.
 */
export interface CommonOptions {
  readonly limits?: Partial<Limits> | undefined
  readonly retryable?: ((error: unknown) => boolean) | undefined
}

/**
 * JSON-RPC options: the method names (Deribit's by default).
 */
export interface JsonRpcOptions extends CommonOptions {
  /** default `"public/subscribe"` (`"private/subscribe"` for private channels) */
  readonly subscribeMethod?: string | undefined
  /** default `"public/unsubscribe"` */
  readonly unsubscribeMethod?: string | undefined
  /** the method of notifications, default `"subscription"` */
  readonly notificationMethod?: string | undefined
}

/**
 * Coinbase options: the JWT of authenticated channels, signed fresh for every subscribe.
 */
export interface CoinbaseOptions extends CommonOptions {
  readonly jwt?: (() => string) | undefined
}

/**
 * Kraken v2 options: the token of private channels (from the REST API's `GetWebSocketsToken`).
 */
export interface KrakenOptions extends CommonOptions {
  readonly token?: (() => string) | undefined
}
