/**
 * Notifications: routes book batches, tickers, trades, order and portfolio changes to the subscriptions that want them,
 * now (`raw`) or at their interval (`100ms`, `agg2`), through the outbox.
 *
 * @since 0.1.0
 * @internal
 */
import type * as DeribitChannels from "../../DeribitChannels.js"
import type { Batch } from "./market.js"
import { changeFor, snapshot, ticker } from "./market.js"
import type { Account, Connection, Instrument, OrderState, State, Subscription } from "./state.js"
import { accountOf, now } from "./state.js"
import * as wire from "./wire.js"

/** Queues a frame; it goes out when the current unit of work ends (`flushOutbox`). @internal */
export const queue = (state: State, connection: Connection, frame: string): void => {
  state.outbox.push([connection, frame])
}

const send = (state: State, connection: Connection, sub: Subscription, data: unknown): void =>
  queue(state, connection, wire.notification(sub.name, data, sub.label))

const targetMatches = (target: DeribitChannels.Target, instrument: Instrument): boolean =>
  target._tag === "Instrument"
    ? target.instrument === instrument.spec.name
    : (target.kind === "any" || target.kind === "future") &&
      (target.currency === "any" || target.currency === instrument.spec.baseCurrency)

const instrumentOf = (sub: Subscription): string | undefined =>
  sub.channel._tag === "Ticker" || sub.channel._tag === "Book" ? sub.channel.instrument : undefined

const intervalOf = (sub: Subscription): DeribitChannels.Interval | undefined =>
  "interval" in sub.channel ? sub.channel.interval : undefined

// -------------------------------------------------------------------------------------------------------------------
// book
// -------------------------------------------------------------------------------------------------------------------

type BookSubscription = Subscription & { readonly _tag: "Book" }

const sendChange = (
  state: State,
  connection: Connection,
  sub: BookSubscription,
  instrument: Instrument,
  bids: ReadonlyArray<DeribitChannels.BookLevelChange>,
  asks: ReadonlyArray<DeribitChannels.BookLevelChange>
): void => {
  const prev = sub.lastChangeId
  sub.lastChangeId = instrument.changeId
  if (sub.skipNext) {
    sub.skipNext = false
    return
  }
  send(state, connection, sub, {
    type: "change",
    timestamp: now(state),
    instrument_name: instrument.spec.name,
    change_id: instrument.changeId,
    prev_change_id: prev,
    bids,
    asks
  })
}

/** @internal */
export const sendSnapshot = (state: State, connection: Connection, sub: BookSubscription, instrument: Instrument) => {
  sub.pending.clear()
  sub.lastChangeId = instrument.changeId
  send(state, connection, sub, snapshot(state, instrument))
}

const flushBook = (state: State, connection: Connection, sub: BookSubscription, instrument: Instrument): void => {
  if (sub.lastChangeId === instrument.changeId) return
  const bids: Array<DeribitChannels.BookLevelChange> = []
  const asks: Array<DeribitChannels.BookLevelChange> = []
  for (const [k, before] of sub.pending) {
    const change = changeFor(instrument, k, before)
    if (change === undefined) continue
    if (change[0] === "bids") bids.push(change[1])
    else asks.push(change[1])
  }
  sub.pending.clear()
  bids.sort((a, b) => b[1] - a[1])
  asks.sort((a, b) => a[1] - b[1])
  sendChange(state, connection, sub, instrument, bids, asks)
}

/** Routes a committed batch: `raw` book subscriptions get it now, the others remember the levels it touched. @internal */
export const batch = (state: State, b: Batch): void => {
  const name = b.instrument.spec.name
  for (const connection of state.connections.values()) {
    for (const sub of connection.subscriptions.values()) {
      if (instrumentOf(sub) !== name) continue
      if (sub._tag === "Book") {
        if (sub.channel.interval === "raw") {
          sendChange(state, connection, sub, b.instrument, b.bids, b.asks)
        } else {
          for (const [k, before] of b.keys) if (!sub.pending.has(k)) sub.pending.set(k, before)
        }
      } else if (sub.channel._tag === "Ticker" && sub.channel.interval === "raw") {
        send(state, connection, sub, ticker(state, b.instrument))
      }
    }
  }
}

// -------------------------------------------------------------------------------------------------------------------
// items: trades, user orders, user trades
// -------------------------------------------------------------------------------------------------------------------

const items = (
  state: State,
  connection: Connection,
  sub: Subscription,
  instrument: Instrument,
  tag: "Trades" | "UserOrders" | "UserTrades",
  values: ReadonlyArray<unknown>,
  single: boolean
): void => {
  if (sub._tag !== "Items" || sub.channel._tag !== tag || !targetMatches(sub.channel.target, instrument)) return
  if (sub.channel.interval !== "raw") {
    sub.pending.push(...values)
  } else if (single) {
    for (const value of values) send(state, connection, sub, value)
  } else {
    send(state, connection, sub, values)
  }
}

/** @internal */
export const trades = (state: State, instrument: Instrument, list: ReadonlyArray<DeribitChannels.Trade>): void => {
  if (list.length === 0) return
  for (const connection of state.connections.values()) {
    for (const sub of connection.subscriptions.values()) {
      items(state, connection, sub, instrument, "Trades", list, false)
    }
  }
}

const ofAccount = function*(state: State, account: Account): Generator<Connection> {
  for (const connection of state.connections.values()) if (accountOf(connection) === account) yield connection
}

/** An order changed: `user.orders.*` subscriptions of its account hear of it; its portfolio is due. @internal */
export const orderChanged = (state: State, order: OrderState): void => {
  state.dirtyPortfolios.add(order.account)
  const value = wire.order(order)
  for (const connection of ofAccount(state, order.account)) {
    for (const sub of connection.subscriptions.values()) {
      items(state, connection, sub, order.instrument, "UserOrders", [value], true)
    }
  }
}

/** @internal */
export const userTrades = (
  state: State,
  account: Account,
  instrument: Instrument,
  list: ReadonlyArray<DeribitChannels.UserTrade>
): void => {
  if (list.length === 0) return
  state.dirtyPortfolios.add(account)
  for (const connection of ofAccount(state, account)) {
    for (const sub of connection.subscriptions.values()) {
      items(state, connection, sub, instrument, "UserTrades", list, false)
    }
  }
}

const portfolios = (state: State): void => {
  for (const account of state.dirtyPortfolios) {
    for (const connection of ofAccount(state, account)) {
      for (const sub of connection.subscriptions.values()) {
        if (sub.channel._tag !== "UserPortfolio") continue
        send(state, connection, sub, wire.portfolio(state, account, sub.channel.currency))
      }
    }
  }
  state.dirtyPortfolios.clear()
}

// -------------------------------------------------------------------------------------------------------------------
// intervals
// -------------------------------------------------------------------------------------------------------------------

const latestPerOrder = (values: ReadonlyArray<unknown>): Array<unknown> => {
  const byId = new Map<string, unknown>()
  for (const v of values) byId.set((v as DeribitChannels.Order).order_id, v)
  return Array.from(byId.values())
}

/** The tick: flushes `100ms` subscriptions, and `agg2` ones once per 2 s of ticks. @internal */
export const interval = (state: State): void => {
  const agg2 = state.ticks % Math.max(1, Math.round(2_000 / state.options.market.tickMs)) === 0
  for (const connection of state.connections.values()) {
    for (const sub of connection.subscriptions.values()) {
      const every = intervalOf(sub)
      if (every === undefined || every === "raw" || (every === "agg2" && !agg2)) continue
      const name = instrumentOf(sub)
      const instrument = name === undefined ? undefined : state.instruments.get(name)
      if (sub._tag === "Book" && instrument !== undefined) {
        flushBook(state, connection, sub, instrument)
      } else if (sub._tag === "Items" && sub.pending.length > 0) {
        const values = sub.channel._tag === "UserOrders" ? latestPerOrder(sub.pending) : sub.pending.slice()
        sub.pending.length = 0
        send(state, connection, sub, values)
      } else if (sub.channel._tag === "Ticker" && instrument !== undefined) {
        send(state, connection, sub, ticker(state, instrument))
      }
    }
  }
}

/** Sends what the unit of work queued, in order; portfolios of changed accounts last. @internal */
export const flushOutbox = (state: State, write: (connection: Connection, frame: string) => void): void => {
  if (state.dirtyPortfolios.size > 0) portfolios(state)
  if (state.outbox.length === 0) return
  const frames = state.outbox.splice(0, state.outbox.length)
  for (const [connection, frame] of frames) if (connection.open) write(connection, frame)
}
