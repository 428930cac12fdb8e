/**
 * The venue simulators' data: what a venue's wire codec reads from a request and answers, per connection state, and
 * the options and records a `Testing.VenueServer` exposes. Each codec is written from the venue's documentation, not
 * from the client's dialect, so a dialect tested against it is tested against an independent reading of the venue.
 */
import type { MockConnection, Reply } from "../mockModels.js"

/** @internal */
export type VenueName = "jsonRpc" | "okx" | "bybit" | "coinbase" | "krakenV2" | "ethSubscribe"

/** What a request asks for, as far as the simulator cares. */
export interface Parsed {
  readonly op: "subscribe" | "unsubscribe" | "auth" | "other"
  /** the request's correlation field, as sent */
  readonly ref: unknown
  /** channel names, in the client's naming (`<kind>:<key>`) */
  readonly channels: ReadonlyArray<string>
  readonly json: Record<string, unknown>
}

/** Why a channel (or a request) is refused. */
export type Refusal = "private" | "unknown" | "tooLarge" | "tooMany" | "credentials" | "transient"

/** One connection's state on the simulated venue. */
export interface Session {
  readonly connection: MockConnection
  /** channels held, with the server's subscription id when the venue assigns one */
  readonly held: Map<string, string>
  authenticated: boolean
  /** per-connection message counter (Coinbase's `sequence_num`) */
  sequence: number
}

/** What a codec gets besides the request: credentials and a fresh server id. */
export interface Context {
  readonly credentials: Credentials
  /** a subscription id never handed out before by this server (ethSubscribe) */
  readonly nextId: () => string
}

/** A venue's side of the wire. */
export interface Codec {
  readonly name: VenueName
  readonly maxFrameBytes: number
  readonly maxChannelsPerRequest: number
  /** reads a request; `undefined`: not one the simulator handles (answered by `other`) */
  readonly parse: (json: Record<string, unknown>) => Parsed | undefined
  /** channels that need an authenticated session */
  readonly isPrivate: (channel: string) => boolean
  /** channels the venue knows (default: any whose name does not say `invalid`, `unknown` or `nonexistent`) */
  readonly exists?: ((channel: string) => boolean) | undefined
  /** removes what an unsubscribe names from the session, returning the channels removed (default: by name) */
  readonly release?: ((request: Parsed, session: Session) => ReadonlyArray<string>) | undefined
  /** credentials carried by the request itself (Coinbase's `jwt`, Kraken's `token`) */
  readonly authorizes?: ((request: Parsed, context: Context) => boolean) | undefined
  /** checks an auth request */
  readonly verify: (request: Parsed, context: Context) => boolean
  readonly authed: (request: Parsed, session: Session) => Reply
  /** answers a subscribe: `refused` is non-empty when some channel was refused (the codec decides: whole or each) */
  readonly subscribed: (
    request: Parsed,
    accepted: ReadonlyArray<string>,
    refused: ReadonlyArray<{ readonly channel: string; readonly why: Refusal }>,
    session: Session,
    context: Context
  ) => Reply
  readonly unsubscribed: (request: Parsed, removed: ReadonlyArray<string>, session: Session) => Reply
  /** the request as a whole failed (frame too large, too many channels, bad credentials, injected trouble) */
  readonly failed: (request: Parsed, why: Refusal, session: Session) => Reply
  /** any other frame */
  readonly other: (json: Record<string, unknown> | undefined, text: string, session: Session) => Reply
  /** a notification of `channel` to a session that holds it (`id`: the server's subscription id) */
  readonly notification: (channel: string, data: unknown, session: Session, id: string) => string
}

/**
 * The credentials a simulated venue accepts: Deribit `client_id`/`client_secret`, OKX `apiKey`/`passphrase` with a
 * signature by `secret`, Bybit `apiKey` with a signature by `secret`, Coinbase's `jwt` and Kraken's `token` equal to
 * `secret`.
 */
export interface Credentials {
  readonly key: string
  readonly secret: string
  readonly passphrase: string
}

/** A subscription-related request the simulator received. */
export interface VenueRequest {
  readonly connectionId: number
  readonly op: "subscribe" | "unsubscribe" | "auth"
  readonly channels: ReadonlyArray<string>
  /** UTF-8 size of the frame */
  readonly bytes: number
  /** ms since the epoch */
  readonly at: number
}

/** How an injected fault answers: the venue's transient error, no answer at all, or a dropped connection. */
export type FaultMode = "error" | "silent" | "terminate"

/** The options of `Testing.startVenueServer`. */
export interface StartOptions {
  readonly port?: number | undefined
  readonly path?: string | undefined
  readonly tls?: boolean | undefined
  readonly maxReceived?: number | undefined
  readonly credentials?: Partial<Credentials> | undefined
  /** the largest request frame the venue accepts (default: the venue's, e.g. Deribit's 32 kB); larger ones are refused */
  readonly maxFrameBytes?: number | undefined
  /** the most channels in one request (default: the venue's, e.g. 10 for Bybit) */
  readonly maxChannelsPerRequest?: number | undefined
  /**
   * which channels are refused: `"private"` (needs a login), `"unknown"` (does not exist) or `undefined` (accepted).
   * Default: the venue's private channels without a login (Deribit `.raw` and `user.*`, OKX `orders`, …), and names
   * containing `invalid`, `unknown` or `nonexistent`.
   */
  readonly rejects?: ((channel: string, authenticated: boolean) => "private" | "unknown" | undefined) | undefined
}
