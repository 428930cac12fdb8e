/**
 * OKX v5 and Bybit v5, the venue side: `op`-based requests, OKX's per-arg acks and `event: error`, Bybit's one ack per
 * request with `success`/`ret_msg`, and both venues' signed logins.
 */
import * as Predicate from "effect/Predicate"
import { createHmac } from "node:crypto"
import { argOf, nameOf } from "../dialect/okx.js"
import type { Codec, Parsed, Refusal, Session } from "./models.js"

const hmac = (secret: string, text: string) => createHmac("sha256", secret).update(text)

const connIdOf = (session: Session) => `sim${session.connection.id.toString(16).padStart(6, "0")}`

// ---- OKX ----

const okxPrivate = new Set(["account", "positions", "orders", "balance_and_position", "orders-algo", "fills"])

const okxErrors: Readonly<Record<Refusal, readonly [string, string]>> = {
  private: ["60011", "Please log in"],
  unknown: ["60018", "Wrong URL or channel doesn't exist."],
  tooLarge: ["60012", "Invalid request: the request is over 64 KB"],
  tooMany: ["60012", "Invalid request: too many args"],
  credentials: ["60009", "Login failed."],
  transient: ["60014", "Requests too frequent."]
}

const okxError = (ref: unknown, session: Session, [code, msg]: readonly [string, string]) =>
  JSON.stringify({ ...(ref === undefined ? {} : { id: ref }), event: "error", code, msg, connId: connIdOf(session) })

const okxAcks = (event: string, request: Parsed, channels: ReadonlyArray<string>, session: Session) =>
  channels.map((channel) =>
    JSON.stringify({
      ...(request.ref === undefined ? {} : { id: request.ref }),
      event,
      arg: argOf(channel),
      connId: connIdOf(session)
    })
  )

/** The signature OKX expects in `login`: Base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify")). */
export const okxSign = (secret: string, timestamp: string) =>
  hmac(secret, `${timestamp}GET/users/self/verify`).digest("base64")

export const okx: Codec = {
  name: "okx",
  maxFrameBytes: 64 * 1024,
  maxChannelsPerRequest: Infinity,
  parse: (json) => {
    const op = json.op
    if (typeof op !== "string") return undefined
    const args = Array.isArray(json.args) ? json.args : []
    const channels = args.flatMap((arg) => {
      const name = Predicate.isRecord(arg) ? nameOf(arg) : undefined
      return name === undefined ? [] : [name]
    })
    const kind = op === "subscribe" || op === "unsubscribe" ? op : op === "login" ? "auth" : "other"
    return { op: kind, ref: json.id, channels, json }
  },
  isPrivate: (channel) => okxPrivate.has(argOf(channel).channel!),
  verify: ({ json }, { credentials }) => {
    const arg = Array.isArray(json.args) && Predicate.isRecord(json.args[0]) ? json.args[0] : {}
    return arg.apiKey === credentials.key && arg.passphrase === credentials.passphrase &&
      typeof arg.timestamp === "string" && arg.sign === okxSign(credentials.secret, arg.timestamp)
  },
  authed: (request, session) =>
    JSON.stringify({
      ...(request.ref === undefined ? {} : { id: request.ref }),
      event: "login",
      code: "0",
      msg: "",
      connId: connIdOf(session)
    }),
  subscribed: (request, accepted, refused, session) => {
    // one bad arg fails the request: an error event, no acks
    const [refusal] = refused
    if (refusal !== undefined) return okxError(request.ref, session, okxErrors[refusal.why])
    for (const channel of accepted) session.held.set(channel, "")
    return okxAcks("subscribe", request, accepted, session)
  },
  unsubscribed: (request, _removed, session) => okxAcks("unsubscribe", request, request.channels, session),
  failed: (request, why, session) => okxError(request.ref, session, okxErrors[why]),
  other: (_json, text) => text === "ping" ? "pong" : undefined,
  notification: (channel, data) => JSON.stringify({ arg: argOf(channel), data: [data] })
}

// ---- Bybit ----

const bybitPrivate = /^(order|execution|position|wallet|greeks)(\.|$)/

const bybitErrors: Readonly<Record<Refusal, string>> = {
  private: "Request not authorized",
  unknown: "error:handler not found",
  tooLarge: "error:args length over 21000",
  tooMany: "error:args size over 10",
  credentials: "error:signature verification failed",
  transient: "error:too many requests"
}

const bybitAck = (request: Parsed, session: Session, op: string, success: boolean, retMsg: string) =>
  JSON.stringify({
    success,
    ret_msg: retMsg,
    conn_id: connIdOf(session),
    ...(request.ref === undefined ? {} : { req_id: request.ref }),
    op
  })

/** The signature Bybit expects in `auth`: hex(HMAC-SHA256(secret, "GET/realtime" + expires)). */
export const bybitSign = (secret: string, expires: number | string) =>
  hmac(secret, `GET/realtime${expires}`).digest("hex")

export const bybit: Codec = {
  name: "bybit",
  maxFrameBytes: 21_000,
  maxChannelsPerRequest: 10,
  parse: (json) => {
    const op = json.op
    if (typeof op !== "string") return undefined
    const channels = Array.isArray(json.args) ? json.args.filter((a): a is string => typeof a === "string") : []
    const kind = op === "subscribe" || op === "unsubscribe" ? op : op === "auth" ? "auth" : "other"
    return { op: kind, ref: json.req_id, channels, json }
  },
  isPrivate: (channel) => bybitPrivate.test(channel),
  verify: ({ json }, { credentials }) => {
    const [apiKey, expires, signature] = Array.isArray(json.args) ? json.args : []
    return apiKey === credentials.key && Number(expires) > Date.now() &&
      signature === bybitSign(credentials.secret, expires as string | number)
  },
  authed: (request, session) => bybitAck(request, session, "auth", true, ""),
  subscribed: (request, accepted, refused, session) => {
    // one bad topic fails the whole request
    const [refusal] = refused
    if (refusal !== undefined) {
      const detail = refusal.why === "unknown" ? `,topic:${refusal.channel}` : ""
      return bybitAck(request, session, "subscribe", false, bybitErrors[refusal.why] + detail)
    }
    for (const channel of accepted) session.held.set(channel, "")
    return bybitAck(request, session, "subscribe", true, "")
  },
  unsubscribed: (request, _removed, session) => bybitAck(request, session, "unsubscribe", true, ""),
  failed: (request, why, session) => bybitAck(request, session, request.json.op as string, false, bybitErrors[why]),
  other: (json, _text, session) =>
    json?.op === "ping"
      ? JSON.stringify({
        success: true,
        ret_msg: "pong",
        conn_id: connIdOf(session),
        ...(json.req_id === undefined ? {} : { req_id: json.req_id }),
        op: "ping"
      })
      : undefined,
  notification: (channel, data) => JSON.stringify({ topic: channel, type: "snapshot", ts: Date.now(), data })
}
