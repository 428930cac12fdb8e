/**
 * A Deribit session through trouble, against the simulator: token refresh before expiry (TestClock), an unanswered
 * test_request, 10028 and the credit model, a `.raw` channel refused on restore, 1 000 channels restored in batches
 * under the frame limit within the subscribe pacing.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { DeribitError, DeribitSimulator } from "../src/index.js"
import {
  connectTo,
  credentialsOf,
  DeribitClient,
  driveUntilDone,
  eventually,
  live,
  methodsOf,
  recordEvents,
  within
} from "./utils/session.js"

const grantOf = (params: unknown) => (params as { grant_type?: string }).grant_type

describe("DeribitClient: tokens", () => {
  it.scoped("refresh_token at 80 % of expires_in on the live connection, before expiry (TestClock)", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ tokenTtl: "1 minute", market: { generate: false } })
      const session = yield* DeribitClient.connect({
        url: sim.url,
        credentials: credentialsOf(sim),
        heartbeatInterval: 30
      })
      const auths = () =>
        Effect.map(
          sim.requests(),
          (rs) => rs.filter((r) => r.method === "public/auth").map((r) => [r.at, grantOf(r.params)])
        )
      assert.deepStrictEqual(yield* auths(), [[0, "client_credentials"]])
      yield* TestClock.adjust("47 seconds")
      assert.strictEqual((yield* auths()).length, 1, "not before 80 %")
      yield* TestClock.adjust("1 second")
      yield* sim.awaitFrame((f) => f.direction === "in" && f.data.includes("refresh_token"))
      assert.deepStrictEqual((yield* auths())[1], [48_000, "refresh_token"])
      // past the first token's expiry the session still works, on the same connection, with no 13009
      yield* TestClock.adjust("30 seconds")
      const positions = yield* DeribitClient.request(session, "private/get_positions", { currency: "BTC" })
      assert.isArray(positions)
      // the refreshed token is refreshed in its turn, at 80 % of its own lifetime
      yield* TestClock.adjust("20 seconds")
      yield* eventually(Effect.map(auths(), (a) => a.length === 3), "the second refresh")
      assert.deepStrictEqual((yield* auths())[2], [96_000, "refresh_token"])
      const out = yield* sim.frames({ direction: "out" })
      assert.isFalse(out.some((f) => f.data.includes("13009")))
      assert.strictEqual(yield* sim.totalConnections, 1)
    }))

  it.scoped("a failed refresh falls back to the credentials", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ tokenTtl: "1 minute", market: { generate: false } })
      yield* DeribitClient.connect({ url: sim.url, credentials: credentialsOf(sim) })
      yield* sim.failMethod("public/auth", { code: 13009, times: 1 })
      yield* TestClock.adjust("48 seconds")
      yield* eventually(
        Effect.map(sim.requests(), (rs) => rs.filter((r) => r.method === "public/auth").length === 3),
        "the fallback auth"
      )
      const grants = (yield* sim.requests()).filter((r) => r.method === "public/auth").map((r) => grantOf(r.params))
      assert.deepStrictEqual(grants, ["client_credentials", "refresh_token", "client_credentials"])
      assert.isTrue((yield* sim.connections)[0].authenticated)
    }))
})

describe("DeribitClient: heartbeat", () => {
  it.scoped("an unanswered test_request closes the link; the session recovers with the whole sequence (TestClock)", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* connectTo(sim, {
        heartbeatInterval: 10,
        cancelOnDisconnect: "connection"
      })
      const events = yield* recordEvents(session)
      // a healthy quiet link: the simulator's beats every 10 s, its test_requests answered, the link stays up
      const beatAt = (at: number, type: string) =>
        sim.awaitFrame((f) => f.direction === "out" && f.at === at && f.data.includes(`"type":"${type}"`))
      yield* TestClock.adjust("10 seconds")
      yield* beatAt(10_000, "heartbeat") // the sequence's own requests were traffic
      yield* TestClock.adjust("10 seconds")
      yield* beatAt(20_000, "test_request")
      yield* sim.awaitFrame((f) => f.direction === "in" && f.at === 20_000 && f.data.includes("public/test"))
      yield* TestClock.adjust("10 seconds")
      yield* beatAt(30_000, "heartbeat")
      assert.strictEqual(yield* sim.totalConnections, 1)
      // now the client's answer is lost on the way
      yield* sim.loseInbound("public/test", { times: 1 })
      yield* TestClock.adjust("10 seconds")
      yield* beatAt(40_000, "test_request")
      yield* sim.awaitFrame((f) => f.direction === "in" && f.at === 40_000 && f.data.includes("public/test"))
      yield* TestClock.adjust("10 seconds")
      const closed = yield* sim.awaitClosed(1)
      assert.deepStrictEqual(closed.closed, {
        by: "server",
        code: 1000,
        reason: "heartbeat: test_request not answered"
      })
      const connected = yield* Effect.fork(events.next("Connected"))
      yield* driveUntilDone(connected, "10 millis")
      yield* within(Fiber.join(connected), "Connected")
      assert.deepStrictEqual(yield* methodsOf(sim, 2), [
        "public/auth",
        "public/set_heartbeat",
        "private/enable_cancel_on_disconnect"
      ])
      assert.isFalse(events.all.some((e) => e._tag === "GaveUp"))
    }))
})

describe("DeribitClient: credits", () => {
  it.scopedLive("10028: the request fails typed, the session Deribit ended comes back after a pause, never GaveUp", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* DeribitClient.connect({
        ...live,
        retryCount: 1,
        url: sim.url,
        credentials: credentialsOf(sim)
      })
      const events = yield* recordEvents(session)
      yield* sim.failMethod("public/get_time", { code: 10028, times: 1 })
      const error = yield* Effect.flip(DeribitClient.request(session, "public/get_time", {}))
      assert.isTrue(DeribitError.isDeribitRpcError(error) && error.reason === "too_many_requests")
      const failedAt = yield* sim.now
      yield* within(events.next("Connected"), "Connected")
      const auth = (yield* sim.requests(2)).find((r) => r.method === "public/auth")!
      assert.isAtLeast(auth.at - failedAt, 900, "the next connection waited out the pause (1 s)")
      assert.isNumber(yield* DeribitClient.request(session, "public/get_time", {}))
      assert.isFalse(events.all.some((e) => e._tag === "GaveUp"))
    }))

  it.scoped("10028 on the auth of three connections in a row: back-off doubling, then connected (TestClock)", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* DeribitClient.connect({ url: sim.url, credentials: credentialsOf(sim), jitter: false })
      const events = yield* recordEvents(session)
      yield* sim.failMethod("public/auth", { code: 10028, times: 3 })
      yield* sim.drop()
      const connected = yield* Effect.fork(events.next("Connected"))
      yield* driveUntilDone(connected, "100 millis")
      yield* within(Fiber.join(connected), "Connected")
      const auths = (yield* sim.requests()).filter((r) => r.method === "public/auth").map((r) => r.at)
      // the first, three refused (each pausing 1, 2, 4 s before the next), then the one that worked
      assert.strictEqual(auths.length, 5)
      assert.isAtLeast(auths[3] - auths[2], 2_000)
      assert.isAtLeast(auths[4] - auths[3], 4_000)
      assert.isFalse(events.all.some((e) => e._tag === "GaveUp"))
    }))

  it.scopedLive("the credit preset paces requests: a burst past the budget never gets 10028; without it, it does", () =>
    Effect.gen(function*() {
      const budget = { cost: 500, capacity: 2_500, refillPerSecond: 10_000 } // burst 5, then 20 calls/s
      const sim = yield* DeribitSimulator.start({ market: { generate: false }, credits: { nonMatching: budget } })
      const paced = yield* DeribitClient.connect({ ...live, url: sim.url, credits: { nonMatching: budget } })
      const results = yield* Effect.forEach(
        Array.from({ length: 20 }, () => DeribitClient.request(paced, "public/get_time", {})),
        (r) => r,
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.length, 20)
      assert.strictEqual(yield* sim.totalConnections, 1)
      const unpaced = yield* DeribitClient.connect({ ...live, url: sim.url, credits: false })
      const outcomes = yield* Effect.forEach(
        Array.from({ length: 20 }, () => Effect.either(DeribitClient.request(unpaced, "public/get_time", {}))),
        (r) => r,
        { concurrency: "unbounded" }
      )
      assert.isTrue(
        outcomes.some((o) => o._tag === "Left" && DeribitError.isDeribitRpcError(o.left) && o.left.code === 10028)
      )
      // and it comes back
      yield* eventually(Effect.map(unpaced.client.getState, (s) => s === "connected"), "the reconnect")
    }))
})
