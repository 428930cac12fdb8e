/**
 * A stable handle over the successive incarnations of a supervised client: a `Client` whose messages, events and
 * state carry on across restarts, and whose subscriptions are re-made on every new incarnation.
 *
 * Memory: the handle owns the client's broadcasts (`Feeds`) and each incarnation's runtime publishes into them, so
 * nothing is copied and no fiber forwards anything (a PubSub and three forwarding fibers per client cost ~145 KB). Its
 * streams and effects are getters on the prototype, as on `Client`.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Client from "../Client.js"
import * as ClientEvent from "../ClientEvent.js"
import type * as ClientOptions from "../ClientOptions.js"
import type * as JsonRpc from "../JsonRpc.js"
import type * as Message from "../Message.js"
import { NotConnected } from "../WebSocketError.js"
import { ClientProto } from "./client.js"
import { safeRoute } from "./dialect/common.js"
import { defaultDialect } from "./dialect/jsonRpc.js"
import { Feeds, type State } from "./feeds.js"

/** @internal */
export class SupervisedClient {
  current: Client.Client | undefined = undefined
  down = false
  /** how long the last incarnation stayed connected (ms), `undefined` when it never connected */
  lastUpMs: number | undefined = undefined
  readonly channels = new Set<string>()
  readonly feeds: Feeds
  // bound once: they must work detached (`Effect.forEach(frames, client.sendMessage)`)
  readonly sendMessage: Client.Client["sendMessage"]
  readonly request: Client.Client["request"]
  readonly subscribe: Client.Client["subscribe"]
  readonly unsubscribe: Client.Client["unsubscribe"]
  readonly forEachChunk: Client.Client["forEachChunk"]

  constructor(readonly id: string, readonly options: ClientOptions.Resolved, readonly close: Effect.Effect<void>) {
    this.feeds = new Feeds(options.inbound)
    this.sendMessage = (message) => this.withCurrent((c) => c.sendMessage(message))
    this.request = (request: JsonRpc.Request, options?: Client.RequestOptions) =>
      this.withCurrent((c) => c.request(request, options))
    // what the incarnation confirmed is kept even when the call fails (a refused channel fails only itself)
    this.subscribe = (channels) =>
      this.withCurrent((c) =>
        Effect.ensuring(
          c.subscribe(channels),
          Effect.map(c.subscriptions, (confirmed) => {
            for (const channel of confirmed) this.channels.add(channel)
          })
        )
      )
    this.unsubscribe = (channels) =>
      this.withCurrent((c) =>
        Effect.tap(c.unsubscribe(channels), () =>
          Effect.sync(() => {
            for (const channel of channels) this.channels.delete(channel)
          }))
      )
    this.forEachChunk = (f) => this.feeds.inbound.forEachChunk(f)
  }

  private withCurrent<A, E>(f: (client: Client.Client) => Effect.Effect<A, E>): Effect.Effect<A, E | NotConnected> {
    return Effect.suspend((): Effect.Effect<A, E | NotConnected> =>
      this.current === undefined
        ? Effect.fail(new NotConnected({ state: this.down ? "disconnected" : "connecting" }))
        : f(this.current)
    )
  }

  /** The state now: the last one published, by the current incarnation or by the handle between two. */
  get currentState(): State {
    return this.feeds.lastState
  }

  /** Adopts a new incarnation (it publishes into the feeds already) and re-makes the subscriptions. */
  attach(client: Client.Client): Effect.Effect<void> {
    return Effect.gen(this, function*() {
      this.current = client
      if (this.channels.size > 0) {
        yield* client.subscribe([...this.channels]).pipe(
          Effect.tapError((error) =>
            Effect.annotateLogs(Effect.logWarning("could not restore subscriptions", error), "client_id", this.id)
          ),
          Effect.ignore
        )
      }
    })
  }

  /** The incarnation ended: the handle is "connecting" until the next one (or "disconnected" when it stays down). */
  detach(): Effect.Effect<void> {
    return Effect.sync(() => {
      this.current = undefined
      this.publish(this.down ? "disconnected" : "connecting")
    })
  }

  /** Stopped for good: `Closed`, then the streams end. */
  end(): Effect.Effect<void> {
    return Effect.sync(() => {
      this.current = undefined
      this.publish("disconnected")
      this.feeds.events.publish([ClientEvent.Closed()])
      this.feeds.end()
    })
  }

  private publish(state: State): void {
    this.feeds.publishState(state)
  }

  get messages() {
    return this.feeds.inbound.streamOnPull
  }
  get messagesScoped() {
    return Effect.map(this.feeds.inbound.subscribe, (reader) => this.feeds.inbound.stream(reader))
  }
  get events() {
    return this.feeds.events.streamOnPull
  }
  get eventsScoped() {
    return Effect.map(this.feeds.events.subscribe, (reader) => this.feeds.events.stream(reader))
  }
  get stateChanges(): Stream.Stream<State> {
    return Stream.unwrapScoped(Effect.map(this.feeds.state.subscribe, (reader) =>
      // the current state is read in the same step as the subscription: no change is missed
      Stream.concat(Stream.succeed(this.currentState), this.feeds.state.stream(reader))))
  }
  get getState() {
    return Effect.sync(() => this.currentState)
  }
  get subscriptions() {
    return Effect.sync(() => [...this.channels])
  }
  /** the channel of a notification: by the current incarnation (its server ids), else by the dialect alone */
  channelOf(message: Message.Message): string | undefined {
    if (this.current !== undefined) return this.current.channelOf(message)
    const route = safeRoute(this.options.subscriptionProtocol ?? defaultDialect, message)
    return typeof route === "string" ? route : undefined
  }
  /** the current incarnation reconnects (between two incarnations the supervisor's restart is under way) */
  get reconnect(): Client.Client["reconnect"] {
    return this.withCurrent((c) => c.reconnect)
  }
  get getStateMetrics(): Client.Client["getStateMetrics"] {
    return Effect.suspend(() =>
      this.current === undefined
        ? Effect.succeed({
          state: this.currentState,
          pendingRequests: 0,
          subscriptions: this.channels.size,
          queuedSends: 0,
          reconnects: 0,
          inboundFrames: 0,
          bufferedInbound: 0,
          paused: false
        })
        : this.current.getStateMetrics
    )
  }
  get getLatencyStats(): Client.Client["getLatencyStats"] {
    return Effect.suspend(() =>
      this.current === undefined ? Effect.succeed(Option.none()) : this.current.getLatencyStats
    )
  }
  get getHeartbeatHealth(): Client.Client["getHeartbeatHealth"] {
    return Effect.suspend(() =>
      this.current === undefined ? Effect.succeed(Option.none()) : this.current.getHeartbeatHealth
    )
  }

  /** The handle as users hold it (itself: it has the `Client` prototype). */
  toClient(): Client.Client {
    return this as unknown as Client.Client
  }
}

Object.setPrototypeOf(SupervisedClient.prototype, ClientProto)
