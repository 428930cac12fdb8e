/**
 * The state of one client shared by its parts: the current socket, pending requests, tracked subscriptions, the
 * inbound router and the event/message hubs. The inbound path is synchronous up to the inbox: no fiber per frame.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type WebSocket from "ws"
import * as ClientEvent from "../ClientEvent.js"
import type * as ClientOptions from "../ClientOptions.js"
import type * as Heartbeat from "../Heartbeat.js"
import * as JsonRpc from "../JsonRpc.js"
import * as Message from "../Message.js"
import * as RateLimiter from "../RateLimiter.js"
import * as Recorder from "../Recorder.js"
import type { SubscriptionProtocol } from "../SubscriptionProtocol.js"
import * as Telemetry from "../Telemetry.js"
import type { RateLimited } from "../WebSocketError.js"
import { Disconnected, InvalidOptions, NotConnected } from "../WebSocketError.js"
import { Inbox } from "./inbox.js"
import * as Instrumentation from "./instruments.js"
import { OfflineQueue } from "./offlineQueue.js"
import { Pending } from "./pending.js"
import * as Transport from "./transport.js"

/** @internal */
export type State = "connecting" | "connected" | "disconnected"

const End: unique symbol = Symbol.for("@zen-websocket/core/internal/End")
type End = typeof End
const notEnd = <A>(a: A | End): a is A => a !== End

/** @internal */
export class Runtime {
  /** the open socket of the current connection, set once the upgrade completed */
  socket: WebSocket | undefined = undefined
  /** true once the connection finished its restore steps: user sends go out only then */
  writable = false
  closed = false
  currentState: State = "connecting"
  /** every inbound frame, control frames included: the heartbeat's sign of life */
  inboundFrames = 0
  /** inbound data frames and their bytes, for telemetry */
  dataFrames = 0
  inboundBytes = 0
  loop: Fiber.RuntimeFiber<void> | undefined = undefined
  readonly pending: Pending
  readonly tracked = new Set<string>()
  readonly restoreHooks: Array<ClientOptions.RestoreHook>
  readonly offline: OfflineQueue | undefined
  /** the heartbeat of the current connection (it consumes heartbeat frames) and the last one's health */
  heartbeat: Heartbeat.Heartbeat | undefined = undefined
  lastHeartbeat: Heartbeat.Heartbeat | undefined = undefined
  reconnects = 0
  everConnected = false
  /** Clock time the current connection became `connected` */
  connectedAt: number | undefined = undefined
  /** frames received but not yet handed to the subscribers */
  inboxSize = 0
  paused = false
  /** frames handed to the hub, and how far each reader has taken them: their lag is what the hub holds */
  private published = 0
  private readonly readers = new Set<{ taken: number }>()

  constructor(
    readonly id: string,
    readonly options: ClientOptions.Resolved,
    readonly protocol: SubscriptionProtocol,
    readonly state: SubscriptionRef.SubscriptionRef<State>,
    readonly inbox: Inbox<Message.Message>,
    readonly messageHub: PubSub.PubSub<Message.Message | End>,
    readonly eventHub: PubSub.PubSub<ClientEvent.ClientEvent | End>,
    readonly instruments: Instrumentation.Instruments,
    readonly limiter: RateLimiter.RateLimiter | undefined,
    readonly recorder: Recorder.Recorder | undefined,
    readonly scope: Scope.Scope
  ) {
    this.pending = new Pending(scope)
    this.restoreHooks = [...options.restoreHooks]
    this.offline = options.offlineQueue === undefined ? undefined : new OfflineQueue(options.offlineQueue)
    this.messagesScoped = this.subscribeMessages
    this.messages = Stream.unwrapScoped(
      Effect.suspend(() => this.closed ? Effect.succeed(Stream.empty) : this.messagesScoped)
    )
    this.eventsScoped = Effect.map(Stream.fromPubSub(eventHub, { scoped: true }), Stream.takeWhile(notEnd))
    this.events = Stream.unwrapScoped(
      Effect.suspend(() => this.closed ? Effect.succeed(Stream.empty) : this.eventsScoped)
    )
  }

  readonly messagesScoped: Effect.Effect<Stream.Stream<Message.Message>, never, Scope.Scope>
  readonly messages: Stream.Stream<Message.Message>
  readonly eventsScoped: Effect.Effect<Stream.Stream<ClientEvent.ClientEvent>, never, Scope.Scope>
  readonly events: Stream.Stream<ClientEvent.ClientEvent>

  // ---- inbound: called synchronously by the `ws` listeners ----

  readonly onMessage = (data: Buffer, isBinary: boolean): void => {
    this.inboundFrames++
    this.dataFrames++
    this.inboundBytes += data.length
    if (isBinary) {
      this.recorder?.recordBinary("in", data)
      return this.deliver(new Message.Binary(data))
    }
    const text = data.toString()
    this.recorder?.recordText("in", text)
    const message = new Message.Text(text)
    if (this.pending.size > 0 && JsonRpc.mayBeResponse(text)) {
      const rttMs = this.pending.resolve(JsonRpc.classify(message.json))
      if (rttMs !== undefined) return this.instruments.latency.add(rttMs)
    }
    if (this.heartbeat !== undefined && this.heartbeat.onText(message)) return
    this.deliver(message)
  }

  private deliver(message: Message.Message): void {
    this.inbox.offer(message)
    if (++this.inboxSize >= this.options.inbound.bufferSize) this.pause()
  }

  // ---- backpressure ("suspend"): the hub is unbounded, the socket pauses while a reader lags bufferSize behind ----

  private get subscribeMessages(): Effect.Effect<Stream.Stream<Message.Message>, never, Scope.Scope> {
    return Effect.gen(this, function*() {
      const stream = yield* Stream.fromPubSub(this.messageHub, { scoped: true })
      const reader = yield* this.registerReader
      if (reader === undefined) return Stream.takeWhile(stream, notEnd)
      return stream.pipe(
        Stream.mapChunks((chunk) => {
          this.taken(reader, Chunk.size(chunk))
          return chunk
        }),
        Stream.takeWhile(notEnd)
      )
    })
  }

  /** Runs `f` on every chunk of inbound frames until the client closes, with no Stream in between. */
  forEachChunk<E, R>(
    f: (chunk: Chunk.Chunk<Message.Message>) => Effect.Effect<unknown, E, R>
  ): Effect.Effect<void, E, R> {
    return Effect.scoped(Effect.gen(this, function*() {
      if (this.closed) return
      const dequeue = yield* PubSub.subscribe(this.messageHub)
      const reader = yield* this.registerReader
      while (true) {
        const chunk = yield* Queue.takeBetween(dequeue, 1, 4096)
        if (reader !== undefined) this.taken(reader, Chunk.size(chunk))
        const ended = Chunk.unsafeLast(chunk) === End
        const messages = (ended ? Chunk.dropRight(chunk, 1) : chunk) as Chunk.Chunk<Message.Message>
        if (Chunk.isNonEmpty(messages)) yield* f(messages)
        if (ended) return
      }
    }))
  }

  /** With `suspend`, a reader's progress is tracked so the socket can pause while it lags behind. */
  private get registerReader(): Effect.Effect<{ taken: number } | undefined, never, Scope.Scope> {
    return Effect.suspend(() => {
      if (this.options.inbound.strategy !== "suspend") return Effect.succeed(undefined)
      const reader = { taken: this.published }
      this.readers.add(reader)
      return Effect.as(
        Effect.addFinalizer(() => Effect.sync(() => this.readers.delete(reader) && this.resumeIfCaughtUp())),
        reader
      )
    })
  }

  private taken(reader: { taken: number }, count: number): void {
    reader.taken += count
    this.resumeIfCaughtUp()
  }

  private lag(): number {
    let slowest = this.published
    for (const reader of this.readers) if (reader.taken < slowest) slowest = reader.taken
    return this.published - slowest
  }

  private pause(): void {
    if (this.paused || this.socket === undefined) return
    this.paused = true
    this.socket.pause()
  }

  private resumeIfCaughtUp(): void {
    if (!this.paused || this.lag() + this.inboxSize >= this.options.inbound.bufferSize / 2) return
    this.paused = false
    this.socket?.resume()
  }

  /** The pump: hands inbound frames to the subscribers a chunk at a time. */
  readonly pump: Effect.Effect<void> = Effect.gen(this, function*() {
    let reportedFrames = 0
    let reportedBytes = 0
    while (true) {
      const [messages, done] = yield* this.inbox.take
      this.inboxSize -= messages.length
      if (messages.length > 0) {
        if (this.options.debug) {
          yield* Effect.logDebug(`[${this.id}] in: ${messages.length} frame(s)`, preview(messages))
        }
        yield* PubSub.publishAll(this.messageHub, messages)
        this.published += messages.length
        if (this.lag() >= this.options.inbound.bufferSize) this.pause()
      }
      if (this.dataFrames !== reportedFrames) {
        yield* this.instruments.emit(Telemetry.names.messageReceived, {
          count: this.dataFrames - reportedFrames,
          bytes: this.inboundBytes - reportedBytes
        })
        reportedFrames = this.dataFrames
        reportedBytes = this.inboundBytes
      }
      this.resumeIfCaughtUp()
      if (done) return yield* PubSub.publish(this.messageHub, End)
    }
  })

  // ---- state and events ----

  setState(state: State): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.currentState === state) return Effect.void
      this.currentState = state
      return SubscriptionRef.set(this.state, state)
    })
  }

  emit(event: ClientEvent.ClientEvent): Effect.Effect<void> {
    const publish = Effect.zipRight(this.instruments.clientEvent(event), PubSub.publish(this.eventHub, event))
    return this.options.debug
      ? Effect.zipRight(Effect.logDebug(`[${this.id}] ${event._tag}`, event), publish)
      : Effect.asVoid(publish)
  }

  // ---- outbound ----

  /** The socket user sends may use, or the reason they may not. */
  sendable(): WebSocket | NotConnected {
    if (this.writable && this.socket !== undefined && Transport.isOpen(this.socket)) return this.socket
    return new NotConnected({
      state: this.closed || this.currentState === "disconnected" ? "disconnected" : "connecting"
    })
  }

  metrics() {
    return {
      state: this.currentState,
      pendingRequests: this.pending.size,
      subscriptions: this.tracked.size,
      queuedSends: this.offline?.size ?? 0,
      reconnects: this.reconnects,
      inboundFrames: this.inboundFrames,
      bufferedInbound: this.inboxSize,
      paused: this.paused
    }
  }

  recordRtt(rttMs: number): Effect.Effect<void> {
    this.instruments.latency.add(rttMs)
    return this.instruments.emit(Telemetry.names.pong, { rtt_ms: rttMs }, {
      type: this.options.heartbeatConfig?.type
    })
  }

  /** Puts one frame on the wire (and in the recording); false when the socket is not open. */
  transmit(socket: WebSocket, frame: string | Uint8Array): boolean {
    if (!Transport.send(socket, frame)) return false
    if (this.recorder !== undefined) {
      if (typeof frame === "string") this.recorder.recordText("out", frame)
      else this.recorder.recordBinary("out", frame)
    }
    return true
  }

  /** Waits for rate-limit tokens when a `RateLimiter` was in context at `connect`; a refusal is reported. */
  throttle(frame: string | Uint8Array): Effect.Effect<void, RateLimited> {
    if (this.limiter === undefined) return Effect.void
    return this.limiter.acquire(this.limiter.costOf(frame)).pipe(
      Effect.tapError((error) => this.emit(ClientEvent.RateLimited({ queueSize: error.queueSize })))
    )
  }

  // ---- connection lifecycle ----

  attach(socket: WebSocket): void {
    this.socket = socket
    this.paused = false
  }

  /** The link is gone: nothing may be sent on it, every pending request fails at once. */
  detach(error: Disconnected): void {
    this.socket = undefined
    this.writable = false
    this.pending.failAll(error)
  }

  /** No more connections will come: buffered sends fail. */
  gaveUp(): void {
    this.offline?.failAll(new NotConnected({ state: "disconnected" }))
  }

  /** Our own close: stop the loop, fail what is pending, end the streams. Idempotent. */
  readonly close: Effect.Effect<void> = Effect.suspend(() => {
    if (this.closed) return Effect.void
    this.closed = true
    this.writable = false
    this.pending.failAll(new Disconnected({ code: 1000, reason: "client closed" }))
    this.gaveUp()
    return Effect.gen(this, function*() {
      if (this.loop !== undefined) yield* Fiber.interrupt(this.loop)
      if (this.recorder !== undefined) yield* this.recorder.flush
      yield* this.setState("disconnected")
      yield* this.emit(ClientEvent.Closed())
      yield* PubSub.publish(this.eventHub, End)
      this.inbox.end()
    })
  })
}

const preview = (messages: ReadonlyArray<Message.Message>): ReadonlyArray<string> =>
  messages.slice(0, 5).map((m) => m._tag === "Text" ? m.data.slice(0, 200) : `<${m.data.length} bytes>`)

/** @internal */
export const make = (
  id: string,
  options: ClientOptions.Resolved,
  protocol: SubscriptionProtocol
): Effect.Effect<Runtime, InvalidOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const state = yield* SubscriptionRef.make<State>("connecting")
    const inbox = new Inbox<Message.Message>()
    const messageHub = yield* makeMessageHub(options.inbound)
    const eventHub = yield* PubSub.unbounded<ClientEvent.ClientEvent | End>()
    const instruments = yield* Instrumentation.make(id, options.latencyBufferSize)
    const limiter = Option.getOrUndefined(yield* Effect.serviceOption(RateLimiter.RateLimiter))
    const recorder = options.recordTo !== undefined
      ? yield* openRecording(options.recordTo)
      : Option.getOrUndefined(yield* Effect.serviceOption(Recorder.Recorder))
    const scope = yield* Effect.scope
    return new Runtime(id, options, protocol, state, inbox, messageHub, eventHub, instruments, limiter, recorder, scope)
  })

const openRecording = (path: string) =>
  Recorder.make(path).pipe(
    Effect.mapError((error) =>
      new InvalidOptions({
        field: "recordTo",
        value: path,
        rule: `must be a file that can be opened for appending (${String(error.cause)})`
      })
    )
  )

const makeMessageHub = (inbound: ClientOptions.Resolved["inbound"]) => {
  switch (inbound.strategy) {
    case "sliding":
      return PubSub.sliding<Message.Message | End>(inbound.bufferSize)
    case "dropping":
      return PubSub.dropping<Message.Message | End>(inbound.bufferSize)
    case "suspend":
      return PubSub.unbounded<Message.Message | End>()
  }
}
