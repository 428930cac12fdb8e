/**
 * The JSON-RPC venues' side of the wire: Deribit (`public/subscribe`, `public/auth`, errors as in its "Error Codes"
 * reference, 32 kB frames) and an Ethereum node (`eth_subscribe` with server-assigned ids, `eth_subscription` pushes).
 */
import * as Predicate from "effect/Predicate"
import type { Codec, Parsed, Refusal } from "./models.js"

const stamp = () => {
  const us = Date.now() * 1000
  return { usIn: us, usOut: us + 50, usDiff: 50, testnet: true }
}

const result = (id: unknown, value: unknown) => JSON.stringify({ jsonrpc: "2.0", id, result: value, ...stamp() })

const error = (id: unknown, code: number, message: string, data?: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id, error: { code, message, ...(data === undefined ? {} : { data }) }, ...stamp() })

const strings = (u: unknown): ReadonlyArray<string> =>
  Array.isArray(u) ? u.filter((c): c is string => typeof c === "string") : []

const deribitErrors: Readonly<Record<Refusal, readonly [number, string]>> = {
  private: [13009, "unauthorized"],
  unknown: [11050, "bad_request"],
  tooLarge: [-32600, "request entity too large"],
  tooMany: [11050, "bad_request"],
  credentials: [13004, "invalid_credentials"],
  transient: [10028, "too_many_requests"]
}

const subscribeMethods = new Set(["public/subscribe", "private/subscribe"])
const unsubscribeMethods = new Set(["public/unsubscribe", "private/unsubscribe"])

/** Deribit. */
export const deribit: Codec = {
  name: "jsonRpc",
  maxFrameBytes: 32 * 1024,
  maxChannelsPerRequest: Infinity,
  parse: (json) => {
    const method = json.method
    if (typeof method !== "string") return undefined
    const params = Predicate.isRecord(json.params) ? json.params : {}
    const op = subscribeMethods.has(method)
      ? "subscribe"
      : unsubscribeMethods.has(method)
      ? "unsubscribe"
      : method === "public/auth"
      ? "auth"
      : "other"
    return { op, ref: json.id, channels: strings(params.channels), json }
  },
  isPrivate: (channel) => channel.endsWith(".raw") || channel.startsWith("user."),
  verify: ({ json }, { credentials }) => {
    const params = Predicate.isRecord(json.params) ? json.params : {}
    return params.grant_type === "client_credentials" && params.client_id === credentials.key &&
      params.client_secret === credentials.secret
  },
  authed: (request) =>
    result(request.ref, {
      access_token: "sim-access-token",
      expires_in: 900,
      refresh_token: "sim-refresh-token",
      scope: "connection mainaccount",
      token_type: "bearer",
      enabled_features: []
    }),
  subscribed: (request, accepted, refused, session) => {
    const privateMethod = request.json.method === "private/subscribe"
    if (privateMethod && !session.authenticated) return error(request.ref, 13009, "unauthorized")
    // one refused channel fails the whole request (13778 for a `.raw` feed without auth) ...
    const denied = refused.find((r) => r.why === "private")
    if (denied !== undefined) {
      return denied.channel.endsWith(".raw")
        ? error(request.ref, 13778, "raw_subscriptions_not_available_for_unauthorized")
        : error(request.ref, 13009, "unauthorized", { reason: `no access to ${denied.channel}` })
    }
    // ... while a channel that does not exist is left out of the result ("check the list of channels returned")
    for (const channel of accepted) session.held.set(channel, "")
    return result(request.ref, accepted)
  },
  unsubscribed: (request, removed) => result(request.ref, removed),
  failed: (request, why) => {
    const [code, message] = deribitErrors[why]
    return error(request.ref, code, message)
  },
  other: (json) => {
    if (json === undefined || json.id === undefined || typeof json.method !== "string") return undefined
    switch (json.method) {
      case "public/test":
        return result(json.id, { version: "1.2.26" })
      case "public/set_heartbeat":
        return result(json.id, "ok")
      default:
        return result(json.id, { method: json.method })
    }
  },
  notification: (channel, data) => JSON.stringify({ jsonrpc: "2.0", method: "subscription", params: { channel, data } })
}

const ethKinds = new Set(["newHeads", "logs", "newPendingTransactions", "syncing"])

/** `["logs", {…}]` → `"logs:{…}"` (the client's naming). */
const ethName = (params: unknown): string | undefined => {
  if (!Array.isArray(params) || typeof params[0] !== "string") return undefined
  return params[1] === undefined ? params[0] : `${params[0]}:${JSON.stringify(params[1])}`
}

const ethErrors: Readonly<Record<Refusal, readonly [number, string]>> = {
  private: [-32601, "the method is not available"],
  unknown: [-32601, "no such subscription in eth namespace"],
  tooLarge: [-32600, "request too large"],
  tooMany: [-32600, "too many subscriptions in one request"],
  credentials: [-32601, "the method is not available"],
  transient: [-32005, "limit exceeded"]
}

/** An Ethereum node (geth-like). */
export const ethNode: Codec = {
  name: "ethSubscribe",
  maxFrameBytes: 32 * 1024 * 1024,
  maxChannelsPerRequest: 1,
  parse: (json): Parsed | undefined => {
    if (json.method === "eth_subscribe") {
      const name = ethName(json.params)
      return { op: "subscribe", ref: json.id, channels: name === undefined ? [] : [name], json }
    }
    if (json.method === "eth_unsubscribe") {
      return { op: "unsubscribe", ref: json.id, channels: strings(json.params), json }
    }
    return typeof json.method === "string" ? { op: "other", ref: json.id, channels: [], json } : undefined
  },
  isPrivate: () => false,
  exists: (channel) => ethKinds.has(channel.split(":")[0]!),
  release: (request, session) => {
    const ids = new Set(request.channels)
    const removed: Array<string> = []
    for (const [name, id] of session.held) {
      if (ids.has(id)) {
        session.held.delete(name)
        removed.push(name)
      }
    }
    return removed
  },
  verify: () => false,
  authed: () => undefined,
  subscribed: (request, accepted, refused, session, context) => {
    const [refusal] = refused
    const [channel] = accepted
    if (refusal !== undefined || channel === undefined) {
      const kind = (refusal?.channel ?? "").split(":")[0]
      return error(request.ref, -32601, `no "${kind}" subscription in eth namespace`)
    }
    const id = context.nextId()
    session.held.set(channel, id)
    return JSON.stringify({ jsonrpc: "2.0", id: request.ref, result: id })
  },
  unsubscribed: (request, removed) => JSON.stringify({ jsonrpc: "2.0", id: request.ref, result: removed.length > 0 }),
  failed: (request, why) => {
    const [code, message] = ethErrors[why]
    return JSON.stringify({ jsonrpc: "2.0", id: request.ref, error: { code, message } })
  },
  other: (json) => {
    if (json === undefined || json.id === undefined) return undefined
    return JSON.stringify({ jsonrpc: "2.0", id: json.id, result: json.method === "eth_blockNumber" ? "0x10" : null })
  },
  notification: (_channel, data, _session, id) =>
    JSON.stringify({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: id, result: data } })
}
