/**
 * `DeribitClient.connect`'s body: options validated before any socket, the credit limiters, the core client with
 * Deribit's dialect, heartbeat, classifier and post-connect hooks, and the session object (a prototype that is
 * `Inspectable` and `Pipeable`, showing no secret).
 *
 * @since 0.1.0
 * @internal
 */
import { Client, ClientOptions, RateLimiter, type WebSocketError } from "@zen-websocket/core"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as Pipeable from "effect/Pipeable"
import { pipeArguments } from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as methodTable from "../methodTable.js"
import * as dialect from "./dialect.js"
import type { Options, Resolved } from "./options.js"
import { validate } from "./options.js"
import { afterRestore, postConnect } from "./rpc.js"
import { SessionState } from "./state.js"
import { makeChannels } from "./streams.js"

/** @internal */
export const TypeId: unique symbol = Symbol.for("@zen-websocket/deribit/DeribitClient")

/** @internal */
export type TypeId = typeof TypeId

/** @internal */
export interface DeribitSession extends Pipeable.Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: TypeId
  /** the core client under the session: state, events, messages, subscriptions */
  readonly client: Client.Client
  /** the session's options with their defaults (the secret stays `Redacted`) */
  readonly options: Resolved
}

const stateKey: unique symbol = Symbol.for("@zen-websocket/deribit/DeribitClient/state")

interface SessionImpl extends DeribitSession {
  readonly [stateKey]: SessionState
}

const Proto = {
  [TypeId]: TypeId,
  ...Inspectable.BaseProto,
  toJSON(this: SessionImpl) {
    const state = this[stateKey]
    return {
      _id: "DeribitSession",
      url: ClientOptions.showUrl(this.options.url),
      client: this.client.id,
      connection: state.generation,
      authenticated: state.token !== undefined,
      cancelOnDisconnect: this.options.cancelOnDisconnect
    }
  },
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
}

/** @internal */
export const isSession = (u: unknown): u is DeribitSession => Predicate.hasProperty(u, TypeId)

/** @internal */
export const stateOf = (session: DeribitSession): SessionState => (session as SessionImpl)[stateKey]

/**
 * A budget as a core token bucket, refilled every 10 ms (Deribit's bucket leaks continuously), one call short of
 * Deribit's capacity: the margin covers the heartbeat's `public/test` answers (which draw on Deribit's budget, not
 * on ours) and the refill phase.
 */
const limiterOptions = (budget: methodTable.Budget) => ({
  capacity: Math.max(Math.round(budget.cost), Math.round(budget.capacity - budget.cost)),
  refillRate: Math.max(1, Math.round(budget.refillPerSecond / 100)),
  refillInterval: 10,
  maxQueue: 10_000
})

const makeLimiters = (budgets: NonNullable<Resolved["budgets"]>) =>
  Effect.all({
    nonMatching: RateLimiter.make(limiterOptions(budgets.nonMatching)),
    matching: RateLimiter.make(limiterOptions(budgets.matching)),
    subscribe: RateLimiter.make(limiterOptions(budgets.subscribe))
  })

/** @internal */
export const connect = (
  options?: Options
): Effect.Effect<DeribitSession, WebSocketError.ConnectError | WebSocketError.InvalidOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* validate(options)
    const core = resolved.core
    const limiters = resolved.budgets === undefined ? undefined : yield* makeLimiters(resolved.budgets)
    const state = new SessionState(resolved, limiters)
    const client = yield* Client.connect(resolved.url, {
      // a trading session comes back however long the outage; fatal errors (13004) still stop it at once
      retryCount: Infinity,
      ...core,
      subscriptionProtocol: dialect.make(resolved.limits),
      heartbeatConfig: { type: "deribit", interval: resolved.heartbeatInterval * 1000, setHeartbeat: false },
      retryable: core.retryable ?? dialect.retryable,
      restoreHooks: [postConnect(state), ...(core.restoreHooks ?? [])],
      afterRestoreHooks: [afterRestore(state), ...(core.afterRestoreHooks ?? [])]
    })
    state.client = client
    state.channels = yield* makeChannels(state)
    // runs first when the scope closes: no unsubscribes one by one, then the optional logout, then the client closes
    yield* Effect.addFinalizer(() => close(state, resolved.logoutOnClose))
    const session: SessionImpl = Object.create(Proto)
    Object.assign(session, { client, options: resolved, [stateKey]: state })
    return session
  })

/**
 * Graceful close: `private/logout` first when asked (cancel-on-disconnect does not fire on a logout), then the close
 * handshake (1000). Idempotent.
 *
 * @internal
 */
export const close = (state: SessionState, logout: boolean): Effect.Effect<void> =>
  Effect.suspend(() => {
    const client = state.client
    if (client === undefined) return Effect.void
    const wasClosing = state.closing
    state.closing = true
    const loggedOut = logout && !wasClosing && state.token !== undefined
      ? Effect.ignore(client.sendMessage({
        jsonrpc: "2.0",
        id: "deribit.logout",
        method: "private/logout",
        params: { invalidate_token: true }
      }))
      : Effect.void
    return Effect.zipRight(loggedOut, client.close)
  })

/** The access token of the current connection (for REST calls made alongside), if authenticated. @internal */
export const accessToken = (state: SessionState): Option.Option<Redacted.Redacted<string>> =>
  Option.map(Option.fromNullable(state.token), (t) => t.accessToken)
