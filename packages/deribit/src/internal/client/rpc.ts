/**
 * Requests of a Deribit session: the post-connect sequence of every connection (`public/auth` → `public/set_heartbeat`
 * → `private/enable_cancel_on_disconnect`), the token refresh bound to the connection, and typed requests (credits
 * by method class, the pause after 10028, one re-auth and retry after 13009, results decoded with Schema, the
 * latency split into network and server time).
 *
 * @since 0.1.0
 * @internal
 */
import type { ClientOptions, JsonRpc } from "@zen-websocket/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { randomBytes } from "node:crypto"
import * as DeribitError from "../../DeribitError.js"
import * as DeribitMethods from "../../DeribitMethods.js"
import * as methodTable from "../methodTable.js"
import type * as schemas from "../schemas.js"
import { sign } from "../signature.js"
import type { ResolvedCredentials } from "./options.js"
import type { SessionState, Token } from "./state.js"

/** Whatever sends a JSON-RPC request: a restore hook's session, or the connected client. */
type Requester = (
  request: JsonRpc.Request,
  options?: { readonly timeout?: number | undefined; readonly envelope?: boolean | undefined }
) => Effect.Effect<unknown, unknown>

/** @internal */
export interface Timing {
  /** server receive time, µs since the epoch */
  readonly usIn: number
  /** server send time, µs since the epoch */
  readonly usOut: number
  /** `usOut - usIn`, µs: the server's time */
  readonly usDiff: number
  /** the whole round trip as we saw it, ms */
  readonly roundTripMs: number
  /** `usDiff` in ms */
  readonly serverMs: number
  /** the round trip less the server's time, ms */
  readonly networkMs: number
}

const isWireError = (u: unknown): u is { readonly _tag: "RpcError"; readonly code: number; readonly message: string } =>
  Predicate.isTagged(u, "RpcError") && Predicate.hasProperty(u, "code") && typeof u.code === "number"

/** A core `RpcError` becomes a `DeribitRpcError` (the raw one kept as its cause); a 10028 starts the pause. */
const toDeribit = (state: SessionState, method: string) => (error: unknown) =>
  Effect.suspend(() => {
    if (!isWireError(error)) return Effect.fail(error)
    const deribit = DeribitError.fromWire(error as DeribitError.WireError, { method, cause: error })
    if (deribit.code !== 10028) return Effect.fail(deribit)
    return Effect.zipRight(
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => state.onTooManyRequests(now))),
      Effect.fail(deribit)
    )
  })

const decoders = new Map<string, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>()

/** The result decoded with the method's Schema (methods outside the table: as it came). */
const decodeResult = (method: string, result: unknown) => {
  const spec =
    (DeribitMethods.methods as Record<string, { readonly result: Schema.Schema<unknown, unknown> } | undefined>)[
      method
    ]
  if (spec === undefined) return Effect.succeed(result)
  let decode = decoders.get(method)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEither(spec.result)
    decoders.set(method, decode)
  }
  return decode(result)
}

/** One call through `requester` (credits first): Deribit errors typed, the result decoded. */
const call = (state: SessionState, requester: Requester, method: string, params: unknown) =>
  Effect.zipRight(state.acquire(methodTable.rateClass(method)), requester({ method, params })).pipe(
    Effect.catchAll(toDeribit(state, method)),
    Effect.flatMap((result) => decodeResult(method, result))
  )

// -------------------------------------------------------------------------------------------------------------------
// authentication
// -------------------------------------------------------------------------------------------------------------------

const nonce = () => randomBytes(8).toString("hex")

/** `public/auth` params from the credentials (a fresh signature each time: timestamps and nonces are single use). */
const credentialsParams = (credentials: ResolvedCredentials, now: number) => {
  const secret = Redacted.value(credentials.clientSecret)
  if (credentials.grant === "client_credentials") {
    return { grant_type: "client_credentials", client_id: credentials.clientId, client_secret: secret }
  }
  const n = nonce()
  return {
    grant_type: "client_signature",
    client_id: credentials.clientId,
    timestamp: now,
    nonce: n,
    data: credentials.data,
    signature: sign(secret, now, n, credentials.data)
  }
}

type AuthResult = typeof schemas.AuthResult.Type

const keepToken = (state: SessionState, generation: number, auth: AuthResult, now: number): void => {
  if (state.generation !== generation) return
  state.token = {
    generation,
    accessToken: Redacted.make(auth.access_token),
    refreshToken: Redacted.make(auth.refresh_token),
    expiresInMs: auth.expires_in * 1000,
    grantedAt: now,
    scope: auth.scope
  }
}

/** `public/auth` with the credentials, on the connection `requester` talks to. */
const authenticate = (state: SessionState, requester: Requester, generation: number) =>
  Effect.gen(function*() {
    const credentials = state.options.credentials
    if (credentials === undefined) return
    const now = yield* Clock.currentTimeMillis
    const auth = (yield* call(state, requester, "public/auth", credentialsParams(credentials, now))) as AuthResult
    keepToken(state, generation, auth, yield* Clock.currentTimeMillis)
  })

const linkGone = (error: unknown): boolean =>
  Predicate.isTagged(error, "NotConnected") || Predicate.isTagged(error, "Disconnected")

/**
 * Refreshes the token at 80 % of `expires_in`, on the connection it belongs to (the loop is forked in the
 * connection's scope: it ends with it). A failed refresh falls back to the credentials.
 */
const refreshLoop = (state: SessionState, requester: Requester, generation: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    while (state.generation === generation) {
      const token = state.token
      if (token === undefined || token.generation !== generation) return
      yield* Effect.sleep(Math.max(1_000, Math.floor(token.expiresInMs * 0.8)))
      if (state.generation !== generation) return
      if (state.token !== token) continue // re-authenticated meanwhile (13009): refresh the new one in time
      const refreshed = yield* Effect.either(
        call(state, requester, "public/auth", {
          grant_type: "refresh_token",
          refresh_token: Redacted.value(token.refreshToken)
        })
      )
      if (Either.isRight(refreshed)) {
        keepToken(state, generation, refreshed.right as AuthResult, yield* Clock.currentTimeMillis)
        continue
      }
      if (linkGone(refreshed.left)) return
      yield* Effect.logWarning("Deribit: the token refresh failed; authenticating with the credentials", refreshed.left)
      const again = yield* Effect.either(authenticate(state, requester, generation))
      if (Either.isLeft(again)) {
        if (!linkGone(again.left)) {
          yield* Effect.logError("Deribit: re-authentication failed; private calls will re-authenticate", again.left)
        }
        return
      }
    }
  })

/**
 * The restore hook of every connection: `public/auth` (with the credentials: tokens never cross connections) →
 * `public/set_heartbeat` → `private/enable_cancel_on_disconnect` (if asked; a failure fails the attempt, typed).
 * A running 10028 pause is waited out first.
 *
 * @internal
 */
export const postConnect = (state: SessionState): ClientOptions.RestoreHook => (session) =>
  Effect.gen(function*() {
    const generation = state.nextConnection()
    yield* state.awaitPause
    const { cancelOnDisconnect, credentials, heartbeatInterval } = state.options
    if (credentials !== undefined) {
      yield* authenticate(state, session.request, generation)
      yield* Effect.forkIn(refreshLoop(state, session.request, generation), session.scope)
    }
    yield* call(state, session.request, "public/set_heartbeat", { interval: heartbeatInterval })
    if (cancelOnDisconnect !== false) {
      yield* call(state, session.request, "private/enable_cancel_on_disconnect", { scope: cancelOnDisconnect })
    }
  }).pipe(Effect.tapError((error) => Effect.logWarning("Deribit: the post-connect sequence failed", error)))

/**
 * The hook after the restore: the maintained books wait for their snapshot on this connection. One that does not get
 * it within `bookSyncTimeout` is logged and synced when its snapshot comes (its stream says so).
 *
 * @internal
 */
export const afterRestore = (state: SessionState): ClientOptions.AfterRestoreHook => () =>
  Effect.gen(function*() {
    if (state.client === undefined || state.books.size === 0) return
    const held = new Set(yield* state.client.subscriptions)
    const books = Array.from(state.books.keys()).filter((channel) => held.has(channel))
    const late = yield* state.awaitBooks(books, state.options.bookSyncTimeout)
    if (late.length > 0) yield* Effect.logWarning(`Deribit: no book snapshot yet for ${late.join(", ")}`)
  })

// -------------------------------------------------------------------------------------------------------------------
// typed requests
// -------------------------------------------------------------------------------------------------------------------

/** @internal */
export interface RequestOptions {
  readonly timeout?: number | undefined
}

const timingOf = (response: unknown, roundTripMs: number): Timing | undefined => {
  if (!Predicate.isRecord(response)) return undefined
  const { usDiff, usIn, usOut } = response
  if (typeof usIn !== "number" || typeof usOut !== "number" || typeof usDiff !== "number") return undefined
  const serverMs = usDiff / 1000
  return { usIn, usOut, usDiff, roundTripMs, serverMs, networkMs: Math.max(0, roundTripMs - serverMs) }
}

/** One send of a request: pause, credits, the round trip, the timing. */
const once = (state: SessionState, method: string, params: unknown, options: RequestOptions | undefined) =>
  Effect.gen(function*() {
    const client = state.client!
    yield* state.awaitPause
    yield* state.acquire(methodTable.rateClass(method))
    const started = performance.now()
    const response = yield* client.request({ method, params }, { envelope: true, timeout: options?.timeout }).pipe(
      Effect.catchAll(toDeribit(state, method))
    )
    const timing = timingOf(response, performance.now() - started)
    if (timing !== undefined) {
      state.server.add(timing.serverMs)
      state.network.add(timing.networkMs)
    }
    state.onSuccess()
    return { result: (response as { readonly result?: unknown }).result, timing }
  })

/** One re-authentication at a time; a request that waited for another's finds the token renewed. */
const reauth = (state: SessionState, stale: Token | undefined) =>
  state.reauthLock.withPermits(1)(Effect.suspend(() =>
    state.token !== stale && state.token !== undefined
      ? Effect.void
      : authenticate(state, state.client!.request, state.generation)
  ))

const is13009 = (error: unknown): boolean => DeribitError.isDeribitRpcError(error) && error.code === 13009

/**
 * A request with its timing. A private method answered 13009 (token expired or revoked) re-authenticates once on the
 * live connection and is retried once.
 *
 * @internal
 */
export const timed = (state: SessionState, method: string, params: unknown, options?: RequestOptions) => {
  const sent = methodTable.isPrivateMethod(method) && state.options.credentials !== undefined
    ? Effect.suspend(() => {
      const token = state.token
      return Effect.catchIf(
        once(state, method, params, options),
        is13009,
        () => Effect.zipRight(reauth(state, token), once(state, method, params, options))
      )
    })
    : once(state, method, params, options)
  return Effect.flatMap(
    sent,
    ({ result, timing }) => Effect.map(decodeResult(method, result), (decoded) => ({ result: decoded, timing }))
  )
}
