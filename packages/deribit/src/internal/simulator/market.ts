/**
 * The instruments' books (generated liquidity plus resting user orders, by price in ticks), the batches of level
 * changes that advance `change_id`, the ticker, and the random market generator.
 *
 * @since 0.1.0
 * @internal
 */
import type * as DeribitChannels from "../../DeribitChannels.js"
import type { Instrument, Level, Side, State } from "./state.js"
import { decimalsOf, now, ticksToPrice } from "./state.js"
import type { BookState, InstrumentSpec } from "./types.js"

/** @internal */
export const makeInstrument = (spec: InstrumentSpec, levels: number, at: number): Instrument => {
  const instrument: Instrument = {
    spec,
    decimals: decimalsOf(spec.tickSize),
    bids: new Map(),
    asks: new Map(),
    changeId: 1,
    updatedAt: at,
    touched: new Map(),
    lastPrice: undefined,
    lastTickDirection: 0,
    tradeSeq: 0,
    openInterest: 0,
    volume: 0,
    low: undefined,
    high: undefined
  }
  const mid = Math.round(spec.startPrice / spec.tickSize)
  for (let i = 1; i <= levels; i++) {
    instrument.bids.set(mid - 2 * i, { liquidity: spec.minTradeAmount * (10 + 3 * i), orders: [] })
    instrument.asks.set(mid + 2 * i, { liquidity: spec.minTradeAmount * (11 + 3 * i), orders: [] })
  }
  return instrument
}

// -------------------------------------------------------------------------------------------------------------------
// levels
// -------------------------------------------------------------------------------------------------------------------

/** @internal */
export const levelAmount = (level: Level | undefined): number => {
  if (level === undefined) return 0
  let amount = level.liquidity
  for (const order of level.orders) amount += order.amount - order.filled
  return amount
}

const key = (side: Side, ticks: number): string => `${side === "bids" ? "b" : "a"}:${ticks}`

const parseKey = (k: string): readonly [Side, number] => [k[0] === "b" ? "bids" : "asks", Number(k.slice(2))]

/** Records a level's amount before its first change in the current batch. Call before changing the level. @internal */
export const touch = (instrument: Instrument, side: Side, ticks: number): void => {
  const k = key(side, ticks)
  if (!instrument.touched.has(k)) instrument.touched.set(k, levelAmount(instrument[side].get(ticks)))
}

/** Drops a level that holds nothing. @internal */
export const prune = (instrument: Instrument, side: Side, ticks: number): void => {
  const level = instrument[side].get(ticks)
  if (level !== undefined && level.orders.length === 0 && level.liquidity <= 0) instrument[side].delete(ticks)
}

/** @internal */
export const levelFor = (instrument: Instrument, side: Side, ticks: number): Level => {
  let level = instrument[side].get(ticks)
  if (level === undefined) {
    level = { liquidity: 0, orders: [] }
    instrument[side].set(ticks, level)
  }
  return level
}

/** A committed batch: the level changes of one unit of work, with the change id it advanced to. @internal */
export interface Batch {
  readonly instrument: Instrument
  readonly changeId: number
  readonly prevChangeId: number
  readonly bids: Array<DeribitChannels.BookLevelChange>
  readonly asks: Array<DeribitChannels.BookLevelChange>
  /** level keys that changed, with each level's amount before the batch */
  readonly keys: ReadonlyArray<readonly [string, number]>
}

/** The action for a level that held `before` and holds `after`; undefined when nothing changed. @internal */
export const actionOf = (before: number, after: number): "new" | "change" | "delete" | undefined =>
  before > 0 ? (after > 0 ? (after !== before ? "change" : undefined) : "delete") : after > 0 ? "new" : undefined

/** Closes the current batch: undefined when no level really changed, otherwise the batch (change id advanced). @internal */
export const commit = (state: State, instrument: Instrument): Batch | undefined => {
  if (instrument.touched.size === 0) return undefined
  const bids: Array<DeribitChannels.BookLevelChange> = []
  const asks: Array<DeribitChannels.BookLevelChange> = []
  const keys: Array<readonly [string, number]> = []
  for (const [k, before] of instrument.touched) {
    const [side, ticks] = parseKey(k)
    const after = levelAmount(instrument[side].get(ticks))
    const action = actionOf(before, after)
    if (action === undefined) continue
    keys.push([k, before])
    const change: DeribitChannels.BookLevelChange = [action, ticksToPrice(instrument, ticks), after]
    if (side === "bids") bids.push(change)
    else asks.push(change)
  }
  instrument.touched.clear()
  if (keys.length === 0) return undefined
  bids.sort((a, b) => b[1] - a[1])
  asks.sort((a, b) => a[1] - b[1])
  const prevChangeId = instrument.changeId
  instrument.changeId += 1
  instrument.updatedAt = now(state)
  return { instrument, changeId: instrument.changeId, prevChangeId, bids, asks, keys }
}

/** A level key's change since it held `before`, as `[side, [action, price, amount]]`. @internal */
export const changeFor = (
  instrument: Instrument,
  k: string,
  before: number
): readonly [Side, DeribitChannels.BookLevelChange] | undefined => {
  const [side, ticks] = parseKey(k)
  const after = levelAmount(instrument[side].get(ticks))
  const action = actionOf(before, after)
  if (action === undefined) return undefined
  return [side, [action, ticksToPrice(instrument, ticks), after]]
}

// -------------------------------------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------------------------------------

/** Levels best first, as `[ticks, amount]`. @internal */
export const sortedLevels = (instrument: Instrument, side: Side): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  for (const [ticks, level] of instrument[side]) {
    const amount = levelAmount(level)
    if (amount > 0) out.push([ticks, amount])
  }
  out.sort(side === "bids" ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0])
  return out
}

/** @internal */
export const best = (instrument: Instrument, side: Side): readonly [number, number] | undefined => {
  let bestTicks: number | undefined
  let amount = 0
  for (const [ticks, level] of instrument[side]) {
    const a = levelAmount(level)
    if (a <= 0) continue
    if (bestTicks === undefined || (side === "bids" ? ticks > bestTicks : ticks < bestTicks)) {
      bestTicks = ticks
      amount = a
    }
  }
  return bestTicks === undefined ? undefined : [bestTicks, amount]
}

/** @internal */
export const bookState = (instrument: Instrument): BookState => ({
  instrument: instrument.spec.name,
  changeId: instrument.changeId,
  timestamp: instrument.updatedAt,
  bids: sortedLevels(instrument, "bids").map(([t, a]) => [ticksToPrice(instrument, t), a] as const),
  asks: sortedLevels(instrument, "asks").map(([t, a]) => [ticksToPrice(instrument, t), a] as const)
})

/** @internal */
export const snapshot = (state: State, instrument: Instrument): DeribitChannels.BookSnapshot => {
  const book = bookState(instrument)
  return {
    type: "snapshot",
    timestamp: now(state),
    instrument_name: book.instrument,
    change_id: book.changeId,
    bids: book.bids.map(([p, a]) => ["new", p, a] as const),
    asks: book.asks.map(([p, a]) => ["new", p, a] as const)
  }
}

/** @internal */
export const markPrice = (instrument: Instrument): number => {
  const bid = best(instrument, "bids")
  const ask = best(instrument, "asks")
  if (bid !== undefined && ask !== undefined) {
    return Number(((bid[0] + ask[0]) / 2 * instrument.spec.tickSize).toFixed(instrument.decimals + 1))
  }
  return instrument.lastPrice ?? instrument.spec.startPrice
}

/** @internal */
export const ticker = (state: State, instrument: Instrument): DeribitChannels.Ticker => {
  const bid = best(instrument, "bids")
  const ask = best(instrument, "asks")
  const mark = markPrice(instrument)
  const band = (factor: number) => ticksToPrice(instrument, Math.round(mark * factor / instrument.spec.tickSize))
  return {
    timestamp: now(state),
    instrument_name: instrument.spec.name,
    state: "open",
    best_bid_price: bid === undefined ? null : ticksToPrice(instrument, bid[0]),
    best_bid_amount: bid?.[1] ?? 0,
    best_ask_price: ask === undefined ? null : ticksToPrice(instrument, ask[0]),
    best_ask_amount: ask?.[1] ?? 0,
    last_price: instrument.lastPrice ?? null,
    mark_price: mark,
    index_price: mark,
    open_interest: instrument.openInterest,
    min_price: band(0.985),
    max_price: band(1.015),
    settlement_price: instrument.spec.startPrice,
    estimated_delivery_price: mark,
    current_funding: 0,
    funding_8h: 0,
    interest_value: 0,
    stats: {
      volume: instrument.volume,
      volume_usd: instrument.volume,
      price_change: null,
      low: instrument.low ?? null,
      high: instrument.high ?? null
    }
  }
}

// -------------------------------------------------------------------------------------------------------------------
// trades
// -------------------------------------------------------------------------------------------------------------------

/** Records a print at `ticks` and returns the public trade. @internal */
export const print = (
  state: State,
  instrument: Instrument,
  direction: "buy" | "sell",
  ticks: number,
  amount: number
): DeribitChannels.Trade => {
  const price = ticksToPrice(instrument, ticks)
  const previous = instrument.lastPrice
  instrument.lastTickDirection = previous === undefined || price === previous
    ? (instrument.lastTickDirection === 0 || instrument.lastTickDirection === 1 ? 1 : 3)
    : price > previous
    ? 0
    : 2
  instrument.lastPrice = price
  instrument.tradeSeq += 1
  instrument.volume += amount
  instrument.low = instrument.low === undefined ? price : Math.min(instrument.low, price)
  instrument.high = instrument.high === undefined ? price : Math.max(instrument.high, price)
  const mark = markPrice(instrument)
  return {
    trade_id: `${instrument.spec.baseCurrency}-${state.nextTradeId++}`,
    trade_seq: instrument.tradeSeq,
    timestamp: now(state),
    instrument_name: instrument.spec.name,
    direction,
    price,
    amount,
    tick_direction: instrument.lastTickDirection,
    mark_price: mark,
    index_price: mark,
    contracts: amount / instrument.spec.contractSize
  }
}

// -------------------------------------------------------------------------------------------------------------------
// generator
// -------------------------------------------------------------------------------------------------------------------

const randomInt = (state: State, min: number, max: number): number => min + Math.floor(state.random() * (max - min + 1))

const liquidityLevels = (instrument: Instrument, side: Side): Array<number> => {
  const out: Array<number> = []
  for (const [ticks, level] of instrument[side]) if (level.liquidity > 0) out.push(ticks)
  return out
}

const randomChange = (state: State, instrument: Instrument): void => {
  const side: Side = state.random() < 0.5 ? "bids" : "asks"
  const existing = liquidityLevels(instrument, side)
  const r = state.random()
  const step = instrument.spec.minTradeAmount
  if (existing.length > 0 && r < 0.45) {
    const ticks = existing[randomInt(state, 0, existing.length - 1)]
    touch(instrument, side, ticks)
    levelFor(instrument, side, ticks).liquidity = step * randomInt(state, 1, 60)
    return
  }
  if (existing.length > 3 && r < 0.7) {
    const ticks = existing[randomInt(state, 0, existing.length - 1)]
    touch(instrument, side, ticks)
    levelFor(instrument, side, ticks).liquidity = 0
    prune(instrument, side, ticks)
    return
  }
  const mid = Math.round(markPrice(instrument) / instrument.spec.tickSize)
  const bid = best(instrument, "bids")?.[0]
  const ask = best(instrument, "asks")?.[0]
  const offset = randomInt(state, 1, 12)
  const ticks = side === "bids"
    ? Math.min(mid - offset, (ask ?? mid + 1) - 1)
    : Math.max(mid + offset, (bid ?? mid - 1) + 1)
  touch(instrument, side, ticks)
  levelFor(instrument, side, ticks).liquidity += step * randomInt(state, 1, 40)
}

const randomTrade = (state: State, instrument: Instrument): DeribitChannels.Trade | undefined => {
  const side: Side = state.random() < 0.5 ? "bids" : "asks"
  const top = best(instrument, side)
  if (top === undefined) return undefined
  const level = levelFor(instrument, side, top[0])
  if (level.liquidity <= 0) return undefined
  const amount = Math.min(level.liquidity, instrument.spec.minTradeAmount * randomInt(state, 1, 20))
  touch(instrument, side, top[0])
  level.liquidity -= amount
  prune(instrument, side, top[0])
  return print(state, instrument, side === "bids" ? "sell" : "buy", top[0], amount)
}

/** One generator step for one instrument: a few level changes and maybe a trade. @internal */
export const generate = (state: State, instrument: Instrument): Array<DeribitChannels.Trade> => {
  const trades: Array<DeribitChannels.Trade> = []
  for (let i = 0; i < state.options.market.changesPerTick; i++) randomChange(state, instrument)
  if (state.random() < state.options.market.tradeProbability) {
    const trade = randomTrade(state, instrument)
    if (trade !== undefined) trades.push(trade)
  }
  return trades
}
