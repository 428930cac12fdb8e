/**
 * JSON-RPC 2.0 framing and response matching.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"

/**
 * A request id: JSON-RPC allows integers and strings.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestId = number | string

/**
 * What `Client.request` sends (the client adds `jsonrpc` and, unless given, a fresh `id`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: string
  readonly params?: unknown
  readonly id?: RequestId | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ErrorObject {
  readonly code: number
  readonly message: string
  readonly data?: unknown
}

/**
 * A parsed inbound frame as far as JSON-RPC is concerned.
 *
 * @since 0.1.0
 * @category models
 */
export type Incoming =
  | { readonly _tag: "Result"; readonly id: RequestId; readonly result: unknown }
  | { readonly _tag: "Error"; readonly id: RequestId; readonly error: ErrorObject }
  | { readonly _tag: "Notification"; readonly method: string; readonly params: unknown }
  | { readonly _tag: "Other" }

const other: Incoming = { _tag: "Other" }

/**
 * Builds the wire object of a request.
 *
 * @example
 * ```ts
 * import * as JsonRpc from "@zen-websocket/core/JsonRpc"
 *
 * JsonRpc.encodeRequest(1, "public/get_time", undefined) // { jsonrpc: "2.0", id: 1, method: "public/get_time" }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const encodeRequest = (id: RequestId, method: string, params: unknown): Record<string, unknown> =>
  params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params }

/**
 * @example
 * ```ts
 * import * as JsonRpc from "@zen-websocket/core/JsonRpc"
 *
 * JsonRpc.isRequestId(7) // true
 * JsonRpc.isRequestId(null) // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isRequestId = (u: unknown): u is RequestId =>
  (typeof u === "number" && Number.isFinite(u)) || typeof u === "string"

/**
 * Classifies a parsed JSON value. Never throws, whatever the shape.
 *
 * @example
 * ```ts
 * import * as JsonRpc from "@zen-websocket/core/JsonRpc"
 *
 * JsonRpc.classify({ jsonrpc: "2.0", id: 1, result: 42 }) // { _tag: "Result", id: 1, result: 42 }
 * JsonRpc.classify({ method: "subscription", params: {} }) // { _tag: "Notification", … }
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const classify = (json: unknown): Incoming => {
  if (!Predicate.isRecord(json)) return other
  const id = json.id
  if (isRequestId(id)) {
    if ("error" in json && json.error !== null && json.error !== undefined) {
      return { _tag: "Error", id, error: toErrorObject(json.error) }
    }
    if ("result" in json) return { _tag: "Result", id, result: json.result }
  }
  if (typeof json.method === "string") return { _tag: "Notification", method: json.method, params: json.params }
  return other
}

const toErrorObject = (error: unknown): ErrorObject => {
  if (!Predicate.isRecord(error)) return { code: 0, message: String(error) }
  return {
    code: typeof error.code === "number" ? error.code : 0,
    message: typeof error.message === "string" ? error.message : JSON.stringify(error),
    data: error.data
  }
}

/**
 * A cheap test on the raw text before parsing: can this frame be a response at all?
 *
 * @example
 * ```ts
 * import * as JsonRpc from "@zen-websocket/core/JsonRpc"
 *
 * JsonRpc.mayBeResponse("{\"id\":1,\"result\":true}") // true
 * JsonRpc.mayBeResponse("{\"method\":\"heartbeat\"}") // false
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const mayBeResponse = (text: string): boolean => text.includes("\"id\"")
