/**
 * The tiny matching engine: limit orders rest in the book, a crossing order fills against resting user orders (first
 * in, first out) and the generated liquidity, edit and cancel work, positions and fees follow the fills.
 *
 * @since 0.1.0
 * @internal
 */
import type * as DeribitChannels from "../../DeribitChannels.js"
import type * as DeribitMethods from "../../DeribitMethods.js"
import { best, commit, levelAmount, levelFor, print, prune, touch } from "./market.js"
import * as notify from "./notify.js"
import type { Outcome } from "./outcome.js"
import { fail, invalidParam, ok } from "./outcome.js"
import type { Account, Connection, Instrument, OrderState, Side, State } from "./state.js"
import { now, priceToTicks } from "./state.js"
import * as wire from "./wire.js"

const takerFee = 0.0005

type OrderParams = typeof DeribitMethods.OrderParams.Type
type EditParams = typeof DeribitMethods.EditParams.Type

const opposite = (direction: "buy" | "sell"): Side => direction === "buy" ? "asks" : "bids"
const own = (direction: "buy" | "sell"): Side => direction === "buy" ? "bids" : "asks"

const crosses = (direction: "buy" | "sell", ticks: number, limit: number | undefined): boolean =>
  limit === undefined || (direction === "buy" ? ticks <= limit : ticks >= limit)

// -------------------------------------------------------------------------------------------------------------------
// fills
// -------------------------------------------------------------------------------------------------------------------

interface Fills {
  readonly prints: Array<DeribitChannels.Trade>
  readonly byAccount: Map<Account, Array<DeribitChannels.UserTrade>>
  readonly changed: Set<OrderState>
}

const emptyFills = (): Fills => ({ prints: [], byAccount: new Map(), changed: new Set() })

const updatePosition = (account: Account, order: OrderState, price: number, qty: number): void => {
  const name = order.instrument.spec.name
  const p = account.positions.get(name) ?? { size: 0, averagePrice: 0, realized: 0 }
  account.positions.set(name, p)
  const signed = order.direction === "buy" ? qty : -qty
  if (p.size === 0 || Math.sign(p.size) === Math.sign(signed)) {
    p.averagePrice = (Math.abs(p.size) * p.averagePrice + qty * price) / (Math.abs(p.size) + qty)
    p.size += signed
    return
  }
  const closing = Math.min(qty, Math.abs(p.size))
  p.realized += closing * (1 / p.averagePrice - 1 / price) * Math.sign(p.size)
  p.size += signed
  if (p.size === 0) p.averagePrice = 0
  else if (Math.sign(p.size) === Math.sign(signed)) p.averagePrice = price
}

const fill = (
  state: State,
  fills: Fills,
  order: OrderState,
  trade: DeribitChannels.Trade,
  liquidity: "M" | "T"
): DeribitChannels.UserTrade => {
  const qty = trade.amount
  order.filled += qty
  order.notional += trade.price * qty
  order.updatedAt = now(state)
  if (order.filled >= order.amount) order.state = "filled"
  const fee = liquidity === "T" ? qty / trade.price * takerFee : 0
  const currency = order.instrument.spec.baseCurrency
  order.account.balances.set(currency, (order.account.balances.get(currency) ?? 0) - fee)
  updatePosition(order.account, order, trade.price, qty)
  const userTrade: DeribitChannels.UserTrade = {
    trade_id: trade.trade_id,
    trade_seq: trade.trade_seq,
    timestamp: trade.timestamp,
    instrument_name: trade.instrument_name,
    order_id: order.id,
    order_type: order.type,
    direction: order.direction,
    price: trade.price,
    amount: qty,
    state: order.state === "filled" ? "filled" : "open",
    fee: Number(fee.toFixed(10)),
    fee_currency: currency,
    liquidity,
    mark_price: trade.mark_price,
    index_price: trade.index_price,
    tick_direction: trade.tick_direction,
    label: order.label,
    post_only: order.postOnly,
    reduce_only: order.reduceOnly
  }
  const list = fills.byAccount.get(order.account) ?? []
  list.push(userTrade)
  fills.byAccount.set(order.account, list)
  fills.changed.add(order)
  return userTrade
}

/** Fills `taker` against the opposite side while it crosses; returns the taker's trades. */
const match = (state: State, fills: Fills, taker: OrderState): Array<DeribitChannels.UserTrade> => {
  const instrument = taker.instrument
  const side = opposite(taker.direction)
  const out: Array<DeribitChannels.UserTrade> = []
  for (;;) {
    const remaining = taker.amount - taker.filled
    const top = best(instrument, side)
    if (remaining <= 0 || top === undefined || !crosses(taker.direction, top[0], taker.priceTicks)) break
    const ticks = top[0]
    const level = levelFor(instrument, side, ticks)
    touch(instrument, side, ticks)
    const maker = level.orders[0]
    const qty = Math.min(remaining, maker !== undefined ? maker.amount - maker.filled : level.liquidity)
    const trade = print(state, instrument, taker.direction, ticks, qty)
    fills.prints.push(trade)
    instrument.openInterest += qty
    if (maker !== undefined) {
      fill(state, fills, maker, trade, "M")
      if (maker.state === "filled") level.orders.shift()
    } else {
      level.liquidity -= qty
    }
    out.push(fill(state, fills, taker, trade, "T"))
    prune(instrument, side, ticks)
  }
  return out
}

const crossingAmount = (instrument: Instrument, order: OrderState): number => {
  let amount = 0
  for (const [ticks, level] of instrument[opposite(order.direction)]) {
    if (crosses(order.direction, ticks, order.priceTicks)) amount += levelAmount(level)
  }
  return amount
}

const rest = (order: OrderState): void => {
  if (order.priceTicks === undefined) return
  const side = own(order.direction)
  touch(order.instrument, side, order.priceTicks)
  levelFor(order.instrument, side, order.priceTicks).orders.push(order)
}

const unrest = (order: OrderState): void => {
  if (order.priceTicks === undefined) return
  const side = own(order.direction)
  const level = order.instrument[side].get(order.priceTicks)
  if (level === undefined) return
  const index = level.orders.indexOf(order)
  if (index < 0) return
  touch(order.instrument, side, order.priceTicks)
  level.orders.splice(index, 1)
  prune(order.instrument, side, order.priceTicks)
}

/** Matches, rests or closes `order`, then publishes everything that changed. */
const execute = (state: State, order: OrderState): Array<DeribitChannels.UserTrade> => {
  const fills = emptyFills()
  const trades = order.timeInForce === "fill_or_kill" && crossingAmount(order.instrument, order) < order.amount
    ? []
    : match(state, fills, order)
  if (order.state === "open") {
    if (order.type === "limit" && order.timeInForce === "good_til_cancelled") rest(order)
    else {
      order.state = "cancelled"
      order.updatedAt = now(state)
    }
  }
  fills.changed.add(order)
  publish(state, order.instrument, fills)
  return trades
}

const publish = (state: State, instrument: Instrument, fills: Fills): void => {
  const batch = commit(state, instrument)
  if (batch !== undefined) notify.batch(state, batch)
  notify.trades(state, instrument, fills.prints)
  for (const order of fills.changed) notify.orderChanged(state, order)
  for (const [account, list] of fills.byAccount) notify.userTrades(state, account, instrument, list)
}

// -------------------------------------------------------------------------------------------------------------------
// requests
// -------------------------------------------------------------------------------------------------------------------

const checkAmount = (instrument: Instrument, amount: number): Outcome | undefined => {
  const step = instrument.spec.minTradeAmount
  return amount > 0 && Math.abs(Math.round(amount / step) * step - amount) < step * 1e-9
    ? undefined
    : invalidParam("amount", `must be a positive multiple of ${step}`)
}

const limitTicks = (instrument: Instrument, price: number | undefined): number | Outcome => {
  if (price === undefined) return invalidParam("price", "must be present for limit orders")
  const ticks = priceToTicks(instrument, price)
  if (ticks === undefined || ticks <= 0) {
    return invalidParam("price", `must be a positive multiple of the tick size ${instrument.spec.tickSize}`)
  }
  return ticks
}

const postOnlyTicks = (instrument: Instrument, direction: "buy" | "sell", ticks: number): number => {
  const top = best(instrument, opposite(direction))
  if (top === undefined || !crosses(direction, top[0], ticks)) return ticks
  return direction === "buy" ? top[0] - 1 : top[0] + 1
}

/** `private/buy` and `private/sell`. @internal */
export const place = (
  state: State,
  connection: Connection,
  account: Account,
  direction: "buy" | "sell",
  params: OrderParams
): Outcome => {
  const instrument = state.instruments.get(params.instrument_name)
  if (instrument === undefined) return fail(13020, { param: "instrument_name", reason: "instrument not found" })
  const badAmount = checkAmount(instrument, params.amount)
  if (badAmount !== undefined) return badAmount
  const label = params.label ?? ""
  if (label.length > 64) return invalidParam("label", "must be at most 64 characters")
  const type = params.type ?? "limit"
  let priceTicks: number | undefined
  if (type === "limit") {
    const ticks = limitTicks(instrument, params.price)
    if (typeof ticks !== "number") return ticks
    priceTicks = params.post_only === true ? postOnlyTicks(instrument, direction, ticks) : ticks
  }
  const at = now(state)
  const order: OrderState = {
    id: `${instrument.spec.baseCurrency}-${state.nextOrderId++}`,
    account,
    connectionId: connection.id,
    instrument,
    direction,
    type,
    timeInForce: type === "market" ? "immediate_or_cancel" : params.time_in_force ?? "good_til_cancelled",
    label,
    postOnly: params.post_only ?? false,
    reduceOnly: params.reduce_only ?? false,
    createdAt: at,
    priceTicks,
    amount: params.amount,
    filled: 0,
    notional: 0,
    state: "open",
    updatedAt: at,
    replaced: false,
    cancelReason: undefined
  }
  state.orders.set(order.id, order)
  const trades = execute(state, order)
  return ok({ order: wire.order(order), trades })
}

const openOrderOf = (state: State, account: Account, id: string): OrderState | undefined => {
  const order = state.orders.get(id)
  return order !== undefined && order.account === account && order.state === "open" ? order : undefined
}

const notFound = (id: string): Outcome => fail(10004, { param: "order_id", reason: `no open order ${id}` })

/** `private/edit`: a new amount and/or price; a price change that crosses fills. @internal */
export const edit = (state: State, account: Account, params: EditParams): Outcome => {
  const order = openOrderOf(state, account, params.order_id)
  if (order === undefined) return notFound(params.order_id)
  const badAmount = checkAmount(order.instrument, params.amount)
  if (badAmount !== undefined) return badAmount
  if (params.amount <= order.filled) return invalidParam("amount", "must be more than the filled amount")
  let priceTicks = order.priceTicks
  if (params.price !== undefined) {
    const ticks = limitTicks(order.instrument, params.price)
    if (typeof ticks !== "number") return ticks
    priceTicks = order.postOnly ? postOnlyTicks(order.instrument, order.direction, ticks) : ticks
  }
  unrest(order)
  order.priceTicks = priceTicks
  order.amount = params.amount
  order.replaced = true
  order.updatedAt = now(state)
  const trades = execute(state, order)
  return ok({ order: wire.order(order), trades })
}

const cancelOrder = (state: State, order: OrderState, reason: string): void => {
  unrest(order)
  order.state = "cancelled"
  order.cancelReason = reason
  order.updatedAt = now(state)
  const batch = commit(state, order.instrument)
  if (batch !== undefined) notify.batch(state, batch)
  notify.orderChanged(state, order)
}

/** `private/cancel`. @internal */
export const cancel = (state: State, account: Account, id: string): Outcome => {
  const order = openOrderOf(state, account, id)
  if (order === undefined) return notFound(id)
  cancelOrder(state, order, "user_request")
  return ok(wire.order(order))
}

/** Cancels the open orders that `select` picks; returns how many. @internal */
export const cancelWhere = (state: State, select: (order: OrderState) => boolean, reason: string): number => {
  let count = 0
  for (const order of state.orders.values()) {
    if (order.state === "open" && select(order)) {
      cancelOrder(state, order, reason)
      count++
    }
  }
  return count
}

/** @internal */
export const openOrders = (state: State, account: Account, instrument: string): Array<DeribitChannels.Order> => {
  const out: Array<DeribitChannels.Order> = []
  for (const order of state.orders.values()) {
    if (order.account === account && order.state === "open" && order.instrument.spec.name === instrument) {
      out.push(wire.order(order))
    }
  }
  return out
}

/** @internal */
export const positions = (state: State, account: Account, currency: string | undefined) => {
  const out: Array<ReturnType<typeof wire.position>> = []
  for (const [name, p] of account.positions) {
    const instrument = state.instruments.get(name)
    if (instrument === undefined) continue
    if (currency !== undefined && currency !== "any" && instrument.spec.baseCurrency !== currency) continue
    out.push(wire.position(state, account, instrument, p))
  }
  return out
}
