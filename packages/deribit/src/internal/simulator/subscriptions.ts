/**
 * `public/subscribe`, `private/subscribe` and the unsubscribe methods: which channels are accepted, `.raw` without
 * auth (13778), and the book snapshot that starts every book subscription.
 *
 * @since 0.1.0
 * @internal
 */
import type * as DeribitChannels from "../../DeribitChannels.js"
import * as channels from "../channels.js"
import * as notify from "./notify.js"
import type { Outcome } from "./outcome.js"
import { fail, ok } from "./outcome.js"
import type { Connection, State, Subscription } from "./state.js"
import { now } from "./state.js"

const currencies = (state: State): Set<string> => {
  const out = new Set<string>(["any"])
  for (const instrument of state.instruments.values()) out.add(instrument.spec.baseCurrency)
  return out
}

const known = (state: State, channel: DeribitChannels.Channel): boolean => {
  switch (channel._tag) {
    case "Ticker":
    case "Book":
      return state.instruments.has(channel.instrument)
    case "Trades":
    case "UserOrders":
    case "UserTrades":
      return channel.target._tag === "Instrument"
        ? state.instruments.has(channel.target.instrument)
        : currencies(state).has(channel.target.currency)
    case "UserPortfolio":
      return currencies(state).has(channel.currency)
  }
}

const authenticated = (state: State, connection: Connection): boolean =>
  connection.auth !== undefined && !connection.auth.accessToken.revoked &&
  now(state) < connection.auth.accessToken.expiresAt

const makeSubscription = (
  name: string,
  channel: DeribitChannels.Channel,
  label: string | undefined
): Subscription => {
  switch (channel._tag) {
    case "Book":
      return { _tag: "Book", name, channel, label, lastChangeId: 0, pending: new Map(), skipNext: false }
    case "Trades":
    case "UserOrders":
    case "UserTrades":
      return { _tag: "Items", name, channel, label, pending: [] }
    default:
      return { _tag: "Plain", name, channel, label }
  }
}

/**
 * Subscribes the channels this connection may have and answers the list of those. A `.raw` channel without auth
 * rejects the whole request with 13778 (`rawWithoutAuth: "rejectRequest"`, what Deribit was seen doing) or is left
 * out of the list (`"dropChannel"`). Unknown names or instruments, and `user.*` channels on `public/subscribe`, are
 * left out. Subscribing a book channel again sends a fresh snapshot.
 *
 * @internal
 */
export const subscribe = (
  state: State,
  connection: Connection,
  params: { readonly channels: ReadonlyArray<string>; readonly label?: string | undefined },
  privateCall: boolean
): Outcome => {
  const accepted: Array<readonly [string, DeribitChannels.Channel]> = []
  const seen = new Set<string>()
  const authed = authenticated(state, connection)
  for (const name of params.channels) {
    if (seen.has(name)) continue
    seen.add(name)
    const channel = channels.parse(name)
    if (channel === undefined || !known(state, channel)) continue
    if (channels.isPrivateName(name) && !privateCall) continue
    if (channels.isRawName(name) && !authed) {
      if (state.options.rawWithoutAuth === "rejectRequest") return fail(13778, { channel: name })
      continue
    }
    accepted.push([name, channel])
  }
  for (const [name, channel] of accepted) {
    const label = privateCall && channels.isPrivateName(name) ? params.label : undefined
    const sub = connection.subscriptions.get(name) ?? makeSubscription(name, channel, label)
    connection.subscriptions.set(name, sub)
    if (sub._tag === "Book") {
      const instrument = state.instruments.get(sub.channel.instrument)
      if (instrument !== undefined) notify.sendSnapshot(state, connection, sub, instrument)
    }
  }
  if (accepted.length > 0) state.wake.unsafeOpen()
  return ok(accepted.map(([name]) => name))
}

/** Answers the channels that were subscribed and are not any more. @internal */
export const unsubscribe = (connection: Connection, names: ReadonlyArray<string>): Outcome => {
  const removed: Array<string> = []
  for (const name of names) if (connection.subscriptions.delete(name)) removed.push(name)
  return ok(removed)
}

/** @internal */
export const unsubscribeAll = (connection: Connection): Outcome => {
  connection.subscriptions.clear()
  return ok("ok")
}
