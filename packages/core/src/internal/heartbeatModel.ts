/**
 * The heartbeat's model: its options (the `Schema`, what users write and the resolved form) and the contracts between
 * a heartbeat and its connection (`Link`, `Hooks`) and its scheduler (`Beat`). The strategies are `heartbeat.ts`.
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Message from "../Message.js"
import type { HeartbeatTimeout } from "../WebSocketError.js"
import { anyObject, bounded, fn, Millis, rule } from "./schemaRules.js"

const MaxMissed = bounded(1, 1000, "must be a positive integer, at most 1000")

/** Deribit's `public/set_heartbeat` takes whole seconds, 10 at least. */
const DeribitInterval = Millis.pipe(
  Schema.filter((ms) => ms >= 10_000 && ms % 1000 === 0, {
    message: () =>
      "must be a whole number of seconds, at least 10 (Deribit's public/set_heartbeat takes seconds, 10 at least)"
  })
)

/** How long a pause for backpressure may excuse missing answers (default 60 s). */
export const defaultMaxPause = 60_000

/** The heartbeat options, as the user writes them (durations as ms or `Duration.DurationInput`) and resolved. */
export const HeartbeatConfig = Schema.Union(
  Schema.Struct({
    type: Schema.Literal("ping"),
    interval: Millis,
    maxMissed: Schema.optional(MaxMissed),
    maxPause: Schema.optional(Millis)
  }),
  Schema.Struct({
    type: Schema.Literal("pong"),
    interval: Millis,
    timeout: Schema.optional(Millis),
    maxPause: Schema.optional(Millis)
  }),
  Schema.Struct({
    type: Schema.Literal("deribit"),
    interval: DeribitInterval,
    maxPause: Schema.optional(Millis),
    setHeartbeat: Schema.optional(Schema.Boolean)
  }),
  Schema.Struct({
    type: Schema.Literal("custom"),
    interval: Millis,
    message: Schema.Union(Schema.String, anyObject<object>("must be a string or an object")),
    isResponse: Schema.optional(fn<(message: Message.Message) => boolean>("message => boolean")),
    maxMissed: Schema.optional(MaxMissed),
    maxPause: Schema.optional(Millis)
  })
).annotations(rule("must be { type: \"ping\" | \"pong\" | \"deribit\" | \"custom\", interval: ms or Duration, … }"))

/** What users write. */
export type HeartbeatConfig = typeof HeartbeatConfig.Encoded

/** With every duration in milliseconds. */
export type Resolved = typeof HeartbeatConfig.Type

const durations = ["interval", "timeout", "maxPause"] as const

/** Durations to milliseconds, without validation (`ClientOptions` validates); a resolved config is returned as is. */
export const resolve = (config: HeartbeatConfig | Resolved): Resolved => {
  const fields = config as Partial<Record<(typeof durations)[number], Duration.DurationInput>>
  if (durations.every((key) => fields[key] === undefined || typeof fields[key] === "number")) {
    return config as Resolved
  }
  const out: Record<string, unknown> = { ...config }
  for (const key of durations) if (fields[key] !== undefined) out[key] = toMillis(fields[key])
  return out as Resolved
}

const toMillis = (duration: Duration.DurationInput): number => Math.ceil(Duration.toMillis(Duration.decode(duration)))

/**
 * What a heartbeat needs from one open connection (see `Heartbeat.Link`).
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
  /**
   * Whether reading from the socket is paused now because the consumers are behind (backpressure). While it is (for
   * at most `maxPause`), a missing answer is not counted: it may be waiting, unread, in the socket.
   */
  readonly paused?: (() => boolean) | undefined
  /** How many times reading was paused so far (a pause between two checks excuses the next one too). */
  readonly pauses?: (() => number) | undefined
}

/**
 * What a heartbeat reports, from its fiber (see `Heartbeat.Hooks`).
 */
export interface Hooks {
  /** each missed beat, with the number of consecutive misses (the fatal one included) */
  readonly onMissed: (missed: number) => Effect.Effect<void>
  /**
   * each measured round trip, in milliseconds: `ping` (ping → its pong), `custom` with `isResponse` (beat → accepted
   * answer), `deribit` (our `public/set_heartbeat` / `public/test` → its answer)
   */
  readonly onRtt: (rttMs: number) => Effect.Effect<void>
  /**
   * the interval between two beats of the peer, in milliseconds, for the strategies whose peer beats (`pong`: the
   * server's pings, `deribit`: its `heartbeat` notifications); at most one per check
   */
  readonly onInterval?: ((intervalMs: number) => Effect.Effect<void>) | undefined
}

/**
 * A heartbeat's timing as a step function: `start`, wait `first` ms, then `step` at each wake, waiting the delay it
 * returns before the next one. `loop` is that loop on its own fiber.
 *
 * No wait is ever longer than `period`, and the first one is exactly `period` (every `interval` for `ping` and
 * `custom`, every `W / 4` or sooner for the passive strategies). So a beat started now never needs a wake earlier
 * than the next wake of a beat with the same period started before: beats with equal periods can share one fiber
 * that sleeps until the earliest deadline. The scheduler keeps its own bookkeeping: a beat knows nothing of it.
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
}
