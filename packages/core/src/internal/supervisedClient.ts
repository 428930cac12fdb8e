/**
 * A stable handle over the successive incarnations of a supervised client: it is a `Client` whose messages, events
 * and state carry on across restarts, and whose subscriptions are re-made on every new incarnation.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as Client from "../Client.js"
import type * as ClientEvent from "../ClientEvent.js"
import type * as ClientOptions from "../ClientOptions.js"
import type * as Message from "../Message.js"
import { NotConnected } from "../WebSocketError.js"
import { type ClientBase, ClientProto } from "./client.js"
import { safeRoute } from "./dialect/common.js"
import { defaultDialect } from "./dialect/jsonRpc.js"

/** @internal */
export class SupervisedClient {
  current: Client.Client | undefined = undefined
  down = false
  readonly channels = new Set<string>()

  constructor(
    readonly id: string,
    readonly options: ClientOptions.Resolved,
    readonly stop: Effect.Effect<void>,
    readonly messageHub: PubSub.PubSub<Message.Message>,
    readonly eventHub: PubSub.PubSub<ClientEvent.ClientEvent>,
    readonly state: SubscriptionRef.SubscriptionRef<Client.State>
  ) {}

  private notConnected() {
    return new NotConnected({ state: this.down ? "disconnected" : "connecting" })
  }

  private withCurrent<A, E>(f: (client: Client.Client) => Effect.Effect<A, E>): Effect.Effect<A, E | NotConnected> {
    return Effect.suspend((): Effect.Effect<A, E | NotConnected> =>
      this.current === undefined ? Effect.fail(this.notConnected()) : f(this.current)
    )
  }

  /** Adopts a new incarnation: forwards its frames, events and state, and re-makes the subscriptions. */
  attach(client: Client.Client): Effect.Effect<void, never, Scope.Scope> {
    return Effect.gen(this, function*() {
      const messages = yield* client.messagesScoped
      const events = yield* client.eventsScoped
      yield* Stream.runForEachChunk(messages, (chunk) => PubSub.publishAll(this.messageHub, chunk)).pipe(
        Effect.forkScoped
      )
      yield* Stream.runForEach(events, (event) => PubSub.publish(this.eventHub, event)).pipe(Effect.forkScoped)
      yield* Stream.runForEach(client.stateChanges, (state) => SubscriptionRef.set(this.state, state)).pipe(
        Effect.forkScoped
      )
      if (this.channels.size > 0) {
        yield* client.subscribe([...this.channels]).pipe(
          Effect.tapError((error) =>
            Effect.annotateLogs(Effect.logWarning("could not restore subscriptions", error), "client_id", this.id)
          ),
          Effect.ignore
        )
      }
      this.current = client
      yield* SubscriptionRef.set(this.state, yield* client.getState)
    })
  }

  detach(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.current = undefined
      return SubscriptionRef.set(this.state, this.down ? "disconnected" : "connecting")
    })
  }

  toClient(): Client.Client {
    const fields: Omit<Client.Client, keyof ClientBase> = {
      id: this.id,
      options: this.options,
      messages: Stream.fromPubSub(this.messageHub),
      messagesScoped: Stream.fromPubSub(this.messageHub, { scoped: true }),
      forEachChunk: (f) =>
        Stream.fromPubSub(this.messageHub).pipe(Stream.runForEachChunk((chunk) => Effect.asVoid(f(chunk)))),
      events: Stream.fromPubSub(this.eventHub),
      eventsScoped: Stream.fromPubSub(this.eventHub, { scoped: true }),
      stateChanges: this.state.changes,
      getState: SubscriptionRef.get(this.state),
      sendMessage: (message) => this.withCurrent((c) => c.sendMessage(message)),
      request: (request, options) => this.withCurrent((c) => c.request(request, options)),
      // what the incarnation confirmed is kept even when the call fails (a refused channel fails only itself)
      subscribe: (channels) =>
        this.withCurrent((c) =>
          Effect.ensuring(
            c.subscribe(channels),
            Effect.map(c.subscriptions, (confirmed) => {
              for (const channel of confirmed) this.channels.add(channel)
            })
          )
        ),
      unsubscribe: (channels) =>
        this.withCurrent((c) =>
          Effect.tap(c.unsubscribe(channels), () =>
            Effect.sync(() => {
              for (const channel of channels) this.channels.delete(channel)
            }))
        ),
      subscriptions: Effect.sync(() => [...this.channels]),
      channelOf: (message) => {
        if (this.current !== undefined) return this.current.channelOf(message)
        const route = safeRoute(this.options.subscriptionProtocol ?? defaultDialect, message)
        return typeof route === "string" ? route : undefined
      },
      getStateMetrics: Effect.suspend(() =>
        this.current === undefined
          ? Effect.map(SubscriptionRef.get(this.state), (state) => ({
            state,
            pendingRequests: 0,
            subscriptions: this.channels.size,
            queuedSends: 0,
            reconnects: 0,
            inboundFrames: 0,
            bufferedInbound: 0,
            paused: false
          }))
          : this.current.getStateMetrics
      ),
      getLatencyStats: Effect.suspend(() =>
        this.current === undefined ? Effect.succeed(Option.none()) : this.current.getLatencyStats
      ),
      getHeartbeatHealth: Effect.suspend(() =>
        this.current === undefined ? Effect.succeed(Option.none()) : this.current.getHeartbeatHealth
      ),
      close: this.stop
    }
    return Object.assign(Object.create(ClientProto), fields)
  }
}
