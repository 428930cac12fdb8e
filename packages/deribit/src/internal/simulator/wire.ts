/**
 * The wire shapes the simulator sends for orders, positions and portfolios (exactly `DeribitChannels` /
 * `DeribitMethods` shapes), computed from its state.
 *
 * @since 0.1.0
 * @internal
 */
import type * as DeribitChannels from "../../DeribitChannels.js"
import type * as DeribitMethods from "../../DeribitMethods.js"
import { markPrice } from "./market.js"
import type { Account, Instrument, OrderState, Position, State } from "./state.js"
import { ticksToPrice } from "./state.js"

const initialMarginRate = 0.01
const maintenanceMarginRate = 0.005

const round = (n: number): number => Number(n.toFixed(10))

type PositionWire = typeof DeribitMethods.Position.Type

/** @internal */
export const order = (o: OrderState): DeribitChannels.Order => ({
  order_id: o.id,
  instrument_name: o.instrument.spec.name,
  direction: o.direction,
  price: o.priceTicks === undefined ? "market_price" : ticksToPrice(o.instrument, o.priceTicks),
  amount: o.amount,
  filled_amount: o.filled,
  average_price: o.filled > 0 ? round(o.notional / o.filled) : 0,
  order_state: o.state,
  order_type: o.type,
  time_in_force: o.timeInForce,
  label: o.label,
  creation_timestamp: o.createdAt,
  last_update_timestamp: o.updatedAt,
  post_only: o.postOnly,
  reduce_only: o.reduceOnly,
  api: true,
  web: false,
  replaced: o.replaced,
  is_liquidation: false,
  contracts: o.amount / o.instrument.spec.contractSize,
  ...(o.cancelReason !== undefined ? { cancel_reason: o.cancelReason } : {})
})

/** Unrealised profit of an inverse position, in coin. @internal */
const floating = (position: Position, mark: number): number =>
  position.size === 0 || position.averagePrice === 0 ? 0 : position.size * (1 / position.averagePrice - 1 / mark)

const openOrdersMargin = (state: State, account: Account, instrument: Instrument): number => {
  let margin = 0
  for (const o of state.orders.values()) {
    if (o.account !== account || o.instrument !== instrument || o.state !== "open" || o.priceTicks === undefined) {
      continue
    }
    margin += (o.amount - o.filled) / ticksToPrice(instrument, o.priceTicks) * initialMarginRate
  }
  return margin
}

/** @internal */
export const position = (
  state: State,
  account: Account,
  instrument: Instrument,
  p: Position
): PositionWire => {
  const mark = markPrice(instrument)
  const upl = floating(p, mark)
  const im = Math.abs(p.size) / mark * initialMarginRate
  return {
    instrument_name: instrument.spec.name,
    kind: "future",
    direction: p.size > 0 ? "buy" : p.size < 0 ? "sell" : "zero",
    size: p.size,
    size_currency: round(p.size / mark),
    average_price: round(p.averagePrice),
    mark_price: mark,
    index_price: mark,
    floating_profit_loss: round(upl),
    realized_profit_loss: round(p.realized),
    total_profit_loss: round(upl + p.realized),
    delta: round(p.size / mark),
    initial_margin: round(im),
    maintenance_margin: round(im * maintenanceMarginRate / initialMarginRate),
    open_orders_margin: round(openOrdersMargin(state, account, instrument)),
    settlement_price: instrument.spec.startPrice,
    leverage: 50,
    estimated_liquidation_price: null
  }
}

/** @internal */
export const portfolio = (state: State, account: Account, currency: string): DeribitChannels.Portfolio => {
  const balance = account.balances.get(currency) ?? 0
  let upl = 0
  let rpl = 0
  let im = 0
  let delta = 0
  for (const instrument of state.instruments.values()) {
    if (instrument.spec.baseCurrency !== currency) continue
    const mark = markPrice(instrument)
    const p = account.positions.get(instrument.spec.name)
    if (p !== undefined) {
      upl += floating(p, mark)
      rpl += p.realized
      im += Math.abs(p.size) / mark * initialMarginRate
      delta += p.size / mark
    }
    im += openOrdersMargin(state, account, instrument)
  }
  const equity = balance + upl
  return {
    currency,
    balance: round(balance),
    equity: round(equity),
    available_funds: round(equity - im),
    available_withdrawal_funds: round(Math.max(0, balance - im)),
    margin_balance: round(equity),
    initial_margin: round(im),
    maintenance_margin: round(im * maintenanceMarginRate / initialMarginRate),
    total_pl: round(upl + rpl),
    session_upl: round(upl),
    session_rpl: round(rpl),
    delta_total: round(delta),
    futures_pl: round(upl + rpl),
    options_pl: 0,
    projected_initial_margin: round(im),
    projected_maintenance_margin: round(im * maintenanceMarginRate / initialMarginRate)
  }
}

/** @internal */
export const notification = (channel: string, data: unknown, label: string | undefined): string =>
  JSON.stringify({
    jsonrpc: "2.0",
    method: "subscription",
    params: label === undefined ? { channel, data } : { channel, data, label }
  })

/** @internal */
export const instrument = (i: Instrument, createdAt: number): typeof DeribitMethods.Instrument.Type => ({
  instrument_name: i.spec.name,
  kind: "future",
  base_currency: i.spec.baseCurrency,
  quote_currency: "USD",
  counter_currency: "USD",
  settlement_currency: i.spec.baseCurrency,
  settlement_period: "perpetual",
  tick_size: i.spec.tickSize,
  min_trade_amount: i.spec.minTradeAmount,
  contract_size: i.spec.contractSize,
  is_active: true,
  creation_timestamp: createdAt,
  expiration_timestamp: 32503708800000,
  maker_commission: 0,
  taker_commission: 0.0005,
  price_index: `${i.spec.baseCurrency.toLowerCase()}_usd`,
  max_leverage: 50,
  future_type: "reversed",
  instrument_type: "reversed"
})
