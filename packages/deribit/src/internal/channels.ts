/**
 * Channel names: the grammar of the channels this package knows, parsed and formatted. Shared by `DeribitChannels`
 * and the simulator (which accepts exactly what `parse` accepts).
 *
 * @since 0.1.0
 * @internal
 */

/** @internal */
export type Interval = "raw" | "100ms" | "agg2"

/** @internal */
export type Kind = "future" | "option" | "spot" | "future_combo" | "option_combo" | "any"

/** @internal */
export type Target =
  | { readonly _tag: "Instrument"; readonly instrument: string }
  | { readonly _tag: "KindCurrency"; readonly kind: Kind; readonly currency: string }

/** @internal */
export type Channel =
  | { readonly _tag: "Ticker"; readonly instrument: string; readonly interval: Interval }
  | { readonly _tag: "Book"; readonly instrument: string; readonly interval: Interval }
  | { readonly _tag: "Trades"; readonly target: Target; readonly interval: Interval }
  | { readonly _tag: "UserOrders"; readonly target: Target; readonly interval: Interval }
  | { readonly _tag: "UserTrades"; readonly target: Target; readonly interval: Interval }
  | { readonly _tag: "UserPortfolio"; readonly currency: string }

const intervals: ReadonlySet<string> = new Set(["raw", "100ms", "agg2"])
const kinds: ReadonlySet<string> = new Set(["future", "option", "spot", "future_combo", "option_combo", "any"])

const isInterval = (s: string | undefined): s is Interval => s !== undefined && intervals.has(s)
const isKind = (s: string | undefined): s is Kind => s !== undefined && kinds.has(s)
const isName = (s: string | undefined): s is string => s !== undefined && s.length > 0

const target = (parts: ReadonlyArray<string>): Target | undefined => {
  if (parts.length === 1 && isName(parts[0])) return { _tag: "Instrument", instrument: parts[0] }
  if (parts.length === 2 && isKind(parts[0]) && isName(parts[1])) {
    return { _tag: "KindCurrency", kind: parts[0], currency: parts[1] }
  }
  return undefined
}

const withTarget = <Tag extends "Trades" | "UserOrders" | "UserTrades">(
  tag: Tag,
  parts: ReadonlyArray<string>
): Channel | undefined => {
  const interval = parts[parts.length - 1]
  const t = target(parts.slice(0, -1))
  return t !== undefined && isInterval(interval) ? { _tag: tag, target: t, interval } as Channel : undefined
}

/** @internal */
export const parse = (name: string): Channel | undefined => {
  const parts = name.split(".")
  switch (parts[0]) {
    case "ticker":
    case "book": {
      if (parts.length !== 3 || !isName(parts[1]) || !isInterval(parts[2])) return undefined
      return { _tag: parts[0] === "ticker" ? "Ticker" : "Book", instrument: parts[1], interval: parts[2] }
    }
    case "trades":
      return withTarget("Trades", parts.slice(1))
    case "user": {
      if (parts[1] === "orders") return withTarget("UserOrders", parts.slice(2))
      if (parts[1] === "trades") return withTarget("UserTrades", parts.slice(2))
      if (parts[1] === "portfolio" && parts.length === 3 && isName(parts[2])) {
        return { _tag: "UserPortfolio", currency: parts[2] }
      }
      return undefined
    }
    default:
      return undefined
  }
}

const formatTarget = (t: Target): string => t._tag === "Instrument" ? t.instrument : `${t.kind}.${t.currency}`

/** @internal */
export const format = (channel: Channel): string => {
  switch (channel._tag) {
    case "Ticker":
      return `ticker.${channel.instrument}.${channel.interval}`
    case "Book":
      return `book.${channel.instrument}.${channel.interval}`
    case "Trades":
      return `trades.${formatTarget(channel.target)}.${channel.interval}`
    case "UserOrders":
      return `user.orders.${formatTarget(channel.target)}.${channel.interval}`
    case "UserTrades":
      return `user.trades.${formatTarget(channel.target)}.${channel.interval}`
    case "UserPortfolio":
      return `user.portfolio.${channel.currency}`
  }
}

/** @internal */
export const toTarget = (selector: string | { readonly kind: Kind; readonly currency: string }): Target =>
  typeof selector === "string"
    ? { _tag: "Instrument", instrument: selector }
    : { _tag: "KindCurrency", kind: selector.kind, currency: selector.currency }

/** @internal */
export const isPrivateName = (name: string): boolean => name.startsWith("user.")

/** @internal */
export const isRawName = (name: string): boolean => name.endsWith(".raw")
