/**
 * The state of one client shared by its parts: the current socket, pending requests, tracked subscriptions, the
 * inbound router and the broadcasts of frames, events and state. The inbound path is synchronous up to the readers:
 * no fiber per frame, and no fiber between the socket and the readers.
 */
import type * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as EffectRuntime from "effect/Runtime"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type WebSocket from "ws"
import * as ClientEvent from "../ClientEvent.js"
import type * as ClientOptions from "../ClientOptions.js"
import type * as Heartbeat from "../Heartbeat.js"
import * as JsonRpc from "../JsonRpc.js"
import * as Message from "../Message.js"
import * as RateLimiter from "../RateLimiter.js"
import * as Recorder from "../Recorder.js"
import * as Telemetry from "../Telemetry.js"
import type { RateLimited } from "../WebSocketError.js"
import { Disconnected, InvalidOptions, NotConnected } from "../WebSocketError.js"
import { Awaiters } from "./awaiters.js"
import { Broadcast } from "./broadcast.js"
import { safeRoute } from "./dialect/common.js"
import type * as Dialect from "./dialect/types.js"
import { Exchanges } from "./exchanges.js"
import { type Feeds, FeedsTag } from "./feeds.js"
import { Inbox } from "./inbox.js"
import * as Instrumentation from "./instruments.js"
import { OfflineQueue } from "./offlineQueue.js"
import { Pacer } from "./pacing.js"
import { Pending } from "./pending.js"
import { forLog } from "./redact.js"
import { ServerIds } from "./serverIds.js"
import type { FrameKind } from "./telemetry.js"
import type * as Tracing from "./tracing.js"
import * as Transport from "./transport.js"

/** @internal */
export type State = "connecting" | "connected" | "disconnected"

/**
 * `reconnectNow` until the loop runs. Shared and lazy: an error built per client captured a stack trace each (measured
 * 2.4% of the CPU of opening 2 000 connections, and its heap per idle client).
 */
const notStartedYet: Effect.Effect<never, NotConnected> = Effect.suspend(() =>
  Effect.fail(new NotConnected({ state: "connecting" }))
)

/** @internal */
export class Runtime {
  /** the open socket of the current connection, set once the upgrade completed */
  socket: WebSocket | undefined = undefined
  /** true once the connection finished its restore steps: user sends go out only then */
  writable = false
  /** true while the restore hooks and the re-subscribe run: their frames count as `restore` */
  restoring = false
  /** the URL of the last completed upgrade, redacted (the `upgrade` event's `url`) */
  upgradedUrl: string | undefined = undefined
  /** the server of the current (or last) attempt, for span attributes */
  server: Tracing.Server | undefined = undefined
  closed = false
  currentState: State = "connecting"
  /** every inbound frame, control frames included: the heartbeat's sign of life */
  inboundFrames = 0
  /** inbound data frames and their bytes, for telemetry */
  dataFrames = 0
  inboundBytes = 0
  private reportedFrames = 0
  private reportedBytes = 0
  /** the fiber running the connection loop, when one is (none while the link is up) */
  loop: Fiber.RuntimeFiber<void> | undefined = undefined
  /** `Client.reconnect`: the connection loop's, once it runs */
  reconnectNow: Effect.Effect<void, NotConnected> = notStartedYet
  /** who waits for the connection a `Client.reconnect` asked for */
  reconnectWaiters: Array<Deferred.Deferred<void, NotConnected>> | undefined = undefined
  /** the scope of the current connection attempt or link */
  connection: Scope.CloseableScope | undefined = undefined
  readonly pending: Pending
  readonly tracked = new Set<string>()
  /** server-assigned subscription ids on the current connection (eth_subscribe) */
  readonly serverIds = new ServerIds()
  /** frames awaited by a dialect's acks or a restore hook's `sendAndAwait` */
  readonly awaiters = new Awaiters()
  private exchangeRegistry: Exchanges | undefined = undefined
  private pacing: Pacer | null | undefined = undefined
  /** whether an error of a restore hook or a restore is worth another attempt (the option, else the dialect's) */
  readonly retryable: (error: unknown) => boolean
  readonly restoreHooks: Array<ClientOptions.RestoreHook>
  readonly offline: OfflineQueue | undefined
  /** the heartbeat of the current connection (it consumes heartbeat frames) and the last one's health */
  heartbeat: Heartbeat.Heartbeat | undefined = undefined
  lastHeartbeat: Heartbeat.Heartbeat | undefined = undefined
  reconnects = 0
  everConnected = false
  /** Clock time the current connection became `connected` */
  connectedAt: number | undefined = undefined
  paused = false
  /** how many times reading was paused for backpressure (the heartbeat excuses silence across a pause) */
  pauses = 0
  readonly inbox = new Inbox<Message.Message>(this)
  readonly inbound: Broadcast<Message.Message>
  private readonly eventFeed: Broadcast<ClientEvent.ClientEvent>
  private readonly stateFeed: Broadcast<State>
  /** the broadcasts of a supervised client's stable handle, when this runtime publishes into them */
  readonly feeds: Feeds | undefined

  constructor(
    readonly id: string,
    readonly options: ClientOptions.Resolved,
    readonly protocol: Dialect.Dialect,
    readonly instruments: Instrumentation.Instruments,
    readonly limiter: RateLimiter.RateLimiter | undefined,
    readonly recorder: Recorder.Recorder | undefined,
    readonly scope: Scope.Scope,
    readonly effectRuntime: EffectRuntime.Runtime<never>,
    feeds?: Feeds | undefined
  ) {
    this.pending = new Pending(scope)
    this.retryable = options.retryable ?? protocol.retryable
    this.restoreHooks = [...options.restoreHooks]
    this.offline = options.offlineQueue === undefined ? undefined : new OfflineQueue(options.offlineQueue)
    this.feeds = feeds
    if (feeds !== undefined) feeds.current = this
    const { bufferSize, strategy } = options.inbound
    this.inbound = feeds?.inbound ?? (strategy === "suspend"
      ? new Broadcast("unbounded", Infinity, this)
      : new Broadcast(strategy, bufferSize))
    this.eventFeed = feeds?.events ?? new Broadcast<ClientEvent.ClientEvent>()
    this.stateFeed = feeds?.state ?? new Broadcast<State>()
  }

  // the streams are built on access: an idle client carries none of them

  get messagesScoped(): Effect.Effect<Stream.Stream<Message.Message>, never, Scope.Scope> {
    return Effect.map(this.inbound.subscribe, (reader) => this.inbound.stream(reader))
  }

  get messages(): Stream.Stream<Message.Message> {
    return this.inbound.streamOnPull
  }

  get eventsScoped(): Effect.Effect<Stream.Stream<ClientEvent.ClientEvent>, never, Scope.Scope> {
    return Effect.map(this.eventFeed.subscribe, (reader) => this.eventFeed.stream(reader))
  }

  get events(): Stream.Stream<ClientEvent.ClientEvent> {
    return this.eventFeed.streamOnPull
  }

  /** the current state, then every change; ends when the client is closed */
  get stateChanges(): Stream.Stream<State> {
    return Stream.unwrapScoped(Effect.map(this.stateFeed.subscribe, (reader) =>
      // the current state is read in the same step as the subscription: no change is missed
      Stream.concat(Stream.succeed(this.currentState), this.stateFeed.stream(reader))))
  }

  // ---- inbound: called synchronously by the `ws` listeners ----

  readonly onMessage = (data: Buffer, isBinary: boolean): void => {
    this.inboundFrames++
    this.dataFrames++
    this.inboundBytes += data.length
    if (isBinary) {
      this.recorder?.recordBinary("in", data)
      const binary = new Message.Binary(data)
      if (this.awaiters.size > 0 && this.awaiters.offer(binary)) return this.inbox.wake()
      return this.deliver(binary)
    }
    const text = data.toString()
    this.recorder?.recordText("in", text)
    const message = new Message.Text(text)
    if (this.pending.size > 0 && JsonRpc.mayBeResponse(text)) {
      const json = message.json
      const rttMs = this.pending.resolve(JsonRpc.classify(json), json)
      if (rttMs !== undefined) {
        this.instruments.latency.add(rttMs)
        return this.inbox.wake()
      }
    }
    // consumed frames (answers, awaited acks, heartbeat answers) reach no reader: the inbox's turn still reports them
    if (this.awaiters.size > 0 && this.awaiters.offer(message)) return this.inbox.wake()
    if (this.heartbeat !== undefined && this.heartbeat.onText(message)) return this.inbox.wake()
    this.deliver(message)
  }

  readonly onPing = (data: Buffer): void => {
    this.inboundFrames++
    this.heartbeat?.onPing(data)
  }

  readonly onPong = (data: Buffer): void => {
    this.inboundFrames++
    this.heartbeat?.onPong(data)
  }

  private deliver(message: Message.Message): void {
    this.inbox.offer(message)
    if (this.inbox.size >= this.options.inbound.bufferSize && this.options.inbound.strategy === "suspend") this.pause()
  }

  /** The frames of one event-loop turn go to every reader at once. */
  release(batch: ReadonlyArray<Message.Message>): void {
    if (this.options.debug) this.log(`in: ${batch.length} frame(s)`, preview(batch))
    this.inbound.publish(batch)
    this.reportInbound()
    if (this.options.inbound.strategy === "suspend" && this.inbound.lag() >= this.options.inbound.bufferSize) {
      this.pause()
    }
  }

  /** A turn of frames the client consumed itself (no batch for the readers): their telemetry. */
  settle(): void {
    this.reportInbound()
  }

  /** Inbound telemetry, once per batch (DESIGN §4), never per frame. */
  private reportInbound(): void {
    if (this.dataFrames === this.reportedFrames) return
    this.instruments.received(this.dataFrames - this.reportedFrames, this.inboundBytes - this.reportedBytes)
    this.reportedFrames = this.dataFrames
    this.reportedBytes = this.inboundBytes
  }

  /** A debug log line; whatever it shows of frames went through `forLog` (the recordings' redaction). */
  private log(message: string, detail?: unknown): void {
    EffectRuntime.runFork(this.effectRuntime)(
      Effect.annotateLogs(
        detail === undefined ? Effect.logDebug(message) : Effect.logDebug(message, detail),
        "client_id",
        this.id
      )
    )
  }

  /** Runs `f` on every chunk of inbound frames until the client closes, with no Stream in between. */
  forEachChunk<E, R>(
    f: (chunk: Chunk.Chunk<Message.Message>) => Effect.Effect<unknown, E, R>
  ): Effect.Effect<void, E, R> {
    return this.inbound.forEachChunk(f)
  }

  // ---- backpressure ("suspend"): the socket pauses while a reader lags bufferSize frames behind ----

  private pause(): void {
    if (this.paused || this.socket === undefined) return
    this.paused = true
    this.pauses++
    this.socket.pause()
  }

  /** a reader took what it held (the inbound broadcast's owner hook) */
  onTaken(): void {
    this.resumeIfCaughtUp()
  }

  private resumeIfCaughtUp(): void {
    if (!this.paused || this.inbound.lag() + this.inbox.size >= this.options.inbound.bufferSize / 2) return
    this.paused = false
    this.socket?.resume()
  }

  /** the dialect's requests waiting for acks (made with the first one: most clients of a feed subscribe rarely) */
  get exchanges(): Exchanges {
    return (this.exchangeRegistry ??= new Exchanges(this.protocol, this.awaiters))
  }

  /** the dialect's pacing of subscribe/unsubscribe requests, if it has one */
  get pacer(): Pacer | undefined {
    if (this.pacing === undefined) {
      const pacing = this.protocol.limits.pacing
      this.pacing = pacing === undefined ? null : new Pacer(pacing)
    }
    return this.pacing ?? undefined
  }

  /** The channel a notification belongs to: the dialect's route, server ids mapped to the user's channel names. */
  channelOf(message: Message.Message): string | undefined {
    const route = safeRoute(this.protocol, message)
    return route === undefined || typeof route === "string" ? route : this.serverIds.channelOf(route.serverId)
  }

  // ---- state and events ----

  setState(state: State): Effect.Effect<void> {
    return Effect.sync(() => {
      if (this.currentState === state) return
      this.currentState = state
      if (this.feeds !== undefined) this.feeds.publishState(state)
      else this.stateFeed.publish([state])
    })
  }

  emit(event: ClientEvent.ClientEvent): Effect.Effect<void> {
    const publish = Effect.zipRight(
      this.instruments.clientEvent(event, this.upgradedUrl),
      Effect.sync(() => this.eventFeed.publish([event]))
    )
    return this.options.debug
      ? Effect.zipRight(Effect.annotateLogs(Effect.logDebug(event._tag, forLog(event)), "client_id", this.id), publish)
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
      bufferedInbound: this.inbox.size + this.inbound.lag(),
      paused: this.paused
    }
  }

  recordRtt(rttMs: number): Effect.Effect<void> {
    this.instruments.latency.add(rttMs)
    return this.instruments.emit(Telemetry.names.pong, { rtt_ms: rttMs }, {
      type: this.options.heartbeatConfig?.type
    })
  }

  /**
   * Puts one frame on the wire (and in the recording) and counts it in `message_sent` as `kind` (`restore` for
   * whatever but heartbeats goes out while the connection restores); false when the socket is not open.
   */
  transmit(socket: WebSocket, frame: string | Uint8Array, kind: FrameKind): boolean {
    if (!Transport.send(socket, frame)) return false
    this.instruments.sent(
      this.restoring && kind !== "heartbeat" ? "restore" : kind,
      typeof frame === "string" ? Buffer.byteLength(frame) : frame.byteLength
    )
    if (this.options.debug) {
      this.log(`out: ${typeof frame === "string" ? shorten(forLog(frame)) : `<${frame.length} bytes>`}`)
    }
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

  /**
   * The link is gone: nothing may be sent on it, every pending request and awaited ack fails at once, the server's
   * subscription ids are forgotten, and without `restoreSubscriptions` so are the channels (the server no longer
   * holds them).
   */
  detach(error: Disconnected): void {
    this.socket = undefined
    this.writable = false
    this.pending.failAll(error)
    this.awaiters.failAll(error)
    this.serverIds.clear()
    if (!this.options.restoreSubscriptions) this.tracked.clear()
  }

  /** The connection a `Client.reconnect` asked for is up (no error), or will not come. */
  settleReconnects(error?: NotConnected): void {
    const waiters = this.reconnectWaiters
    if (waiters === undefined) return
    this.reconnectWaiters = undefined
    for (const waiter of waiters) Deferred.unsafeDone(waiter, error === undefined ? Exit.void : Exit.fail(error))
  }

  /** No more connections will come: buffered sends fail. */
  gaveUp(): void {
    this.offline?.failAll(new NotConnected({ state: "disconnected" }))
    this.settleReconnects(new NotConnected({ state: "disconnected" }))
    const ended = this.feeds?.ended
    if (ended === undefined || this.closed) return
    const loop = this.loop
    ended(loop === undefined ? Effect.void : Effect.asVoid(Fiber.await(loop)))
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
      if (this.connection !== undefined) yield* Scope.close(this.connection, Exit.void)
      if (this.recorder !== undefined) yield* this.recorder.flush
      this.inbox.flush()
      const feeds = this.feeds
      if (feeds !== undefined) {
        // a supervised incarnation: the handle's streams carry on (the handle says when it is closed for good)
        if (feeds.current === this) feeds.current = undefined
        return
      }
      yield* this.setState("disconnected")
      yield* this.emit(ClientEvent.Closed())
      this.inbound.end()
      this.eventFeed.end()
      this.stateFeed.end()
    })
  })
}

/** The first frames of a batch as a debug log shows them: redacted first, then shortened. */
const preview = (messages: ReadonlyArray<Message.Message>): ReadonlyArray<string> =>
  messages.slice(0, 5).map((m) => m._tag === "Text" ? shorten(forLog(m.data)) : `<${m.data.length} bytes>`)

const shorten = (text: string): string => text.length > 200 ? `${text.slice(0, 200)}…` : text

/** @internal */
export const make = (
  id: string,
  options: ClientOptions.Resolved,
  protocol: Dialect.Dialect
): Effect.Effect<Runtime, InvalidOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const effectRuntime = yield* Effect.runtime<never>()
    const instruments = yield* Instrumentation.make(
      id,
      options.id !== undefined,
      options.latencyBufferSize,
      effectRuntime
    )
    const limiter = Option.getOrUndefined(yield* Effect.serviceOption(RateLimiter.RateLimiter))
    const recorder = options.recordTo !== undefined
      ? yield* openRecording(options.recordTo)
      : Option.getOrUndefined(yield* Effect.serviceOption(Recorder.Recorder))
    const scope = yield* Effect.scope
    const feeds = Option.getOrUndefined(yield* Effect.serviceOption(FeedsTag))
    return new Runtime(id, options, protocol, instruments, limiter, recorder, scope, effectRuntime, feeds)
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
