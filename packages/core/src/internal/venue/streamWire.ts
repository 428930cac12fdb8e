/**
 * Coinbase Advanced Trade and Kraken v2, the venue side: Coinbase's one-channel subscribe acked by a `subscriptions`
 * message listing everything held (and signed by a `jwt` for private channels), Kraken's per-symbol acks and errors
 * (private channels take a `token` param).
 */
import * as Predicate from "effect/Predicate"
import { joinName, splitName } from "../dialect/common.js"
import type { Codec, Parsed, Refusal, Session } from "./models.js"

const strings = (u: unknown): ReadonlyArray<string> =>
  Array.isArray(u) ? u.filter((c): c is string => typeof c === "string") : []

// ---- Coinbase ----

/** The channel a push of each kind arrives on, and how it carries its product. */
const coinbasePushes: Readonly<Record<string, readonly [channel: string, entries: string | undefined]>> = {
  level2: ["l2_data", undefined],
  ticker: ["ticker", "tickers"],
  ticker_batch: ["ticker_batch", "tickers"],
  market_trades: ["market_trades", "trades"],
  candles: ["candles", "candles"]
}

const coinbasePrivate = new Set(["user", "futures_balance_summary"])

const coinbaseErrors: Readonly<Record<Refusal, string>> = {
  private: "authentication failure",
  unknown: "Failed to subscribe",
  tooLarge: "message too large",
  tooMany: "too many products",
  credentials: "authentication failure",
  transient: "rate limit exceeded"
}

const envelope = (session: Session, channel: string, events: ReadonlyArray<unknown>) =>
  JSON.stringify({
    channel,
    client_id: "",
    timestamp: new Date().toISOString(),
    sequence_num: session.sequence++,
    events
  })

/** Everything the session holds, as a `subscriptions` message. */
const subscriptionsOf = (session: Session) => {
  const byKind: Record<string, Array<string>> = {}
  for (const channel of session.held.keys()) {
    const [kind, product] = splitName(channel)
    const products = (byKind[kind] ??= [])
    if (product !== undefined) products.push(product)
  }
  return envelope(session, "subscriptions", [{ subscriptions: byKind }])
}

export const coinbase: Codec = {
  name: "coinbase",
  maxFrameBytes: 64 * 1024,
  maxChannelsPerRequest: Infinity,
  parse: (json) => {
    if (json.type !== "subscribe" && json.type !== "unsubscribe") return undefined
    const kind = typeof json.channel === "string" ? json.channel : ""
    const products = strings(json.product_ids)
    const channels = products.length === 0 ? [kind] : products.map((p) => joinName(kind, p))
    return { op: json.type, ref: undefined, channels, json }
  },
  isPrivate: (channel) => coinbasePrivate.has(splitName(channel)[0]),
  authorizes: ({ json }, { credentials }) => json.jwt === credentials.secret,
  verify: () => false,
  authed: () => undefined,
  subscribed: (_request, accepted, refused, session) => {
    const [refusal] = refused
    if (refusal !== undefined) {
      return JSON.stringify({ type: "error", message: coinbaseErrors[refusal.why], reason: refusal.channel })
    }
    for (const channel of accepted) session.held.set(channel, "")
    return subscriptionsOf(session)
  },
  unsubscribed: (_request, _removed, session) => subscriptionsOf(session),
  failed: (_request, why) => JSON.stringify({ type: "error", message: coinbaseErrors[why] }),
  other: () => undefined,
  notification: (channel, data, session) => {
    const [kind, product] = splitName(channel)
    const push = coinbasePushes[kind]
    const payload = Predicate.isRecord(data) ? data : { value: data }
    if (push === undefined) return envelope(session, kind, [{ type: "update", ...payload }])
    const [pushChannel, entries] = push
    return envelope(
      session,
      pushChannel,
      entries === undefined
        ? [{ type: "update", product_id: product, updates: [payload] }]
        : [{ type: "update", [entries]: [{ product_id: product, ...payload }] }]
    )
  }
}

// ---- Kraken v2 ----

const krakenPrivate = new Set(["executions", "balances", "level3"])

const krakenErrors: Readonly<Record<Refusal, string>> = {
  private: "EGeneral:Permission denied",
  unknown: "Currency pair not supported",
  tooLarge: "EGeneral:Invalid arguments:request too large",
  tooMany: "EGeneral:Invalid arguments:too many symbols",
  credentials: "EAPI:Invalid token",
  transient: "EGeneral:Too many requests"
}

const times = () => {
  const now = new Date().toISOString()
  return { time_in: now, time_out: now }
}

const krakenAck = (method: string, request: Parsed, channel: string) => {
  const [kind, symbol] = splitName(channel)
  return JSON.stringify({
    method,
    result: {
      channel: kind,
      ...(symbol === undefined ? {} : { symbol }),
      ...(method === "subscribe" ? { snapshot: true } : {})
    },
    success: true,
    ...times(),
    req_id: request.ref
  })
}

const krakenError = (method: unknown, request: Parsed, error: string, symbol?: string) =>
  JSON.stringify({
    method,
    error: symbol === undefined ? error : `${error} ${symbol}`,
    success: false,
    ...(symbol === undefined ? {} : { symbol }),
    ...times(),
    req_id: request.ref
  })

export const krakenV2: Codec = {
  name: "krakenV2",
  maxFrameBytes: 64 * 1024,
  maxChannelsPerRequest: Infinity,
  parse: (json) => {
    if (json.method !== "subscribe" && json.method !== "unsubscribe") {
      return typeof json.method === "string" ? { op: "other", ref: json.req_id, channels: [], json } : undefined
    }
    const params = Predicate.isRecord(json.params) ? json.params : {}
    const kind = typeof params.channel === "string" ? params.channel : ""
    const symbols = strings(params.symbol)
    const channels = symbols.length === 0 ? [kind] : symbols.map((s) => joinName(kind, s))
    return { op: json.method, ref: json.req_id, channels, json }
  },
  isPrivate: (channel) => krakenPrivate.has(splitName(channel)[0]),
  authorizes: ({ json }, { credentials }) =>
    Predicate.isRecord(json.params) && json.params.token === credentials.secret,
  verify: () => false,
  authed: () => undefined,
  subscribed: (request, accepted, refused, session) => {
    // one ack per symbol: a refused symbol fails alone; a refused channel without symbols fails the request
    const replies: Array<string> = []
    for (const channel of accepted) {
      session.held.set(channel, "")
      replies.push(krakenAck("subscribe", request, channel))
    }
    for (const { channel, why } of refused) {
      replies.push(krakenError("subscribe", request, krakenErrors[why], splitName(channel)[1]))
    }
    return replies
  },
  unsubscribed: (request) => request.channels.map((channel) => krakenAck("unsubscribe", request, channel)),
  failed: (request, why) => krakenError(request.json.method, request, krakenErrors[why]),
  other: (json) =>
    json?.method === "ping" ? JSON.stringify({ method: "pong", req_id: json.req_id, ...times() }) : undefined,
  notification: (channel, data) => {
    const [kind, symbol] = splitName(channel)
    const payload = Predicate.isRecord(data) ? data : { value: data }
    return JSON.stringify({
      channel: kind,
      type: "update",
      data: [symbol === undefined ? payload : { symbol, ...payload }]
    })
  }
}
