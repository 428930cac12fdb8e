import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { createHmac } from "node:crypto"
import { DeribitSimulator } from "../src/index.js"
import { authenticate, connect, errorCode } from "./utils/peer.js"

// the formula of Deribit's docs, written out here rather than taken from the package
const hmac = (secret: string, text: string) => createHmac("sha256", secret).update(text).digest("hex")

describe("DeribitSimulator: framing", () => {
  it.scoped("responses carry usIn/usOut/usDiff from the Clock, testnet and the request id", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_234)
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      const response = yield* peer.call("public/test")
      assert.strictEqual(response.jsonrpc, "2.0")
      assert.strictEqual(response.id, 1)
      assert.deepStrictEqual(response.result, { version: "1.2.26" })
      assert.strictEqual(response.usIn, 1_234_000)
      assert.strictEqual(response.usOut, 1_234_000)
      assert.strictEqual(response.usDiff, 0)
      assert.strictEqual(response.testnet, true)
      const time = yield* peer.call("public/get_time")
      assert.strictEqual(time.result, 1_234)
    }))

  it.scoped("a frame over 32 kB is answered -32600 (with its id); one of exactly 32 kB is served", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      const frame = (size: number, id: number) => {
        const head = JSON.stringify({ jsonrpc: "2.0", id, method: "public/test", params: { expected_result: "" } })
        return head.replace(`"expected_result":""`, `"expected_result":"${"x".repeat(size - head.length)}"`)
      }
      const atLimit = frame(32 * 1024, 41)
      assert.strictEqual(Buffer.byteLength(atLimit), 32 * 1024)
      yield* peer.send(atLimit)
      const served = yield* peer.waitFor((m) => m.id === 41)
      assert.deepStrictEqual(served.result, { version: "1.2.26" })
      yield* peer.send(frame(32 * 1024 + 1, 42))
      const refused = yield* peer.waitFor((m) => m.id === 42)
      assert.deepStrictEqual(refused.error, { code: -32600, message: "request entity too large" })
      assert.isTrue(peer.isOpen(), "an oversized frame is answered, not a reason to close")
    }))

  it.scoped("not JSON → -32700 (id null); unknown method → -32601; bad params → -32602 naming the param", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      yield* peer.send("{not json")
      const parse = yield* peer.waitFor((m) => m.error !== undefined)
      assert.strictEqual(parse.id, null)
      assert.strictEqual(errorCode(parse), -32700)
      const unknown = yield* peer.call("public/no_such_method")
      assert.deepStrictEqual([unknown.error?.code, unknown.error?.message], [-32601, "Method not found"])
      const bad = yield* peer.call("public/ticker", { instrument_name: 42 })
      assert.strictEqual(errorCode(bad), -32602)
      assert.strictEqual(bad.error?.data?.param, "instrument_name")
      const interval = yield* peer.call("public/set_heartbeat", { interval: 5 })
      assert.deepStrictEqual(interval.error?.data, { param: "interval", reason: "must be at least 10" })
    }))
})

describe("DeribitSimulator: authentication", () => {
  it.scoped("private methods need auth on the connection (13009), then work", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      const before = yield* peer.call("private/get_positions", { currency: "BTC" })
      assert.deepStrictEqual([before.error?.code, before.error?.message], [13009, "unauthorized"])
      const auth = yield* authenticate(peer, sim)
      assert.strictEqual(auth.expires_in, 900)
      const after = yield* peer.call("private/get_positions", { currency: "BTC" })
      assert.deepStrictEqual(after.result, [])
    }))

  it.scoped("a token is connection-scoped: used on another connection it is 13009, on its own it works", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const a = yield* connect(sim.url)
      const b = yield* connect(sim.url)
      const { access_token } = yield* authenticate(a, sim)
      const stolen = yield* b.call("private/get_open_orders_by_instrument", {
        instrument_name: "BTC-PERPETUAL",
        access_token
      })
      assert.strictEqual(errorCode(stolen), 13009)
      assert.match(stolen.error?.data?.reason, /connection/)
      const own = yield* a.call("private/get_open_orders_by_instrument", {
        instrument_name: "BTC-PERPETUAL",
        access_token
      })
      assert.deepStrictEqual(own.result, [])
      const bAlone = yield* b.call("private/get_open_orders_by_instrument", { instrument_name: "BTC-PERPETUAL" })
      assert.strictEqual(errorCode(bAlone), 13009, "b never authenticated itself")
    }))

  it.scoped("client_credentials with a wrong secret or id → 13004", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      const wrongSecret = yield* peer.call("public/auth", {
        grant_type: "client_credentials",
        client_id: sim.credentials.clientId,
        client_secret: "nope"
      })
      const wrongId = yield* peer.call("public/auth", {
        grant_type: "client_credentials",
        client_id: "nobody",
        client_secret: sim.credentials.clientSecret
      })
      assert.deepStrictEqual([errorCode(wrongSecret), errorCode(wrongId)], [13004, 13004])
      assert.strictEqual(wrongSecret.error?.message, "invalid_credentials")
    }))

  it.scoped("client_signature: the HMAC-SHA256 of timestamp\\nnonce\\ndata is verified; stale, reused or forged → 13009", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const sim = yield* DeribitSimulator.start({ credits: false })
      const peer = yield* connect(sim.url)
      const { clientId, clientSecret } = sim.credentials
      const signed = (timestamp: number, nonce: string, data: string, signature?: string) =>
        peer.call("public/auth", {
          grant_type: "client_signature",
          client_id: clientId,
          timestamp,
          nonce,
          data,
          signature: signature ?? hmac(clientSecret, `${timestamp}\n${nonce}\n${data}`)
        })
      const t = 1_700_000_000_000
      const good = yield* signed(t, "abc123", "")
      assert.isString(good.result?.access_token)
      const withData = yield* signed(t - 1_000, "n2", "my-data")
      assert.isString(withData.result?.access_token)
      const forged = yield* signed(t, "n3", "", hmac("other-secret", `${t}\nn3\n`))
      assert.deepStrictEqual([errorCode(forged), forged.error?.data?.reason], [13009, "invalid signature"])
      const withoutNewlines = yield* signed(t, "n4", "", hmac(clientSecret, `${t}n4`))
      assert.strictEqual(errorCode(withoutNewlines), 13009)
      const reused = yield* signed(t, "abc123", "")
      assert.deepStrictEqual([errorCode(reused), reused.error?.data?.reason], [13009, "nonce already used"])
      const stale = yield* signed(t - 61_000, "n5", "")
      assert.strictEqual(errorCode(stale), 13009)
      const unknown = yield* peer.call("public/auth", {
        grant_type: "client_signature",
        client_id: "nobody",
        timestamp: t,
        nonce: "n6",
        signature: "00"
      })
      assert.strictEqual(errorCode(unknown), 13004)
      assert.strictEqual(DeribitSimulator.sign(clientSecret, t, "x", "y"), hmac(clientSecret, `${t}\nx\ny`))
    }))

  it.scoped("a token expires after expires_in (TestClock); refresh_token on the connection renews it, once", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ credits: false, tokenTtl: "60 seconds" })
      const peer = yield* connect(sim.url)
      const other = yield* connect(sim.url)
      const first = yield* authenticate(peer, sim)
      assert.strictEqual(first.expires_in, 60)
      const summary = () => peer.call("private/get_account_summary", { currency: "BTC" })
      assert.strictEqual((yield* summary()).result?.currency, "BTC")
      yield* TestClock.adjust("59 seconds")
      assert.isUndefined((yield* summary()).error, "still valid just before expiry")
      yield* TestClock.adjust("2 seconds")
      const expired = yield* summary()
      assert.deepStrictEqual([errorCode(expired), expired.error?.data?.reason], [13009, "token expired"])
      const elsewhere = yield* other.call("public/auth", {
        grant_type: "refresh_token",
        refresh_token: first.refresh_token
      })
      assert.strictEqual(errorCode(elsewhere), 13009, "a refresh token is connection-scoped too")
      const refreshed = yield* peer.call("public/auth", {
        grant_type: "refresh_token",
        refresh_token: first.refresh_token
      })
      assert.isString(refreshed.result?.access_token)
      assert.notStrictEqual(refreshed.result?.access_token, first.access_token)
      assert.isUndefined((yield* summary()).error, "renewed")
      const again = yield* peer.call("public/auth", { grant_type: "refresh_token", refresh_token: first.refresh_token })
      assert.strictEqual(errorCode(again), 13009, "a refresh token is used once")
      yield* TestClock.adjust("61 seconds")
      assert.strictEqual(errorCode(yield* summary()), 13009, "the renewed token expires too")
    }))
})
