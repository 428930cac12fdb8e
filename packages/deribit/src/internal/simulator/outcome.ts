/**
 * What a method handler answers: a result, an error code (looked up in the error table for its message), or nothing.
 *
 * @since 0.1.0
 * @internal
 */

/** @internal */
export type Outcome =
  | { readonly _tag: "Ok"; readonly result: unknown }
  | { readonly _tag: "Fail"; readonly code: number; readonly data?: unknown; readonly message?: string | undefined }
  | { readonly _tag: "NoReply" }

/** @internal */
export const ok = (result: unknown): Outcome => ({ _tag: "Ok", result })

/** @internal */
export const fail = (code: number, data?: unknown, message?: string): Outcome =>
  data === undefined ? { _tag: "Fail", code, message } : { _tag: "Fail", code, data, message }

/** @internal */
export const invalidParam = (param: string, reason: string): Outcome => fail(-32602, { param, reason })

/** @internal */
export const noReply: Outcome = { _tag: "NoReply" }
