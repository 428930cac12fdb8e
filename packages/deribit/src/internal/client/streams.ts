/**
 * Channels as typed Streams: a channel is subscribed when its first stream is pulled and unsubscribed when its last
 * one ends (an `RcMap` of subscriptions keyed by channel name), and each notification's `data` is decoded.
 *
 * The hot path, per chunk of inbound frames: a substring test on the raw text (no parse for other channels' frames),
 * the dialect's channel (the frame's JSON, parsed once and shared by every consumer), then the decoder — the ticker's
 * is the hand-written fast path (`decodeTickerFast`), falling back to the Schema only for frames it does not accept.
 * No fiber, `Deferred` or `Effect` per frame.
 *
 * @since 0.1.0
 * @internal
 */
import type { Message } from "@zen-websocket/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as RcMap from "effect/RcMap"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as fast from "../fastDecode.js"
import type { ChannelError, SessionState } from "./state.js"

/** A decoder of a notification's `data`. @internal */
export type Decode<A> = (data: unknown) => Either.Either<A, ParseResult.ParseError>

/** @internal */
export const schemaDecoder = <A, I>(schema: Schema.Schema<A, I>): Decode<A> => Schema.decodeUnknownEither(schema)

/** The fast path first, the Schema (and its error) for what it does not accept. @internal */
export const withFastPath = <A>(fastPath: (u: unknown) => A | undefined, slow: Decode<A>): Decode<A> => (data) => {
  const quick = fastPath(data)
  return quick !== undefined ? Either.right(quick) : slow(data)
}

/** @internal */
export const tickerDecoder = <A, I>(schema: Schema.Schema<A, I>): Decode<A> =>
  withFastPath((u) => fast.ticker<A>(u), schemaDecoder(schema))

/** The subscriptions by channel, shared by the streams of a session. @internal */
export const makeChannels = (state: SessionState) =>
  RcMap.make({
    lookup: (channel: string) =>
      Effect.acquireRelease(
        Effect.asVoid(state.client!.subscribe([channel])),
        // a closing session does not unsubscribe channel by channel: the connection goes
        () => Effect.suspend(() => state.closing ? Effect.void : Effect.ignore(state.client!.unsubscribe([channel])))
      )
  })

/** The decoded notifications of `chunk` that belong to `channel`. */
const select = <A>(state: SessionState, channel: string, decode: Decode<A>) => {
  const needle = `"${channel}"`
  return (chunk: Chunk.Chunk<Message.Message>): Effect.Effect<Chunk.Chunk<A>, ParseResult.ParseError> => {
    const client = state.client!
    let out: Array<A> | undefined
    for (const message of chunk) {
      if (message._tag !== "Text" || !message.data.includes(needle) || client.channelOf(message) !== channel) continue
      const decoded = decode((message.json as { readonly params: { readonly data: unknown } }).params.data)
      if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
      ;(out ??= []).push(decoded.right)
    }
    return Effect.succeed(out === undefined ? Chunk.empty() : Chunk.unsafeFromArray(out))
  }
}

/**
 * The decoded notifications of one channel, from the moment the stream is pulled: subscribes (shared), and the
 * subscription is released when the stream ends.
 *
 * @internal
 */
export const channel = <A>(
  state: SessionState,
  name: string,
  decode: Decode<A>
): Stream.Stream<A, ChannelError | ParseResult.ParseError> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const messages = yield* state.client!.messagesScoped
    yield* RcMap.get(state.channels!, name)
    return Stream.mapChunksEffect(messages, select(state, name, decode))
  }))
