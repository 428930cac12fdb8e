import { assert, describe, it } from "@effect/vitest"
import { RpcError } from "@zen-websocket/core/WebSocketError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { DeribitError, DeribitSimulator } from "../src/index.js"
import { connect } from "./utils/peer.js"

// peers research §6.7, row by row: code, name, handling
const expected: ReadonlyArray<readonly [number, string, DeribitError.Handling]> = [
  [10000, "authorization_required", "reauth"],
  [10001, "error", "fail"],
  [10004, "order_not_found", "fail"],
  [10009, "not_enough_funds", "fail"],
  [10028, "too_many_requests", "backoff"],
  [10040, "retry", "retry"],
  [10041, "settlement_in_progress", "retry"],
  [10047, "matching_engine_queue_full", "retry"],
  [10049, "cancel_on_disconnect_failed", "surface"],
  [10066, "too_many_concurrent_requests", "backoff"],
  [11050, "bad_request", "fail"],
  [11051, "system_maintenance", "retry"],
  [11052, "subscribe_error_unsubscribed", "resubscribe"],
  [13004, "invalid_credentials", "fatal"],
  [13009, "unauthorized", "reauth"],
  [13010, "value_required", "fail"],
  [13011, "value_too_short", "fail"],
  [13020, "not_found", "fail"],
  [13021, "forbidden", "fatal"],
  [13025, "method_switched_off_by_admin", "retry"],
  [13028, "temporarily_unavailable", "retry"],
  [13042, "cod_not_enabled", "surface"],
  [13778, "raw_subscriptions_not_available_for_unauthorized", "fail"],
  [13888, "timed_out", "retry"],
  [-32600, "request_entity_too_large", "split"],
  [-32601, "method_not_found", "fail"],
  [-32602, "invalid_params", "fail"],
  [-32700, "parse_error", "fail"],
  [-32000, "missing_params", "fail"]
]

describe("DeribitError", () => {
  it("the table holds every code of the research table, with its name and handling, and nothing twice", () => {
    assert.deepStrictEqual(DeribitError.table.map((e) => [e.code, e.name, e.handling] as const), expected)
    assert.strictEqual(new Set(DeribitError.table.map((e) => e.code)).size, DeribitError.table.length)
    for (const e of DeribitError.table) {
      assert.isAbove(e.explanation.length, 10, `${e.code} explained`)
      assert.isAbove(e.suggestion.length, 10, `${e.code} has a suggestion`)
    }
    assert.deepStrictEqual(DeribitError.table.filter((e) => e.terminatesSession).map((e) => e.code), [10028])
  })

  it("lookup finds a code or says None", () => {
    const row = Option.getOrThrow(DeribitError.lookup(-32600))
    assert.deepStrictEqual([row.name, row.message, row.handling], [
      "request_entity_too_large",
      "request entity too large",
      "split"
    ])
    assert.isTrue(Option.isNone(DeribitError.lookup(4242)))
  })

  it("fromWire: reason and handling from the table, data, method and the raw cause kept", () => {
    const raw = new RpcError({ code: 13009, message: "unauthorized", data: { reason: "token expired" } })
    const error = DeribitError.fromWire(raw, { method: "private/buy" })
    assert.deepStrictEqual(
      [error._tag, error.code, error.reason, error.message, error.data, error.method, error.cause],
      ["DeribitRpcError", 13009, "unauthorized", "unauthorized", { reason: "token expired" }, "private/buy", raw]
    )
    assert.strictEqual(error.handling, "reauth")
    assert.strictEqual(Option.getOrThrow(error.info).name, "unauthorized")
    assert.isTrue(DeribitError.isDeribitRpcError(error))
    assert.isFalse(DeribitError.isDeribitRpcError(raw))
    const unknown = DeribitError.fromWire({ code: 4242, message: "what" })
    assert.deepStrictEqual([unknown.reason, unknown.handling, unknown.cause], ["unknown", "fail", undefined])
  })

  it.effect("a DeribitRpcError fails an Effect and crosses the wire through its Schema", () =>
    Effect.gen(function*() {
      const error = DeribitError.fromWire({ code: 10028, message: "too_many_requests", data: { wait: 1 } })
      const exit = yield* Effect.exit(error)
      assert.isTrue(Exit.isFailure(exit))
      const encoded = Schema.encodeSync(DeribitError.DeribitRpcError)(error)
      const json = JSON.parse(JSON.stringify(encoded))
      const decoded = Schema.decodeUnknownSync(DeribitError.DeribitRpcError)(json)
      assert.deepStrictEqual([decoded.code, decoded.reason, decoded.message, decoded.data, decoded.handling], [
        10028,
        "too_many_requests",
        "too_many_requests",
        { wait: 1 },
        "backoff"
      ])
    }))

  it.scoped("the simulator answers every code with the table's message", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      for (const row of DeribitError.table.filter((e) => !e.terminatesSession)) {
        yield* sim.failMethod("public/get_time", { code: row.code, times: 1 })
        const response = yield* peer.call("public/get_time")
        assert.deepStrictEqual(response.error, { code: row.code, message: row.message })
      }
    }))
})
