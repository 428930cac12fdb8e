/**
 * The simulator's public data shapes (re-exported by `DeribitSimulator`) and its resolved options.
 *
 * @since 0.1.0
 * @internal
 */
import type * as Duration from "effect/Duration"
import type * as DeribitChannels from "../../DeribitChannels.js"
import type * as DeribitMethods from "../../DeribitMethods.js"

/** @internal */
export interface Credentials {
  readonly clientId: string
  readonly clientSecret: string
}

/** @internal */
export interface InstrumentSpec {
  readonly name: string
  readonly baseCurrency: string
  readonly tickSize: number
  /** the order amount step (USD for perpetuals) */
  readonly minTradeAmount: number
  readonly contractSize: number
  /** the book is generated around this price */
  readonly startPrice: number
}

/** @internal */
export interface MarketOptions {
  /** change the book on each tick (default true); `tick()` drives it by hand either way */
  readonly generate: boolean
  /** of the deterministic random generator (default 1) */
  readonly seed: number
  /** random level changes per instrument and tick (default 2) */
  readonly changesPerTick: number
  /** probability of a public trade per instrument and tick (default 0.3) */
  readonly tradeProbability: number
  /** levels per side at start (default 10) */
  readonly levels: number
  /** the tick (default 100 ms); `agg2` flushes once per 2 s of ticks */
  readonly tick: Duration.DurationInput
}

/** @internal */
export interface ResolvedOptions {
  readonly port: number
  readonly path: string
  readonly testnet: boolean
  readonly version: string
  readonly accounts: ReadonlyArray<Credentials>
  readonly tokenTtlMs: number
  readonly refreshTokenTtlMs: number
  readonly signatureWindowMs: number
  readonly credits: boolean
  readonly budgets: { readonly [K in DeribitMethods.RateClass]: DeribitMethods.Budget }
  readonly maxFrameBytes: number
  readonly rawWithoutAuth: "rejectRequest" | "dropChannel"
  readonly instruments: ReadonlyArray<InstrumentSpec>
  readonly market: Omit<MarketOptions, "tick"> & { readonly tickMs: number }
  readonly maxFrames: number
}

/** @internal */
export interface FrameRecord {
  readonly connectionId: number
  readonly direction: "in" | "out"
  /** Clock time, ms */
  readonly at: number
  readonly data: string
}

/** @internal */
export interface RequestRecord {
  readonly connectionId: number
  readonly at: number
  readonly id: unknown
  readonly method: string
  readonly params: unknown
}

/** @internal */
export interface CloseRecord {
  readonly by: "client" | "server"
  readonly code: number
  readonly reason: string
}

/** @internal */
export interface ConnectionInfo {
  readonly id: number
  readonly open: boolean
  readonly clientId: string | undefined
  readonly authenticated: boolean
  readonly cancelOnDisconnect: boolean
  readonly heartbeatSeconds: number | undefined
  readonly subscriptions: ReadonlyArray<string>
  readonly loggedOut: boolean
  readonly closed: CloseRecord | undefined
}

/** @internal */
export interface BookState {
  readonly instrument: string
  readonly changeId: number
  readonly timestamp: number
  /** best first */
  readonly bids: ReadonlyArray<readonly [number, number]>
  /** best first */
  readonly asks: ReadonlyArray<readonly [number, number]>
}

/** @internal */
export interface OrderRecord extends DeribitChannels.Order {
  readonly clientId: string
  readonly connectionId: number
}

/** @internal */
export interface MethodFault {
  readonly method: string
  /** answer with this error code */
  readonly code?: number | undefined
  readonly message?: string | undefined
  readonly data?: unknown
  /** do not answer (`delayMs` undefined) or answer late */
  readonly stall?: boolean | undefined
  readonly delayMs?: number | undefined
  /** the frame is lost on its way in: logged, never read (not even as heartbeat traffic) */
  readonly lose?: boolean | undefined
  remaining: number
}
