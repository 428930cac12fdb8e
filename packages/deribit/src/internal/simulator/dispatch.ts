/**
 * One received frame, synchronously, in Deribit's order: the 32 kB limit (-32600), JSON-RPC parsing (-32700), the
 * credit budget (10028, then the session ends), injected faults, authorization of private methods (13009), the
 * method's params Schema (-32602), the handler. The response (with `usIn`/`usOut`/`usDiff`/`testnet`) goes out
 * first, then the notifications the call caused.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as errorTable from "../errorTable.js"
import * as methodTable from "../methodTable.js"
import * as auth from "./auth.js"
import * as credits from "./credits.js"
import * as handlers from "./handlers.js"
import * as io from "./io.js"
import type { Outcome } from "./outcome.js"
import { fail } from "./outcome.js"
import type { Connection, State } from "./state.js"
import { now, nowMicros, trim } from "./state.js"
import * as timers from "./timers.js"
import type { MethodFault } from "./types.js"

const respond = (state: State, connection: Connection, id: unknown, outcome: Outcome, usIn: number): void => {
  if (outcome._tag === "NoReply" || id === undefined) return
  const usOut = nowMicros(state)
  const timing = { usIn, usOut, usDiff: usOut - usIn, testnet: state.options.testnet }
  const body = outcome._tag === "Ok"
    ? { jsonrpc: "2.0", id, result: outcome.result, ...timing }
    : {
      jsonrpc: "2.0",
      id,
      error: {
        code: outcome.code,
        message: outcome.message ?? errorTable.byCode.get(outcome.code)?.message ?? "error",
        ...(outcome.data !== undefined ? { data: outcome.data } : {})
      },
      ...timing
    }
  io.write(state, connection, JSON.stringify(body))
}

/** Answers an error that ends the session (10028): the answer, then a close. */
const respondAndMaybeEnd = (state: State, connection: Connection, id: unknown, outcome: Outcome, usIn: number) => {
  respond(state, connection, id === undefined ? null : id, outcome, usIn)
  if (outcome._tag === "Fail" && errorTable.byCode.get(outcome.code)?.terminatesSession === true) {
    io.close(state, connection, 1000, errorTable.byCode.get(outcome.code)?.name ?? "session terminated")
  }
}

const idPattern = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")/

/** The id of a frame too large to parse, when it can be found. */
const guessId = (text: string): unknown => {
  const match = idPattern.exec(text)
  if (match === null) return null
  try {
    return JSON.parse(match[1])
  } catch {
    return null
  }
}

const takeFault = (state: State, method: string, lose = false): MethodFault | undefined => {
  const index = state.faults.findIndex((f) => f.method === method && f.remaining > 0 && (f.lose === true) === lose)
  if (index < 0) return undefined
  const fault = state.faults[index]
  fault.remaining -= 1
  if (fault.remaining <= 0) state.faults.splice(index, 1)
  return fault
}

const byteLength = (data: Buffer | string): number =>
  typeof data === "string" ? Buffer.byteLength(data) : data.byteLength

const call = (state: State, connection: Connection, method: string, params: unknown): Outcome => {
  const entry = handlers.table.get(method)
  if (entry === undefined) return fail(-32601, { reason: `unknown method ${method}` })
  let account = undefined
  if (methodTable.isPrivateMethod(method)) {
    const authorized = auth.authorize(state, connection, params)
    if ("_tag" in authorized) return authorized
    account = authorized
  }
  const decoded = entry.decode(params === undefined ? {} : params)
  if (Either.isLeft(decoded)) {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
    return fail(-32602, { param: issue?.path.map(String).join(".") ?? "", reason: issue?.message ?? "invalid" })
  }
  return entry.run({ state, connection, account }, decoded.right)
}

const handle = (
  state: State,
  connection: Connection,
  id: unknown,
  method: string,
  params: unknown,
  usIn: number
): void => {
  respondAndMaybeEnd(state, connection, id, call(state, connection, method, params), usIn)
  io.flush(state)
}

/** @internal */
export const receive = (state: State, connection: Connection, data: Buffer | string): void => {
  if (!connection.open) return
  const usIn = nowMicros(state)
  const text = typeof data === "string" ? data : data.toString("utf8")
  io.log(state, connection, "in", text)
  if (byteLength(data) > state.options.maxFrameBytes) {
    timers.heard(connection, undefined)
    return respondAndMaybeEnd(state, connection, guessId(text), fail(-32600), usIn)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    timers.heard(connection, undefined)
    return respondAndMaybeEnd(state, connection, null, fail(-32700), usIn)
  }
  const request = typeof json === "object" && json !== null && !Array.isArray(json)
    ? json as { id?: unknown; method?: unknown; params?: unknown }
    : undefined
  if (request === undefined || typeof request.method !== "string") {
    timers.heard(connection, undefined)
    return respondAndMaybeEnd(state, connection, request?.id ?? null, fail(-32700, { reason: "not a request" }), usIn)
  }
  const { id, method, params } = request as { id?: unknown; method: string; params?: unknown }
  if (takeFault(state, method, true) !== undefined) return
  timers.heard(connection, method)
  state.requests.push({ connectionId: connection.id, at: now(state), id, method, params })
  trim(state.requests, state.options.maxFrames)
  if (state.options.credits) {
    const buckets = connection.auth?.account.buckets ?? connection.buckets
    const rateClass = methodTable.rateClass(method)
    if (!credits.take(buckets[rateClass], state.options.budgets[rateClass], now(state))) {
      return respondAndMaybeEnd(state, connection, id, fail(10028), usIn)
    }
  }
  const fault = takeFault(state, method)
  if (fault?.code !== undefined) {
    return respondAndMaybeEnd(state, connection, id, fail(fault.code, fault.data, fault.message), usIn)
  }
  if (fault?.stall === true) {
    if (fault.delayMs !== undefined) {
      state.runFork(
        Effect.sleep(fault.delayMs).pipe(
          Effect.andThen(Effect.sync(() => {
            if (connection.open) handle(state, connection, id, method, params, usIn)
          }))
        )
      )
    }
    return
  }
  handle(state, connection, id, method, params, usIn)
}
