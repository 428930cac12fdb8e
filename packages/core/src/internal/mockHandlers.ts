/**
 * The JSON-RPC awareness of the mock server's default handler: which frames are requests, and the result the
 * server answers each method with (subscriptions confirm their channels, `public/test` its version, anything else
 * echoes its method and params).
 */
import * as Predicate from "effect/Predicate"

interface JsonRpcRequest {
  readonly id: unknown
  readonly method: string
  readonly params: unknown
}

const subscriptionMethods = new Set([
  "public/subscribe",
  "private/subscribe",
  "public/unsubscribe",
  "private/unsubscribe"
])

export const parseJsonRpcRequest = (text: string): JsonRpcRequest | undefined => {
  if (!text.startsWith("{")) return undefined
  try {
    const json: unknown = JSON.parse(text)
    if (!Predicate.isRecord(json) || json.id === undefined || typeof json.method !== "string") return undefined
    return { id: json.id, method: json.method, params: json.params }
  } catch {
    return undefined
  }
}

export const jsonRpcResult = (method: string, params: unknown): unknown => {
  if (subscriptionMethods.has(method)) return Predicate.isRecord(params) ? params.channels ?? [] : []
  if (method === "public/test") return { version: "mock" }
  return { method, params }
}
