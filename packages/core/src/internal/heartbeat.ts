/**
 * The heartbeat strategies behind `Heartbeat.make`: the state the socket hooks write, the step each strategy takes at
 * a wake, and `loop`, which runs the steps on their own fiber (the client's shared scheduler runs them instead). The
 * timing rules are documented on the `Heartbeat` page; the options and the contracts are `heartbeatModel.ts`. One
 * piece on purpose (about 440 lines): the six strategy classes share one base class, its state and its
 * `observe`/`since`/`excused` rules, and are read together.
 */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Message from "../Message.js"
import { HeartbeatTimeout } from "../WebSocketError.js"
import type { Beat, HeartbeatConfig, Hooks, Link, Resolved } from "./heartbeatModel.js"
import { defaultMaxPause, resolve } from "./heartbeatModel.js"

export {
  type Beat,
  defaultMaxPause,
  HeartbeatConfig,
  type Hooks,
  type Link,
  resolve,
  type Resolved
} from "./heartbeatModel.js"

/** Builds the strategy of `config` (nothing runs until it is looped or scheduled). */
export const make = (config: HeartbeatConfig | Resolved, link: Link, hooks: Hooks) =>
  Effect.map(Effect.clock, (clock) => {
    const resolved = resolve(config)
    switch (resolved.type) {
      case "ping":
        return new PingHeartbeat(resolved, link, hooks, clock)
      case "pong":
        return new PongHeartbeat(resolved, link, hooks, clock)
      case "deribit":
        return new DeribitHeartbeat(resolved, link, hooks, clock)
      case "custom":
        return resolved.isResponse === undefined ?
          new CustomHeartbeat(resolved, link, hooks, clock) :
          new AnsweredHeartbeat(resolved, link, hooks, clock)
    }
  })

type Config<T extends Resolved["type"]> = Extract<Resolved, { readonly type: T }>

/**
 * The state the hooks write and the step reads, and the logic common to every strategy. Memory: one object per
 * connection holds all of a heartbeat (its `beat` is itself, its `run` is built on access), and the logic lives on
 * the prototypes, since an idle connection should cost little.
 */
/** `sentAt` while no beat of ours awaits its answer (one shared `BigInt`, rather than one per heartbeat) */
const noPing = BigInt(0)

abstract class Base<C extends Resolved> implements Beat {
  /** a hook recorded a sign of life since the last check */
  signalled = false
  seenFrames = 0
  /** `inboundFrames()` at the last hook-timed sign of life */
  framesAtSignal = -1
  startedAt = 0
  lastAt: number | undefined = undefined
  rttMs: number | undefined = undefined
  /** an RTT not given to `onRtt` yet */
  unreportedRtt: number | undefined = undefined
  /** when our beat awaiting its answer went out (Clock nanoseconds), `noPing` when none awaits one */
  sentAt = noPing
  /** when the last beat of the peer (its ping, its heartbeat notification) arrived, and an interval not reported */
  peerBeatAt: number | undefined = undefined
  unreportedInterval: number | undefined = undefined
  failures = 0
  /** `link.pauses()` at the last check, and when a check first saw the current pause */
  pausesSeen = 0
  pausedFrom: number | undefined = undefined
  /** the silence counts from here at the earliest: the last check that found reading paused */
  excusedAt = 0

  constructor(
    readonly config: C,
    readonly link: Link,
    readonly hooks: Hooks,
    readonly clock: Clock.Clock
  ) {}

  abstract readonly period: number

  abstract step(): Effect.Effect<number, HeartbeatTimeout>

  get first(): number {
    return this.period
  }

  get beat(): Beat {
    return this
  }

  get run(): Effect.Effect<never, HeartbeatTimeout> {
    return loop(this)
  }

  /** whether any inbound frame is a sign of life (not for `custom` with `isResponse`) */
  get framesCount(): boolean {
    return true
  }

  onPong(_data: Uint8Array): void {
    this.signal()
  }

  onPing(_data: Uint8Array): void {
    this.signal()
  }

  onText(_message: Message.Text): boolean {
    return false
  }

  health(): { readonly failures: number; readonly lastAt: number | undefined; readonly rttMs: number | undefined } {
    return { failures: this.failures, lastAt: this.lastAt, rttMs: this.rttMs }
  }

  start(): void {
    this.startedAt = this.now()
    this.signalled = false
    this.seenFrames = this.link.inboundFrames()
    this.pausesSeen = this.link.pauses?.() ?? 0
    this.pausedFrom = undefined
  }

  /**
   * Is silence excused at this check? It is while reading is paused for backpressure (we do not read what the peer
   * sent, its answers included) and when a pause happened since the previous check, for at most `maxPause` of one
   * continuous pause: beyond that, the link is judged again. A slow consumer thus never gets a live link declared
   * dead; a consumer stuck longer than `maxPause` no longer hides a dead one.
   */
  excused(now: number): boolean {
    const pauses = this.link.pauses?.() ?? 0
    const paused = this.link.paused?.() ?? false
    const pausedBetween = pauses !== this.pausesSeen
    this.pausesSeen = pauses
    if (!paused) {
      this.pausedFrom = undefined
      if (pausedBetween) this.excusedAt = now
      return pausedBetween
    }
    if (pausedBetween || this.pausedFrom === undefined) this.pausedFrom = now
    const excused = now - this.pausedFrom < (this.config.maxPause ?? defaultMaxPause)
    if (excused) this.excusedAt = now
    return excused
  }

  now(): number {
    return this.clock.unsafeCurrentTimeMillis()
  }

  /** a round trip measured by a hook: visible in `health` at once, reported at the next step */
  measured(rtt: number): void {
    this.rttMs = rtt
    this.unreportedRtt = rtt
  }

  /** our beat goes out now: its answer times the round trip */
  timeFromNow(): void {
    this.sentAt = this.clock.unsafeCurrentTimeNanos()
  }

  /** the answer to our beat arrived: the round trip is measured (once per beat) */
  answered(): void {
    if (this.sentAt === noPing) return
    this.measured(Number(this.clock.unsafeCurrentTimeNanos() - this.sentAt) / 1_000_000)
    this.sentAt = noPing
  }

  /** the peer's own beat arrived (strategies that measure no round trip report the interval between those) */
  peerBeat(): void {
    const now = this.now()
    if (this.peerBeatAt !== undefined) this.unreportedInterval = now - this.peerBeatAt
    this.peerBeatAt = now
  }

  /** reports what the hooks measured since the previous step */
  report(): Effect.Effect<void> {
    const rtt = this.unreportedRtt
    const interval = this.unreportedInterval
    if (rtt === undefined && interval === undefined) return Effect.void
    this.unreportedRtt = this.unreportedInterval = undefined
    const rttReport = rtt === undefined ? Effect.void : this.hooks.onRtt(rtt)
    const onInterval = this.hooks.onInterval
    if (interval === undefined || onInterval === undefined) return rttReport
    return Effect.zipRight(rttReport, onInterval(interval))
  }

  /** a hook saw a sign of life: timed exactly */
  signal(): void {
    this.signalled = true
    this.lastAt = this.clock.unsafeCurrentTimeMillis()
    this.framesAtSignal = this.link.inboundFrames()
  }

  /**
   * Any sign of life since the previous check? Frames counted after the last hook-timed sign of life arrived at an
   * unknown time since the previous check: they are credited at `now`, which is never too early.
   */
  observe(now: number): boolean {
    let alive = this.signalled
    this.signalled = false
    if (this.framesCount) {
      const frames = this.link.inboundFrames()
      if (frames !== this.seenFrames) {
        this.seenFrames = frames
        if (frames !== this.framesAtSignal) this.lastAt = now
        alive = true
      }
    }
    return alive
  }

  /** the start of the current silence: the last sign of life, or the start of `run` */
  since(): number {
    const from = this.excusedAt > this.startedAt ? this.excusedAt : this.startedAt
    return this.lastAt !== undefined && this.lastAt > from ? this.lastAt : from
  }

  timeout(now: number): HeartbeatTimeout {
    return new HeartbeatTimeout({ type: this.config.type, missed: this.failures, silentMs: now - this.since() })
  }
}

/** `start`, wait `first`, then `step` and wait what it says, until it fails. */
const loop = (beat: Beat): Effect.Effect<never, HeartbeatTimeout> =>
  Effect.suspend(() => {
    beat.start()
    const step = Effect.suspend(() => beat.step())
    const wakeAfter = (delay: number): Effect.Effect<never, HeartbeatTimeout> =>
      Effect.flatMap(Effect.zipRight(Effect.sleep(delay), step), wakeAfter)
    return wakeAfter(beat.first)
  })

const attempt = (f: () => void): void => {
  try {
    f()
  } catch {
    // the socket is going away: the missing answer is detected as a miss
  }
}

/** The active strategies: a beat every `interval`, judged at the next tick. */
abstract class Ticking<C extends Config<"ping" | "custom">> extends Base<C> {
  /** a beat went out since `start` */
  sent = false

  /** sends one beat */
  abstract send(): void

  get period(): number {
    return this.config.interval
  }

  override start(): void {
    super.start()
    this.sent = false
  }

  step(): Effect.Effect<number, HeartbeatTimeout> {
    const now = this.now()
    const alive = this.observe(now)
    const excused = this.excused(now)
    const judged = !this.sent || alive
      ? Effect.sync(() => this.failures = 0)
      : excused
      ? Effect.void
      : this.miss(now)
    return Effect.zipRight(Effect.zipRight(this.report(), judged), Effect.sync(() => this.sendNext()))
  }

  /** One more unanswered beat: report it, and fail on the `maxMissed`-th. */
  miss(now: number): Effect.Effect<void, HeartbeatTimeout> {
    this.failures++
    const reported = this.hooks.onMissed(this.failures)
    return this.failures >= (this.config.maxMissed ?? 2) ?
      Effect.zipRight(reported, Effect.fail(this.timeout(now))) :
      reported
  }

  sendNext(): number {
    this.send()
    this.sent = true
    return this.config.interval
  }
}

const encoder = new TextEncoder()

/** Is `data` the ASCII of `seq` (a positive integer), as `String(seq)` encodes it? */
const isPayloadOf = (data: Uint8Array, seq: number): boolean => {
  let i = data.length
  let rest = seq
  while (rest > 0 && i > 0) {
    if (data[--i] !== 48 + rest % 10) return false
    rest = Math.floor(rest / 10)
  }
  return rest === 0 && i === 0
}

class PingHeartbeat extends Ticking<Config<"ping">> {
  seq = 0
  /** the sequence number of the ping awaiting its pong (its payload), 0 when none */
  outstanding = 0

  send(): void {
    const seq = ++this.seq
    const payload = encoder.encode(String(seq))
    this.outstanding = seq
    this.timeFromNow()
    attempt(() => this.link.ping(payload))
  }

  override onPong(data: Uint8Array): void {
    this.signal()
    if (this.outstanding !== 0 && isPayloadOf(data, this.outstanding)) {
      this.outstanding = 0
      this.answered()
    }
  }
}

class CustomHeartbeat extends Ticking<Config<"custom">> {
  readonly frame: string

  constructor(config: Config<"custom">, link: Link, hooks: Hooks, clock: Clock.Clock) {
    super(config, link, hooks, clock)
    this.frame = typeof config.message === "string" ? config.message : JSON.stringify(config.message)
  }

  send(): void {
    attempt(() => this.link.send(this.frame))
  }
}

const accepts = (isResponse: (message: Message.Message) => boolean, message: Message.Text): boolean => {
  try {
    return isResponse(message)
  } catch {
    return false
  }
}

/** `custom` with `isResponse`: only the text frames it accepts are signs of life; send → answer is the RTT. */
class AnsweredHeartbeat extends CustomHeartbeat {
  override get framesCount(): boolean {
    return false
  }

  override send(): void {
    this.timeFromNow()
    super.send()
  }

  override onPong(_data: Uint8Array): void {}

  override onPing(_data: Uint8Array): void {}

  override onText(message: Message.Text): boolean {
    if (!accepts(this.config.isResponse!, message)) return false
    this.signal()
    this.answered()
    return false
  }
}

/** The passive strategies: dead after `window` ms without a sign of life, checked every `window / 4`. */
abstract class Silence<C extends Config<"pong" | "deribit">> extends Base<C> {
  abstract readonly window: number

  get period(): number {
    return this.window / 4
  }

  step(): Effect.Effect<number, HeartbeatTimeout> {
    const window = this.window
    const now = this.now()
    this.observe(now)
    this.excused(now)
    if (now - this.since() < window) {
      const next = Math.max(0, Math.min(window / 4, this.since() + window - now, this.quiet(now)))
      const reported = this.report()
      return reported === Effect.void ? Effect.succeed(next) : Effect.as(reported, next)
    }
    this.failures = 1
    return Effect.zipRight(this.hooks.onMissed(1), Effect.fail(this.timeout(now)))
  }

  /** The link is alive but has been silent since `since()`: act on it; the ms until this wants a wake again. */
  quiet(_now: number): number {
    return Infinity
  }
}

class PongHeartbeat extends Silence<Config<"pong">> {
  override onPing(_data: Uint8Array): void {
    this.signal()
    this.peerBeat()
  }

  get window(): number {
    return this.config.interval + (this.config.timeout ?? this.config.interval)
  }
}

/**
 * The id of the heartbeat's own requests (a string, so that no id of `Client.request` can take it): their answers are
 * signs of life and never reach `messages`.
 */
const HEARTBEAT_ID = "zen_websocket.heartbeat"

const request = (method: string, params: object): string =>
  JSON.stringify({ jsonrpc: "2.0", id: HEARTBEAT_ID, method, params })

const PUBLIC_TEST = request("public/test", {})

interface HeartbeatNotification {
  readonly method: "heartbeat"
  readonly params?: unknown
}

const isHeartbeatNotification = (json: unknown): json is HeartbeatNotification =>
  typeof json === "object" && json !== null && (json as { readonly method?: unknown }).method === "heartbeat"

const isTestRequest = (params: unknown): boolean =>
  typeof params === "object" && params !== null && (params as { readonly type?: unknown }).type === "test_request"

const isOwnAnswer = (json: unknown): boolean =>
  typeof json === "object" && json !== null && (json as { readonly id?: unknown }).id === HEARTBEAT_ID

/**
 * Deribit's heartbeat, kept by both sides: at its start it asks the server for one (`public/set_heartbeat` with the
 * interval in seconds), answers every `test_request` with `public/test` at once, and sends a `public/test` of its own
 * when nothing arrived for 1.5 intervals (the server's own heartbeat, every interval, makes that unnecessary while it
 * runs); any inbound frame is a sign of life. Dead after two silent intervals. The server's `heartbeat` notifications
 * and the answers to these requests never reach `messages`.
 */
class DeribitHeartbeat extends Silence<Config<"deribit">> {
  /** the silence (its start) that a `public/test` of ours already probed */
  probed = -1

  get window(): number {
    return 2 * this.config.interval
  }

  override start(): void {
    super.start()
    this.probed = -1
    // an adapter with its own post-connect sequence (auth first) sends public/set_heartbeat itself
    if (this.config.setHeartbeat === false) return
    this.ask(request("public/set_heartbeat", { interval: this.config.interval / 1000 }))
  }

  override quiet(now: number): number {
    const since = this.since()
    const probeAt = since + 1.5 * this.config.interval
    if (this.probed === since) return Infinity
    if (now < probeAt) return probeAt - now
    this.probed = since
    this.ask(PUBLIC_TEST)
    return Infinity
  }

  override onText(message: Message.Text): boolean {
    if (!message.data.includes("heartbeat")) return false
    const json = message.json
    if (isOwnAnswer(json)) {
      this.signal()
      this.answered()
      return true
    }
    if (!isHeartbeatNotification(json)) return false
    this.signal()
    this.peerBeat()
    if (isTestRequest(json.params)) this.ask(PUBLIC_TEST)
    return true
  }

  /** one request of ours: its answer times the round trip */
  ask(frame: string): void {
    this.timeFromNow()
    attempt(() => this.link.send(frame))
  }
}
