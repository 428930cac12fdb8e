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
import type * as Message from "./Message.js"

/**
 * What a heartbeat needs from one open connection (the connection implements it over a `ws` socket). A throwing
 * `ping` or `send` is ignored: the missing answer is then detected as a miss.
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
 * What a heartbeat reports, from its fiber.
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
 * One connection's heartbeat.
 *
 * @since 0.1.0
 * @category models
 */
export interface Heartbeat {
  /** a pong frame arrived (synchronous, cheap) */
  readonly onPong: (data: Uint8Array) => void
  /** a ping frame arrived (synchronous, cheap) */
  readonly onPing: (data: Uint8Array) => void
  /**
   * A text frame arrived; `true` when it was a heartbeat frame the strategy consumed (deribit `heartbeat`
   * notifications). Only frames containing `"heartbeat"` are parsed.
   */
  readonly onText: (message: Message.Text) => boolean
  /** the fiber body: runs on the Effect `Clock`, fails with `HeartbeatTimeout` when the link is dead */
  readonly run: Effect.Effect<never, HeartbeatTimeout>
  /** failures, last sign of life and last RTT */
  readonly health: () => Health
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
  readonly start: () => void
  /** judges the link at a wake and sends the next beat: the ms to wait before the next wake, in `(0, period]` */
  readonly step: () => Effect.Effect<number, HeartbeatTimeout>
}

/**
 * Builds the heartbeat of one connection. Nothing runs until `run` is forked (or the client schedules its beat).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (config: HeartbeatConfig, link: Link, hooks: Hooks): Effect.Effect<Heartbeat> =>
  Effect.map(Effect.clock, (clock) => {
    switch (config.type) {
      case "ping":
        return pingStrategy(config.interval, config.maxMissed ?? 2, new State(link, clock, true), hooks)
      case "pong":
        return passive(
          "pong",
          config.interval + (config.timeout ?? config.interval),
          new State(link, clock, true),
          hooks
        )
      case "deribit":
        return deribit(config.interval, new State(link, clock, true), hooks)
      case "custom":
        return custom(config, new State(link, clock, config.isResponse === undefined), hooks)
    }
  })

// -----------------------------------------------------------------------------
// internal
// -----------------------------------------------------------------------------

/** The mutable per-connection state the hooks write and the fiber reads. */
class State {
  /** signs of life recorded by the hooks */
  signals = 0
  seenSignals = 0
  seenFrames = 0
  /** `inboundFrames()` at the last hook-timed sign of life */
  framesAtSignal = -1
  startedAt = 0
  lastAt: number | undefined = undefined
  rttMs: number | undefined = undefined
  failures = 0

  constructor(readonly link: Link, readonly clock: Clock.Clock, readonly framesCount: boolean) {}

  now(): number {
    return this.clock.unsafeCurrentTimeMillis()
  }

  /** a hook saw a sign of life: timed exactly */
  signal(): void {
    this.signals++
    this.lastAt = this.clock.unsafeCurrentTimeMillis()
    this.framesAtSignal = this.link.inboundFrames()
  }

  start(): void {
    this.startedAt = this.now()
    this.seenSignals = this.signals
    this.seenFrames = this.link.inboundFrames()
  }

  /**
   * Any sign of life since the previous check? Frames counted after the last hook-timed sign of life arrived at an
   * unknown time since the previous check: they are credited at `now`, which is never too early.
   */
  observe(now: number): boolean {
    let alive = this.signals !== this.seenSignals
    this.seenSignals = this.signals
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

  health = (): Health => ({ failures: this.failures, lastAt: this.lastAt, rttMs: this.rttMs })
}

const noText = (_: Message.Text): boolean => false

const attempt = (f: () => void): void => {
  try {
    f()
  } catch {
    // the socket is going away: the missing answer is detected as a miss
  }
}

const timeout = (s: State, type: HeartbeatConfig["type"], now: number): HeartbeatTimeout =>
  new HeartbeatTimeout({ type, missed: s.failures, silentMs: now - s.since() })

/** One more unanswered beat: report it, and fail on the `maxMissed`-th. */
const miss = (
  s: State,
  hooks: Hooks,
  type: HeartbeatConfig["type"],
  now: number,
  maxMissed: number
): Effect.Effect<void, HeartbeatTimeout> => {
  s.failures++
  const reported = hooks.onMissed(s.failures)
  return s.failures >= maxMissed ? Effect.zipRight(reported, Effect.fail(timeout(s, type, now))) : reported
}

/** `start`, wait `first`, then `step` and wait what it says, until it fails. */
const loop = (beat: Beat): Effect.Effect<never, HeartbeatTimeout> =>
  Effect.suspend(() => {
    beat.start()
    const wakeAfter = (delay: number): Effect.Effect<never, HeartbeatTimeout> =>
      Effect.flatMap(Effect.zipRight(Effect.sleep(delay), Effect.suspend(beat.step)), wakeAfter)
    return wakeAfter(beat.first)
  })

/** The active strategies: a beat every `interval`, judged at the next tick. */
const ticks = (
  s: State,
  hooks: Hooks,
  type: HeartbeatConfig["type"],
  interval: number,
  maxMissed: number,
  send: () => void,
  report: () => Effect.Effect<void>
): Beat => {
  let sent = false
  const sendNext = () => {
    send()
    sent = true
    return interval
  }
  const step = () => {
    const now = s.now()
    const alive = s.observe(now)
    const judged = !sent || alive ? Effect.sync(() => s.failures = 0) : miss(s, hooks, type, now, maxMissed)
    return Effect.zipRight(Effect.zipRight(report(), judged), Effect.sync(sendNext))
  }
  const start = () => {
    s.start()
    sent = false
  }
  return { clock: s.clock, period: interval, first: interval, start, step }
}

/** The passive strategies: dead after `window` ms without a sign of life, checked every `window / 4`. */
const silence = (s: State, hooks: Hooks, type: HeartbeatConfig["type"], window: number): Beat => {
  const quarter = window / 4
  const step = () => {
    const now = s.now()
    s.observe(now)
    if (now - s.since() < window) return Effect.succeed(Math.max(0, Math.min(quarter, s.since() + window - now)))
    s.failures = 1
    return Effect.zipRight(hooks.onMissed(1), Effect.fail(timeout(s, type, now)))
  }
  return { clock: s.clock, period: quarter, first: quarter, start: () => s.start(), step }
}

/** A heartbeat whose hooks only record signs of life (the strategies override `onText` or `onPong`). */
const heartbeat = (s: State, beat: Beat): Heartbeat => ({
  onPong: () => s.signal(),
  onPing: () => s.signal(),
  onText: noText,
  run: loop(beat),
  health: s.health,
  beat
})

const encoder = new TextEncoder()

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const pingStrategy = (interval: number, maxMissed: number, s: State, hooks: Hooks): Heartbeat => {
  let seq = 0
  let outstanding: Uint8Array | undefined = undefined
  let sentAt = BigInt(0)
  let unreported: number | undefined = undefined
  const ping = () => {
    const payload = encoder.encode(String(++seq))
    outstanding = payload
    sentAt = s.clock.unsafeCurrentTimeNanos()
    attempt(() => s.link.ping(payload))
  }
  const onPong = (data: Uint8Array) => {
    s.signal()
    if (outstanding !== undefined && sameBytes(data, outstanding)) {
      const rtt = Number(s.clock.unsafeCurrentTimeNanos() - sentAt) / 1_000_000
      outstanding = undefined
      s.rttMs = rtt
      unreported = rtt
    }
  }
  const report = () => {
    const rtt = unreported
    if (rtt === undefined) return Effect.void
    unreported = undefined
    return hooks.onRtt(rtt)
  }
  return { ...heartbeat(s, ticks(s, hooks, "ping", interval, maxMissed, ping, report)), onPong }
}

const passive = (type: "pong" | "deribit", window: number, s: State, hooks: Hooks): Heartbeat =>
  heartbeat(s, silence(s, hooks, type, window))

const PUBLIC_TEST = JSON.stringify({ jsonrpc: "2.0", method: "public/test", params: {} })

interface HeartbeatNotification {
  readonly method: "heartbeat"
  readonly params?: unknown
}

const isHeartbeatNotification = (json: unknown): json is HeartbeatNotification =>
  typeof json === "object" && json !== null && (json as { readonly method?: unknown }).method === "heartbeat"

const isTestRequest = (params: unknown): boolean =>
  typeof params === "object" && params !== null && (params as { readonly type?: unknown }).type === "test_request"

const deribit = (interval: number, s: State, hooks: Hooks): Heartbeat => {
  const onText = (message: Message.Text): boolean => {
    if (!message.data.includes("\"heartbeat\"")) return false
    const json = message.json
    if (!isHeartbeatNotification(json)) return false
    s.signal()
    if (isTestRequest(json.params)) attempt(() => s.link.send(PUBLIC_TEST))
    return true
  }
  return { ...passive("deribit", 2 * interval, s, hooks), onText }
}

const accepts = (isResponse: (message: Message.Message) => boolean, message: Message.Text): boolean => {
  try {
    return isResponse(message)
  } catch {
    return false
  }
}

const custom = (config: Extract<HeartbeatConfig, { type: "custom" }>, s: State, hooks: Hooks): Heartbeat => {
  const frame = typeof config.message === "string" ? config.message : JSON.stringify(config.message)
  const isResponse = config.isResponse
  const send = () => attempt(() => s.link.send(frame))
  const beats = heartbeat(s, ticks(s, hooks, "custom", config.interval, config.maxMissed ?? 2, send, () => Effect.void))
  if (isResponse === undefined) return beats
  const onText = (message: Message.Text): boolean => {
    if (accepts(isResponse, message)) s.signal()
    return false
  }
  return { ...beats, onPong: () => {}, onPing: () => {}, onText }
}
