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
 * - `deribit`: at its start asks Deribit for its heartbeat (`public/set_heartbeat` with `I` in seconds: `I` is whole
 *   seconds, 10 at least), answers `heartbeat`/`test_request` with `public/test` at once, sends a `public/test` of
 *   its own after `1.5 × I` of silence, and consumes every `heartbeat` notification and the answers to its own
 *   requests (id `"zen_websocket.heartbeat"`); dead when nothing arrived for `W = 2 × I`.
 *
 * The passive strategies check every `W / 4` and at the deadline: `run` fails at the first check that finds no sign
 * of life for `W`. A ping (or pong, or heartbeat notification) is timed exactly when its hook runs (when no frame was
 * counted after it); any other frame is timed at the check that first sees it, which is never too early. So a silent
 * link fails exactly `W` after `run` started or after the last hook-timed sign of life, and at most `1.25 × W` after
 * the last other frame. A passive beat is missed only once its tolerance has run out, which is the death condition:
 * `onMissed(1)` is called once, then `run` fails with `missed: 1`.
 *
 * Backpressure: while reading from the socket is paused because the consumers are behind (`Link.paused`), the
 * peer's answers wait unread in the socket, so silence proves nothing: a tick that finds reading paused (or that a
 * pause happened since the previous tick, `Link.pauses`) counts no miss, and a passive window starts over. The excuse
 * lasts `maxPause` (default 60 s) of one continuous pause at most: a consumer stuck longer no longer hides a dead
 * link.
 *
 * `onMissed` is called for every missed beat, the fatal one included. `onRtt` is called from the fiber at the tick
 * (or check) after the answer arrived, for the strategies that time a round trip: `ping` (ping → its pong), `custom`
 * with `isResponse` (beat → the accepted answer), `deribit` (its own `public/set_heartbeat` / `public/test` → the
 * answer); the hooks themselves run no Effect, and `health().rttMs` is updated at once. The strategies whose peer
 * beats instead report, through the optional `onInterval`, the time between two of its beats (`pong`: the server's
 * pings; `deribit`: its `heartbeat` notifications), at most one per check. `custom` without `isResponse` measures
 * neither. RTTs are
 * measured with the `Clock`'s `unsafeCurrentTimeNanos` captured by `make`, so `TestClock` drives them in tests and
 * production gets sub-millisecond `hrtime` precision.
 *
 * The strategies live in `internal/heartbeat.ts`; the client runs their steps on a shared scheduler
 * (`internal/heartbeatScheduler.ts`), which puts 10 000 idle connections' heartbeats on a few fibers instead of one
 * fiber each (a suspended fiber costs a few KB; a registration about 200 bytes).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Heartbeat from "@zen-websocket/core/Heartbeat"
 *
 * const heartbeat = Heartbeat.make(
 *   { type: "ping", interval: "30 seconds", maxMissed: 2 },
 *   { ping: () => {}, send: () => {}, inboundFrames: () => 0 },
 *   { onMissed: (missed) => Effect.logWarning(`missed ${missed}`), onRtt: () => Effect.void }
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import * as internal from "./internal/heartbeat.js"
import type * as Message from "./Message.js"
import type { HeartbeatTimeout } from "./WebSocketError.js"

export {
  /**
   * The heartbeat declared the link dead (one of the library's errors, see `WebSocketError`).
   *
   * @since 0.1.0
   * @category errors
   */
  HeartbeatTimeout
} from "./WebSocketError.js"

/**
 * The heartbeat option of `Client.connect` (`heartbeatConfig`) as a `Schema`: decodes what users write (durations as
 * milliseconds or any `Duration.DurationInput`, e.g. `"30 seconds"`) to {@link ResolvedConfig} (milliseconds).
 *
 * - `ping`: `{ interval, maxMissed? = 2 }`
 * - `pong`: `{ interval, timeout? = interval }`
 * - `deribit`: `{ interval, setHeartbeat? = true }` (whole seconds, at least 10: Deribit's `public/set_heartbeat` takes
 *   seconds); `setHeartbeat: false` when an adapter sends `public/set_heartbeat` itself in its own post-connect
 *   sequence (after `public/auth`): the watchdog and the `test_request` answers stay
 * - `custom`: `{ interval, message, isResponse?, maxMissed? = 2 }`
 *
 * Each also takes `maxPause` (default 60 s): how long a pause of reading for backpressure excuses missing answers.
 *
 * @example
 * ```ts
 * import * as Schema from "effect/Schema"
 * import * as Heartbeat from "@zen-websocket/core/Heartbeat"
 *
 * Schema.decodeUnknownSync(Heartbeat.HeartbeatConfig)({ type: "ping", interval: "30 seconds" })
 * // { type: "ping", interval: 30000 }
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const HeartbeatConfig: Schema.Schema<ResolvedConfig, HeartbeatConfig> = internal.HeartbeatConfig

/**
 * The heartbeat strategies as users write them (DESIGN §3.6); durations are milliseconds or `Duration.DurationInput`.
 *
 * @since 0.1.0
 * @category models
 */
export type HeartbeatConfig = internal.HeartbeatConfig

/**
 * A {@link HeartbeatConfig} with every duration in milliseconds.
 *
 * @since 0.2.0
 * @category models
 */
export type ResolvedConfig = internal.Resolved

/**
 * What a heartbeat needs from one open connection (the connection implements it over a `ws` socket). A throwing
 * `ping` or `send` is ignored: the missing answer is then detected as a miss. The heartbeat calls these as methods of
 * the link, so they may live on a prototype, and one object may be both the `Link` and the {@link Hooks}.
 *
 * @since 0.1.0
 * @category models
 */
export type Link = internal.Link

/**
 * What a heartbeat reports, from its fiber. The heartbeat calls these as methods of the hooks object.
 *
 * @since 0.1.0
 * @category models
 */
export type Hooks = internal.Hooks

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
 * A heartbeat's timing as a step function, for the shared scheduler.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export type Beat = internal.Beat

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
 * Builds the heartbeat of one connection. Nothing runs until `run` is forked (or the client schedules its beat).
 * `link` and `hooks` may be the same object.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Heartbeat from "@zen-websocket/core/Heartbeat"
 *
 * const link: Heartbeat.Link = { ping: () => {}, send: () => {}, inboundFrames: () => 0 }
 * const hooks: Heartbeat.Hooks = { onMissed: () => Effect.void, onRtt: () => Effect.void }
 * const program = Effect.flatMap(Heartbeat.make({ type: "pong", interval: 10_000 }, link, hooks), (h) => h.run)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (config: HeartbeatConfig | ResolvedConfig, link: Link, hooks: Hooks) => Effect.Effect<Heartbeat> =
  internal.make
