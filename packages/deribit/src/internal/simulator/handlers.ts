/**
 * The simulator's methods: one handler per method of `DeribitMethods.methods` (the type makes the table complete),
 * each receiving params already decoded with that method's Schema.
 *
 * @since 0.1.0
 * @internal
 */
import type * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as DeribitMethods from "../../DeribitMethods.js"
import * as auth from "./auth.js"
import * as io from "./io.js"
import { sortedLevels, ticker } from "./market.js"
import * as matching from "./matching.js"
import type { Outcome } from "./outcome.js"
import { fail, noReply, ok } from "./outcome.js"
import type { Account, Connection, State } from "./state.js"
import { codEnabled, now, ticksToPrice } from "./state.js"
import * as subscriptions from "./subscriptions.js"
import * as timers from "./timers.js"
import * as wire from "./wire.js"

/** @internal */
export interface Context {
  readonly state: State
  readonly connection: Connection
  /** set for private methods (already authorized) */
  readonly account: Account | undefined
}

type Params<M extends DeribitMethods.Method> = Schema.Schema.Type<(typeof DeribitMethods.methods)[M]["params"]>

type Handler<M extends DeribitMethods.Method> = (ctx: Context, params: Params<M>) => Outcome

const withAccount = <M extends DeribitMethods.Method>(
  run: (ctx: Context, account: Account, params: Params<M>) => Outcome
): Handler<M> =>
(ctx, params) => ctx.account === undefined ? fail(13009, { reason: "unauthorized" }) : run(ctx, ctx.account, params)

const instrumentNotFound = fail(13020, { param: "instrument_name", reason: "instrument not found" })

const limits = (state: State) => {
  const rate = (budget: DeribitMethods.Budget) => ({
    rate: budget.refillPerSecond / budget.cost,
    burst: Math.floor(budget.capacity / budget.cost)
  })
  return {
    non_matching_engine: rate(state.options.budgets.nonMatching),
    matching_engine: rate(state.options.budgets.matching)
  }
}

const handlers: { readonly [M in DeribitMethods.Method]: Handler<M> } = {
  "public/auth": (ctx, params) => auth.authenticate(ctx.state, ctx.connection, params),
  "public/test": (ctx) => ok({ version: ctx.state.options.version }),
  "public/get_time": (ctx) => ok(now(ctx.state)),
  "public/get_instruments": ({ state }, params) =>
    ok(
      Array.from(state.instruments.values())
        .filter((i) =>
          (params.currency === "any" || params.currency === i.spec.baseCurrency) &&
          (params.kind === undefined || params.kind === "any" || params.kind === "future")
        )
        .map((i) => wire.instrument(i, 0))
    ),
  "public/ticker": ({ state }, params) => {
    const instrument = state.instruments.get(params.instrument_name)
    return instrument === undefined ? instrumentNotFound : ok(ticker(state, instrument))
  },
  "public/get_order_book": ({ state }, params) => {
    const instrument = state.instruments.get(params.instrument_name)
    if (instrument === undefined) return instrumentNotFound
    const depth = params.depth ?? 20
    const side = (s: "bids" | "asks") =>
      sortedLevels(instrument, s).slice(0, depth).map(([t, a]) => [ticksToPrice(instrument, t), a] as const)
    return ok({ ...ticker(state, instrument), change_id: instrument.changeId, bids: side("bids"), asks: side("asks") })
  },
  "public/set_heartbeat": (ctx, params) => timers.setHeartbeat(ctx.state, ctx.connection, params.interval),
  "public/disable_heartbeat": (ctx) => {
    timers.stopHeartbeat(ctx.connection)
    return ok("ok")
  },
  "public/subscribe": (ctx, params) => subscriptions.subscribe(ctx.state, ctx.connection, params, false),
  "public/unsubscribe": (ctx, params) => subscriptions.unsubscribe(ctx.connection, params.channels),
  "public/unsubscribe_all": (ctx) => subscriptions.unsubscribeAll(ctx.connection),
  "private/subscribe": (ctx, params) => subscriptions.subscribe(ctx.state, ctx.connection, params, true),
  "private/unsubscribe": (ctx, params) => subscriptions.unsubscribe(ctx.connection, params.channels),
  "private/unsubscribe_all": (ctx) => subscriptions.unsubscribeAll(ctx.connection),
  "private/buy": withAccount((ctx, account, params) =>
    matching.place(ctx.state, ctx.connection, account, "buy", params)
  ),
  "private/sell": withAccount((ctx, account, params) =>
    matching.place(ctx.state, ctx.connection, account, "sell", params)
  ),
  "private/edit": withAccount((ctx, account, params) => matching.edit(ctx.state, account, params)),
  "private/cancel": withAccount((ctx, account, params) => matching.cancel(ctx.state, account, params.order_id)),
  "private/cancel_all": withAccount((ctx, account) =>
    ok(matching.cancelWhere(ctx.state, (o) => o.account === account, "user_request"))
  ),
  "private/cancel_all_by_instrument": withAccount((ctx, account, params) =>
    ctx.state.instruments.has(params.instrument_name)
      ? ok(matching.cancelWhere(
        ctx.state,
        (o) => o.account === account && o.instrument.spec.name === params.instrument_name,
        "user_request"
      ))
      : instrumentNotFound
  ),
  "private/get_open_orders_by_instrument": withAccount((ctx, account, params) =>
    ctx.state.instruments.has(params.instrument_name)
      ? ok(matching.openOrders(ctx.state, account, params.instrument_name))
      : instrumentNotFound
  ),
  "private/get_positions": withAccount((ctx, account, params) =>
    ok(matching.positions(ctx.state, account, params.currency))
  ),
  "private/get_account_summary": withAccount((ctx, account, params) =>
    ok({ ...wire.portfolio(ctx.state, account, params.currency), fee_balance: 0, limits: limits(ctx.state) })
  ),
  "private/enable_cancel_on_disconnect": withAccount((ctx, account, params) => {
    if (params.scope === "account") account.codDefault = true
    else ctx.connection.cod = true
    return ok("ok")
  }),
  "private/disable_cancel_on_disconnect": withAccount((ctx, account, params) => {
    if (params.scope === "account") account.codDefault = false
    else ctx.connection.cod = false
    return ok("ok")
  }),
  "private/get_cancel_on_disconnect": withAccount((ctx, account, params) =>
    ok(
      params.scope === "account"
        ? { scope: "account", enabled: account.codDefault }
        : { scope: "connection", enabled: codEnabled(ctx.connection) }
    )
  ),
  "private/logout": withAccount((ctx, _account, params) => {
    auth.logout(ctx.state, ctx.connection, params.invalidate_token ?? true)
    io.close(ctx.state, ctx.connection, 1000, "logout")
    return noReply
  })
}

/** @internal */
export interface Method {
  readonly decode: (params: unknown) => Either.Either<unknown, ParseResult.ParseError>
  readonly run: (ctx: Context, params: unknown) => Outcome
}

/** Decoders compiled once, next to their handlers. @internal */
export const table: ReadonlyMap<string, Method> = new Map(
  (Object.keys(handlers) as Array<DeribitMethods.Method>).map((name) => [
    name,
    {
      decode: Schema.decodeUnknownEither(DeribitMethods.methods[name].params as Schema.Schema<unknown, unknown>),
      run: handlers[name] as (ctx: Context, params: unknown) => Outcome
    }
  ])
)
