/**
 * Heartbeats (DESIGN §3.6): tell a live link from a dead one, independent of `ws`.
 *
 * The connection hands the heartbeat a {@link Link} and calls its synchronous hooks (`onPing`, `onPong`, `onText`)
 * from the socket listeners; the hooks only bump counters and fields. `run` wakes up on the Effect `Clock`, judges
 * what the hooks and `Link.inboundFrames` recorded, and fails with {@link HeartbeatTimeout} when the link is dead.
 * Any inbound frame is a sign of life, except for `custom` with `isResponse`. Each strategy is a step function (what
 * to do at a wake, and when to wake next): `run` loops over it on its own fiber, and the client's scheduler runs the
 * steps of many connections on one shared fiber, with the same timing.
 *
 * Detection timing, with `I` = `interval`:
 *
 * - `ping`: a ping frame with a unique payload (the beat's sequence number in ASCII) every `I`, the first one `I`
 *   after `run` starts. At each later tick the previous ping counts as missed unless something arrived since the
 *   previous tick (its pong, any pong or ping, any frame). `maxMissed` (default 2) consecutive misses fail `run` at
 *   that tick: with a silent link from the start that is exactly `I × (maxMissed + 1)` after `run` started, and in
 *   general between `I × maxMissed` and `I × (maxMissed + 1)` after the last sign of life.
 * - `custom`: the same ticks, sending `message` instead of a ping. With `isResponse`, only text frames it accepts
 *   count as an answer (they are not consumed: they still reach the user); without it, any inbound frame does.
 * - `pong` (passive, the server pings): dead when nothing arrived for `W = I + timeout` (timeout default `I`).
 * - `deribit` (passive): answers `heartbeat`/`test_request` with `public/test` at once and consumes every `heartbeat`
 *   notification; dead when nothing arrived for `W = 2 × I`.
 *
 * The passive strategies check every `W / 4` and at the deadline: `run` fails at the first check that finds no sign
 * of life for `W`. A ping (or pong, or heartbeat notification) is timed exactly when its hook runs (when no frame was
 * counted after it); any other frame is timed at the check that first sees it, which is never too early. So a silent
 * link fails exactly `W` after `run` started or after the last hook-timed sign of life, and at most `1.25 × W` after
 * the last other frame. A passive beat is missed only once its tolerance has run out, which is the death condition:
 * `onMissed(1)` is called once, then `run` fails with `missed: 1`.
 *
 * `onMissed` is called for every missed beat, the fatal one included. `onRtt` is called from the fiber at the tick
 * after the matching pong arrived (the pong hook itself runs no Effect); `health().rttMs` is updated at once. RTTs are
 * measured with the `Clock`'s `unsafeCurrentTimeNanos` captured by `make`, so `TestClock` drives them in tests and
 * production gets sub-millisecond `hrtime` precision.
 *
 * @since 0.1.0
 */
import type * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { HeartbeatConfig } from "./ClientOptions.js"
import type * as HeartbeatScheduler from "./internal/heartbeatScheduler.js"
import type * as Message from "./Message.js"

/**
 * What a heartbeat needs from one open connection (the connection implements it over a `ws` socket). A throwing
 * `ping` or `send` is ignored: the missing answer is then detected as a miss. The heartbeat calls these as methods of
 * the link, so they may live on a prototype, and one object may be both the `Link` and the {@link Hooks}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Link {
  /** send a WebSocket ping frame */
  readonly ping: (payload: Uint8Array) => void
  /** send a text frame */
  readonly send: (frame: string) => void
  /**
   * A monotonically increasing count of inbound frames (liveness). Count a frame before calling the heartbeat's hook
   * for it: the hooks then time it exactly; frames counted after are timed at the next check.
   */
  readonly inboundFrames: () => number
}

/**
 * What a heartbeat reports, from its fiber. The heartbeat calls these as methods of the hooks object.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hooks {
  /** each missed beat, with the number of consecutive misses (the fatal one included) */
  readonly onMissed: (missed: number) => Effect.Effect<void>
  /** each measured ping/pong round trip, in milliseconds */
  readonly onRtt: (rttMs: number) => Effect.Effect<void>
}

/**
 * The heartbeat's view of the link, for `Client.getHeartbeatHealth`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Health {
  /** consecutive missed beats now */
  readonly failures: number
  /** epoch ms of the last sign of life (hook-timed exactly, other frames at the check that saw them) */
  readonly lastAt: number | undefined
  /** the last ping/pong round trip in ms (`ping` strategy only) */
  readonly rttMs: number | undefined
}

/**
 * The heartbeat declared the link dead.
 *
 * @since 0.1.0
 * @category errors
 */
export class HeartbeatTimeout extends Data.TaggedError("HeartbeatTimeout")<{
  readonly type: HeartbeatConfig["type"]
  readonly missed: number
  readonly silentMs: number
}> {
  override get message(): string {
    return `Heartbeat (${this.type}) timed out: ${this.missed} missed, no sign of life for ${this.silentMs} ms`
  }
}

/**
 * One connection's heartbeat. Its hooks and `health` are methods: call them on the heartbeat, not detached.
 *
 * @since 0.1.0
 * @category models
 */
export interface Heartbeat {
  /** a pong frame arrived (synchronous, cheap) */
  onPong(data: Uint8Array): void
  /** a ping frame arrived (synchronous, cheap) */
  onPing(data: Uint8Array): void
  /**
   * A text frame arrived; `true` when it was a heartbeat frame the strategy consumed (deribit `heartbeat`
   * notifications). Only frames containing `"heartbeat"` are parsed.
   */
  onText(message: Message.Text): boolean
  /** the fiber body: runs on the Effect `Clock`, fails with `HeartbeatTimeout` when the link is dead */
  readonly run: Effect.Effect<never, HeartbeatTimeout>
  /** failures, last sign of life and last RTT */
  health(): Health
  /**
   * The strategy as a step function, for the shared scheduler. Drive a heartbeat either with `run` or with its
   * `beat`, never both: they share its state.
   *
   * @internal
   */
  readonly beat: Beat
}

/**
 * A heartbeat's timing as a step function: `start`, wait `first` ms, then `step` at each wake, waiting the delay it
 * returns before the next one. `run` is that loop on its own fiber.
 *
 * No wait is ever longer than `period`, and the first one is exactly `period` (every `interval` for `ping` and
 * `custom`, every `W / 4` or sooner for the passive strategies). So a beat started now never needs a wake earlier
 * than the next wake of a beat with the same period started before: beats with equal periods can share one fiber
 * that sleeps until the earliest deadline.
 *
 * @internal
 */
export interface Beat {
  /** the `Clock` the beat reads (the one `make` ran with): wake it on this one */
  readonly clock: Clock.Clock
  /** the longest wait between two wakes, the first one included */
  readonly period: number
  /** ms from `start` to the first wake (equal to `period`) */
  readonly first: number
  /** (re)starts the beat at the `Clock`'s now */
  start(): void
  /** judges the link at a wake and sends the next beat: the ms to wait before the next wake, in `(0, period]` */
  step(): Effect.Effect<number, HeartbeatTimeout>
  /**
   * The shared scheduler's bookkeeping for the beat's registration, written only by it (kept here rather than in an
   * entry of its own, one object less per connection): the registration's `onDead` (`undefined` when the beat is not
   * registered), its scheduler, its position in the scheduler's heap (-1 when not queued), its next deadline and its
   * registration order (the tie-breaker).
   */
  onDead: ((timeout: HeartbeatTimeout) => void) | undefined
  scheduler: HeartbeatScheduler.Scheduler | undefined
  index: number
  deadline: number
  order: number
}

/**
 * Builds the heartbeat of one connection. Nothing runs until `run` is forked (or the client schedules its beat).
 * `link` and `hooks` may be the same object.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (config: HeartbeatConfig, link: Link, hooks: Hooks): Effect.Effect<Heartbeat> =>
  Effect.map(Effect.clock, (clock): Heartbeat => {
    switch (config.type) {
      case "ping":
        return new PingHeartbeat(config, link, hooks, clock)
      case "pong":
        return new PongHeartbeat(config, link, hooks, clock)
      case "deribit":
        return new DeribitHeartbeat(config, link, hooks, clock)
      case "custom":
        return config.isResponse === undefined ?
          new CustomHeartbeat(config, link, hooks, clock) :
          new AnsweredHeartbeat(config, link, hooks, clock)
    }
  })

// -----------------------------------------------------------------------------
// internal
// -----------------------------------------------------------------------------

type Config<T extends HeartbeatConfig["type"]> = Extract<HeartbeatConfig, { readonly type: T }>

/**
 * The state the hooks write and the step reads, and the logic common to every strategy. Memory: one object per
 * connection holds all of a heartbeat (its `beat` is itself, its `run` is built on access), and the logic lives on
 * the prototypes, since an idle connection should cost little.
 */
abstract class Base<C extends HeartbeatConfig> implements Heartbeat, Beat {
  onDead: ((timeout: HeartbeatTimeout) => void) | undefined = undefined
  scheduler: HeartbeatScheduler.Scheduler | undefined = undefined
  index = -1
  deadline = 0
  order = 0
  /** a hook recorded a sign of life since the last check */
  signalled = false
  seenFrames = 0
  /** `inboundFrames()` at the last hook-timed sign of life */
  framesAtSignal = -1
  startedAt = 0
  lastAt: number | undefined = undefined
  rttMs: number | undefined = undefined
  failures = 0

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

  health(): Health {
    return { failures: this.failures, lastAt: this.lastAt, rttMs: this.rttMs }
  }

  start(): void {
    this.startedAt = this.now()
    this.signalled = false
    this.seenFrames = this.link.inboundFrames()
  }

  now(): number {
    return this.clock.unsafeCurrentTimeMillis()
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
    return this.lastAt !== undefined && this.lastAt > this.startedAt ? this.lastAt : this.startedAt
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
    const judged = !this.sent || alive ? Effect.sync(() => this.failures = 0) : this.miss(now)
    return Effect.zipRight(Effect.zipRight(this.report(), judged), Effect.sync(() => this.sendNext()))
  }

  /** reports what the hooks measured since the previous tick */
  report(): Effect.Effect<void> {
    return Effect.void
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

/** `sentAt` while no ping is outstanding (one shared `BigInt`, rather than one per heartbeat) */
const noPing = BigInt(0)

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
  sentAt = noPing
  /** an RTT not given to `onRtt` yet */
  unreported: number | undefined = undefined

  send(): void {
    const seq = ++this.seq
    const payload = encoder.encode(String(seq))
    this.outstanding = seq
    this.sentAt = this.clock.unsafeCurrentTimeNanos()
    attempt(() => this.link.ping(payload))
  }

  override onPong(data: Uint8Array): void {
    this.signal()
    if (this.outstanding !== 0 && isPayloadOf(data, this.outstanding)) {
      const rtt = Number(this.clock.unsafeCurrentTimeNanos() - this.sentAt) / 1_000_000
      this.outstanding = 0
      this.sentAt = noPing
      this.rttMs = rtt
      this.unreported = rtt
    }
  }

  override report(): Effect.Effect<void> {
    const rtt = this.unreported
    if (rtt === undefined) return Effect.void
    this.unreported = undefined
    return this.hooks.onRtt(rtt)
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

/** `custom` with `isResponse`: only the text frames it accepts are signs of life. */
class AnsweredHeartbeat extends CustomHeartbeat {
  override get framesCount(): boolean {
    return false
  }

  override onPong(_data: Uint8Array): void {}

  override onPing(_data: Uint8Array): void {}

  override onText(message: Message.Text): boolean {
    if (accepts(this.config.isResponse!, message)) this.signal()
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
    if (now - this.since() < window) {
      return Effect.succeed(Math.max(0, Math.min(window / 4, this.since() + window - now)))
    }
    this.failures = 1
    return Effect.zipRight(this.hooks.onMissed(1), Effect.fail(this.timeout(now)))
  }
}

class PongHeartbeat extends Silence<Config<"pong">> {
  get window(): number {
    return this.config.interval + (this.config.timeout ?? this.config.interval)
  }
}

const PUBLIC_TEST = JSON.stringify({ jsonrpc: "2.0", method: "public/test", params: {} })

interface HeartbeatNotification {
  readonly method: "heartbeat"
  readonly params?: unknown
}

const isHeartbeatNotification = (json: unknown): json is HeartbeatNotification =>
  typeof json === "object" && json !== null && (json as { readonly method?: unknown }).method === "heartbeat"

const isTestRequest = (params: unknown): boolean =>
  typeof params === "object" && params !== null && (params as { readonly type?: unknown }).type === "test_request"

class DeribitHeartbeat extends Silence<Config<"deribit">> {
  get window(): number {
    return 2 * this.config.interval
  }

  override onText(message: Message.Text): boolean {
    if (!message.data.includes("\"heartbeat\"")) return false
    const json = message.json
    if (!isHeartbeatNotification(json)) return false
    this.signal()
    if (isTestRequest(json.params)) attempt(() => this.link.send(PUBLIC_TEST))
    return true
  }
}
