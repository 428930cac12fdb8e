/**
 * The data the mock server works with: frames, replies, handlers, matchers, connections and upgrade requests. The
 * `Testing` page documents and re-exports each of them; they live here so the server's parts can share them without
 * importing the page.
 */
import type * as Effect from "effect/Effect"
import type { IncomingHttpHeaders } from "node:http"

/** @internal */
export const TypeId: unique symbol = Symbol.for("@zen-websocket/core/Testing/MockServer")

/** A WebSocket data frame. */
export type Frame =
  | { readonly _tag: "Text"; readonly data: string }
  | { readonly _tag: "Binary"; readonly data: Uint8Array }

/** A frame the server received from a client, with the connection it came on and when (ms since the epoch). */
export type ReceivedFrame = Frame & {
  readonly connectionId: number
  readonly at: number
}

/**
 * What a handler answers: one frame (a string is a text frame, bytes a binary frame), several frames in order, or
 * nothing.
 */
export type Reply = string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined | void

/**
 * Answers one received frame. Replies on one connection keep the order of the frames. A handler that throws or fails
 * is logged (`Effect.logWarning`) and the server goes on.
 */
export type Handler = (frame: Frame, connection: MockConnection) => Reply | Effect.Effect<Reply>

/** The upgrade request of one connection attempt. */
export interface UpgradeRequest {
  /** The request target, with the query string. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
}

/** One live connection, as seen by a `Handler`. */
export interface MockConnection {
  /** 1 for the first accepted connection, then 2, 3… */
  readonly id: number
  /** The upgrade request: `url` keeps the query string. */
  readonly request: UpgradeRequest
  /** Sends a frame (text for a string, binary for bytes), subject to `delayFrames` and `goSilent`. */
  readonly send: (frame: string | Uint8Array) => void
  /** Starts a close handshake. */
  readonly close: (code?: number | undefined, reason?: string | undefined) => void
  /** Destroys the socket without a close frame (the client sees 1006). */
  readonly terminate: () => void
}

/**
 * Selects a received frame:
 *
 * - a string: a text frame with exactly that text;
 * - a `RegExp`: a text frame it matches;
 * - a plain object: a text frame holding a JSON object whose top-level fields include these (values compared deeply);
 * - a `Uint8Array`: a binary frame with exactly these bytes;
 * - a function: any frame it accepts.
 */
export type Matcher =
  | string
  | RegExp
  | Uint8Array
  | Record<string, unknown>
  | ((frame: ReceivedFrame) => boolean)

/**
 * How `simulateDisconnect` ends the connections: `"normal"` closes with 1000 "Normal closure", `"going_away"` with
 * 1001 "Server going away", a number with that code ("Custom close"), `"abnormal"` destroys the socket without a close
 * frame (the client sees 1006).
 */
export type DisconnectMode = "normal" | "going_away" | "abnormal" | number

/** The server's options with their defaults applied. */
export interface ResolvedOptions {
  readonly port: number
  readonly path: string
  readonly tls: boolean
  readonly handler: Handler
  readonly maxReceived: number
  readonly onConnection: ((connection: MockConnection) => Effect.Effect<void>) | undefined
}
