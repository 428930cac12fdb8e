/**
 * Restore hooks that log in to the simulated venues the way the real ones expect, through `session.sendAndAwait`
 * (their acks are not JSON-RPC responses).
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as ClientOptions from "../../src/ClientOptions.js"
import type * as Message from "../../src/Message.js"
import * as Testing from "../../src/Testing.js"
import { RpcError } from "../../src/WebSocketError.js"

const jsonOf = (message: Message.Message) =>
  message._tag === "Text" && Predicate.isRecord(message.json) ? message.json : undefined

/** OKX `login`: `{ event: "login", code: "0" }` or `{ event: "error", code, msg }`. */
export const okxLogin = (secret = "secret"): ClientOptions.RestoreHook => (session) => {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const sign = Testing.venueSignatures.okx(secret, timestamp)
  return session.sendAndAwait(
    { op: "login", args: [{ apiKey: "key", passphrase: "passphrase", timestamp, sign }] },
    (message) => {
      const json = jsonOf(message)
      return json !== undefined && (json.event === "login" || json.event === "error") ? json : undefined
    },
    "2 seconds"
  ).pipe(
    Effect.flatMap((ack) =>
      ack.code === "0" ? Effect.void : Effect.fail(new RpcError({ code: Number(ack.code), message: String(ack.msg) }))
    )
  )
}

/** Bybit `auth`: `{ op: "auth", success, ret_msg }`. */
export const bybitAuth = (secret = "secret"): ClientOptions.RestoreHook => (session) => {
  const expires = Date.now() + 10_000
  return session.sendAndAwait(
    { op: "auth", args: ["key", expires, Testing.venueSignatures.bybit(secret, expires)] },
    (message) => {
      const json = jsonOf(message)
      return json !== undefined && json.op === "auth" ? json : undefined
    },
    "2 seconds"
  ).pipe(
    Effect.flatMap((ack) =>
      ack.success === true ? Effect.void : Effect.fail(new RpcError({ code: 0, message: String(ack.ret_msg) }))
    )
  )
}
