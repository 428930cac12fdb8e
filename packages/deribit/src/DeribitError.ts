/**
 * Deribit's RPC error codes as data, and the error a Deribit RPC failure becomes.
 *
 * Every code of the adapter's table (peers research §6.7, from Deribit's "Complete RPC Error Codes Reference") has a
 * name, the message Deribit sends, how a client should handle it, an explanation and a suggestion. `lookup` is the one
 * way in; the simulator answers with the same codes and messages.
 *
 * ```ts
 * import { DeribitError } from "@zen-websocket/deribit"
 * import { ErrorHandler } from "@zen-websocket/core"
import * as Option from "effect/Option"
 *
 * const info = DeribitError.lookup(10028)
 * Option.map(info, (i) => i.handling) // Option.some("backoff")
 * ```
 *
 * @since 0.1.0
 */
import { ErrorHandler } from "@zen-websocket/core"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as internal from "./internal/errorTable.js"

// -------------------------------------------------------------------------------------------------------------------
// models
// -------------------------------------------------------------------------------------------------------------------

/**
 * What a client should do about a code:
 *
 * - `retry`: transient; retry (with a backoff) — `13888 timed_out` only when the request is idempotent;
 * - `backoff`: a rate limit; pause sending and wait for credits (`10028` also terminates the session);
 * - `reauth`: refresh the token or authenticate again on this connection, then retry once;
 * - `resubscribe`: diff the requested channels against the returned ones and subscribe the missing ones;
 * - `split`: the frame was too large; split the request;
 * - `surface`: safety-critical (cancel-on-disconnect); report it, never continue silently;
 * - `fail`: the request is wrong; retrying it unchanged fails the same way;
 * - `fatal`: the credentials or the key's permissions are wrong; stop (no reconnect storm).
 *
 * @since 0.1.0
 * @category models
 */
export type Handling = internal.Handling

/**
 * One row of the table. `name` is the snake-case identifier (`"too_many_requests"`), `message` what Deribit sends in
 * `error.message` (the same, except for the JSON-RPC codes: `"request entity too large"`, `"Invalid params"`…).
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorInfo extends internal.Entry {}

/**
 * The whole table, in code order as Deribit lists it.
 *
 * @since 0.1.0
 * @category table
 */
export const table: ReadonlyArray<ErrorInfo> = internal.entries

/**
 * The row of a code, if the table has it.
 *
 * @example
 * ```ts
 * import { DeribitError } from "@zen-websocket/deribit"
 *
 * DeribitError.lookup(13009) // Option.some({ code: 13009, name: "unauthorized", handling: "reauth", ... })
 * ```
 *
 * @since 0.1.0
 * @category table
 */
export const lookup = (code: number): Option.Option<ErrorInfo> => Option.fromNullable(internal.byCode.get(code))

// -------------------------------------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@zen-websocket/deribit/DeribitError")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A Deribit JSON-RPC error response: `code`, `message` and `data` as Deribit sent them, `reason` the code's name from
 * the table (`"unknown"` for a code outside it), `method` the request's method when known, `cause` the raw error it
 * was made from (e.g. the core's `RpcError`). A `Schema.TaggedError`, so it can cross the wire (cluster, recordings).
 *
 * @since 0.1.0
 * @category errors
 */
export class DeribitRpcError extends Schema.TaggedError<DeribitRpcError>("@zen-websocket/deribit/DeribitRpcError")(
  "DeribitRpcError",
  {
    code: Schema.Number,
    reason: Schema.String,
    message: Schema.String,
    data: Schema.optional(Schema.Unknown),
    method: Schema.optional(Schema.String),
    cause: Schema.optional(Schema.Defect)
  }
) {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * The table's row for `code`.
   *
   * @since 0.1.0
   */
  get info(): Option.Option<ErrorInfo> {
    return lookup(this.code)
  }

  /**
   * What to do about it; `fail` for a code outside the table.
   *
   * @since 0.1.0
   */
  get handling(): Handling {
    return internal.byCode.get(this.code)?.handling ?? "fail"
  }

  /**
   * The explanation `ErrorHandler.explain` gives: the code, its name and meaning from the table, the method, and the
   * table's suggestion.
   *
   * @since 0.1.0
   */
  [ErrorHandler.ExplainId](): ErrorHandler.Explanation {
    const entry = internal.byCode.get(this.code)
    const method = this.method === undefined ? "a request" : this.method
    const data = this.data === undefined ? "" : ` (data: ${safeJson(this.data)})`
    return entry === undefined
      ? {
        message: `Deribit answered ${method} with error ${this.code}: ${this.message}${data}`,
        suggestion: "The code is not in Deribit's published table: check docs.deribit.com and the request"
      }
      : {
        message: `Deribit answered ${method} with ${this.code} ${entry.name}: ${entry.explanation}${data}`,
        suggestion: entry.suggestion
      }
  }
}

const safeJson = (u: unknown): string => {
  try {
    const text = JSON.stringify(u)
    return text.length > 200 ? `${text.slice(0, 200)}…` : text
  } catch {
    return String(u)
  }
}

/**
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { DeribitError } from "@zen-websocket/deribit"
 *
 * const retryable = (error: unknown) => DeribitError.isDeribitRpcError(error) && error.handling === "retry"
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isDeribitRpcError = (u: unknown): u is DeribitRpcError => Predicate.hasProperty(u, TypeId)

/**
 * The error part of a JSON-RPC response, as it arrives (`{ code, message, data? }`).
 *
 * @since 0.1.0
 * @category models
 */
export interface WireError {
  readonly code: number
  readonly message: string
  readonly data?: unknown
}

/**
 * Makes a `DeribitRpcError` from a wire error (or anything carrying `code` and `message`, such as the core's
 * `RpcError`, which is then kept as the `cause`).
 *
 * @example
 * ```ts
 * import { DeribitError } from "@zen-websocket/deribit"
 *
 * const error = DeribitError.fromWire({ code: 10028, message: "too_many_requests" }, { method: "public/ticker" })
 * error.reason // "too_many_requests"
 * error.handling // "backoff"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromWire = (
  error: WireError,
  options?: { readonly method?: string | undefined; readonly cause?: unknown } | undefined
): DeribitRpcError =>
  new DeribitRpcError({
    code: error.code,
    reason: internal.byCode.get(error.code)?.name ?? "unknown",
    message: error.message,
    ...(error.data !== undefined ? { data: error.data } : {}),
    ...(options?.method !== undefined ? { method: options.method } : {}),
    ...(options?.cause !== undefined ? { cause: options.cause } : error instanceof Error ? { cause: error } : {})
  })
