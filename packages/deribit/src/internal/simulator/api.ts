/**
 * The simulator's public face: the `DeribitSimulator` interface (re-exported by `DeribitSimulator`), its type id and
 * error.
 *
 * @since 0.1.0
 * @internal
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { BookState, ConnectionInfo, Credentials, FrameRecord, OrderRecord, RequestRecord } from "./types.js"

/** @internal */
export const TypeId: unique symbol = Symbol.for("@zen-websocket/deribit/DeribitSimulator")

/** @internal */
export type TypeId = typeof TypeId

/** @internal */
export class SimulatorError extends Data.TaggedError("SimulatorError")<{
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `Deribit simulator: ${this.reason}`
  }
}

/** @internal */
export interface DeribitSimulator {
  readonly [TypeId]: TypeId
  /** `ws://127.0.0.1:<port>/ws/api/v2` */
  readonly url: string
  readonly port: number
  /** the first account's API key */
  readonly credentials: Credentials
  /** The simulator's Clock time (ms), e.g. for `client_signature` timestamps under `TestClock`. */
  readonly now: Effect.Effect<number>
  /** Frames in and out, oldest first (the last `maxFrames`). */
  readonly frames: (filter?: {
    readonly connectionId?: number | undefined
    readonly direction?: "in" | "out" | undefined
  }) => Effect.Effect<ReadonlyArray<FrameRecord>>
  /** Requests received, oldest first, of one connection or all. */
  readonly requests: (connectionId?: number | undefined) => Effect.Effect<ReadonlyArray<RequestRecord>>
  /** Forgets the logged frames and requests. */
  readonly clearLog: Effect.Effect<void>
  /** Live connections. */
  readonly connectionCount: Effect.Effect<number>
  /** Accepted connections since start. */
  readonly totalConnections: Effect.Effect<number>
  /** Every connection, ended ones (the last 1 000) first. */
  readonly connections: Effect.Effect<ReadonlyArray<ConnectionInfo>>
  readonly book: (instrument: string) => Effect.Effect<BookState, SimulatorError>
  readonly orders: (filter?: {
    readonly clientId?: string | undefined
    readonly instrument?: string | undefined
    readonly state?: OrderRecord["order_state"] | undefined
  }) => Effect.Effect<ReadonlyArray<OrderRecord>>
  /** Waits until `n` connections have been accepted since start (default timeout 2 s, real time). */
  readonly awaitConnections: (n: number, timeoutMs?: number | undefined) => Effect.Effect<void, SimulatorError>
  /** The first logged frame `predicate` accepts, already logged or arriving within the timeout (default 2 s). */
  readonly awaitFrame: (
    predicate: (frame: FrameRecord) => boolean,
    timeoutMs?: number | undefined
  ) => Effect.Effect<FrameRecord, SimulatorError>
  /** Waits until connection `id` has ended, and says how. */
  readonly awaitClosed: (id: number, timeoutMs?: number | undefined) => Effect.Effect<ConnectionInfo, SimulatorError>
  /** Runs `n` (default 1) market ticks now: generator step (even with `generate: false`) and interval flushes. */
  readonly tick: (n?: number | undefined) => Effect.Effect<void>
  /** The next book change of each current subscription (of `instrument`, or all) is not sent: a change id gap. */
  readonly skipChangeId: (instrument?: string | undefined) => Effect.Effect<void>
  /**
   * Ends connections (one, or all): with a close `code`, or without one (destroyed socket, the client sees 1006);
   * waits until they are gone. Not a logout: cancel-on-disconnect fires.
   */
  readonly drop: (options?: {
    readonly connectionId?: number | undefined
    readonly code?: number | undefined
    readonly reason?: string | undefined
  }) => Effect.Effect<void>
  /** Closes every connection with 1001 and stops listening (connections are refused). Also when the scope closes. */
  readonly stop: Effect.Effect<void>
  /** Stops (if running) and listens again on the same port; accounts, orders and the market are kept. */
  readonly restart: Effect.Effect<void, SimulatorError>
  /** Answers `method` with error `code` (`times` calls, default always); 10028 also ends the session. */
  readonly failMethod: (
    method: string,
    fault: {
      readonly code: number
      readonly times?: number | undefined
      readonly message?: string | undefined
      readonly data?: unknown
    }
  ) => Effect.Effect<void>
  /** Does not answer `method` (`times` calls, default always), or answers after `delay` of Clock time. */
  readonly stallMethod: (
    method: string,
    stall?: { readonly times?: number | undefined; readonly delay?: Duration.DurationInput | undefined }
  ) => Effect.Effect<void>
  /**
   * Loses the client's requests of `method` on their way in (`times`, default always): logged as received, never
   * read — not even as traffic for the heartbeat. E.g. `public/test`: a `test_request` goes unanswered.
   */
  readonly loseInbound: (method: string, loss?: { readonly times?: number | undefined }) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
}
