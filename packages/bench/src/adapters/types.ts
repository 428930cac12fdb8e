/**
 * What each client adapter implements: one function per measurement. The harness (`child.ts`) owns the timing,
 * the warm-up policy and the statistics; an adapter only drives its client the way a user of that client would.
 */
import type * as ClientOptions from "@zen-websocket/core/ClientOptions"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** The harness's stopwatch: `start()` right before the measured work is triggered, `end()` right after it is done. */
export interface Marks {
  readonly start: () => void
  readonly end: () => void
}

export interface InboundArgs {
  readonly url: string
  /** frames consumed before `marks.start()` (same connection, same code path) */
  readonly warmup: number
  /** frames consumed between `marks.start()` and `marks.end()` */
  readonly frames: number
  /** parse every frame as JSON (raw: `JSON.parse`; zen: `message.json`) */
  readonly json: boolean
  /** zen only: `Stream.runForEachChunk` or `Stream.runForEach` */
  readonly consumer: "chunk" | "element" | "callback"
  /** raw only: the `ws` client's `perMessageDeflate` (undefined: ws's default) */
  readonly clientDeflate?: boolean | undefined
  readonly marks: Marks
  readonly setup: ZenSetup | undefined
}

export interface EchoArgs {
  readonly url: string
  /** round trips before `marks.start()` (at least 1) */
  readonly warmup: number
  /** one frame in flight: send, wait for the echo, record, repeat */
  readonly latenciesMs: Float64Array
  readonly payload: string
  /** zen only: `Stream.runForEach` (default) or `Client.forEachChunk` */
  readonly consumer: "element" | "callback"
  /** `start()` before the first measured send, `end()` after the last echo */
  readonly marks: Marks
  readonly setup: ZenSetup | undefined
}

export interface RequestsArgs {
  readonly url: string
  readonly warmup: number
  readonly total: number
  readonly inflight: number
  readonly marks: Marks
  readonly setup: ZenSetup | undefined
}

export interface IdleArgs {
  readonly url: string
  readonly count: number
  /** connections being opened at once */
  readonly concurrency: number
  /** a ping every `pingIntervalMs` per connection (zen: `heartbeatConfig: { type: "ping" }`; anchors: by hand) */
  readonly pingIntervalMs: number | undefined
  /** attach a consumer of inbound messages to every connection (a listener; zen: a `client.messages` fiber) */
  readonly consume: boolean
  /** zen: the consumer fiber runs `Stream.runForEach` over `client.messages` (element) or `Client.forEachChunk` */
  readonly consumer: "element" | "callback"
  /** zen: every connection is started by one `ClientSupervisor` (`startClient`) */
  readonly supervised: boolean
  readonly setup: ZenSetup | undefined
}

export interface RecoveryArgs {
  readonly url: string
  readonly channels: ReadonlyArray<string>
  /** fixed delay between reconnection attempts (no jitter, no growth) */
  readonly retryDelayMs: number
  /** called each time the channels are subscribed again after a reconnect */
  readonly onRestored: () => void
  readonly setup: ZenSetup | undefined
}

export interface FaninArgs {
  readonly url: string
  readonly count: number
  /** connections being opened at once */
  readonly concurrency: number
  /** a ping every `pingIntervalMs` per connection (zen: `heartbeatConfig: { type: "ping" }`; raw: by hand) */
  readonly pingIntervalMs: number | undefined
  /** every text frame of every connection, as the one consumer sees it (zen: through `Stream.mergeAll`) */
  readonly sink: (text: string) => void
  /** zen: one `Stream.mergeAll` of every `client.messages`, or a `Client.forEachChunk` fiber per client */
  readonly consumer: "merge" | "callback"
  readonly setup: ZenSetup | undefined
}

export interface Adapter {
  /** connect, consume `warmup` then `frames` frames; resolves when done (connection closed) */
  readonly inbound: (args: InboundArgs) => Promise<void>
  readonly echo: (args: EchoArgs) => Promise<void>
  readonly requests: (args: RequestsArgs) => Promise<void>
  /** opens `count` connections and keeps them open (the process exits after the measurement) */
  readonly idle: (args: IdleArgs) => Promise<void>
  /** connects and subscribes, then keeps reconnecting + resubscribing; resolves once the first subscription is confirmed */
  readonly recovery: (args: RecoveryArgs) => Promise<{ readonly stop: () => Promise<void> }>
  /** opens `count` connections whose frames all reach `sink`; resolves once they are open (they stay open) */
  readonly fanin?: (args: FaninArgs) => Promise<void>
}

/**
 * Extra wiring for zen-websocket rows (other adapters ignore it): options merged into `Client.connect`, and a wrapper
 * around the whole client program (to provide layers such as the Recorder or the RateLimiter).
 */
export interface ZenSetup {
  readonly options?: ClientOptions.Options
  readonly wrap?: (self: Effect.Effect<void, unknown, Scope.Scope>) => Effect.Effect<void, unknown, Scope.Scope>
}
