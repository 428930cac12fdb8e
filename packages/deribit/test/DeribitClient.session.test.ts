/**
 * A Deribit session against the simulator: the post-connect sequence on every connection, cancel-on-disconnect,
 * graceful logout, fatal credentials, options checked before any socket, re-auth after 13009, typed requests and the
 * latency split.
 */
import { assert, describe, it } from "@effect/vitest"
import { ErrorHandler, WebSocketError } from "@zen-websocket/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { DeribitError, DeribitSimulator } from "../src/index.js"
import {
  connectTo,
  credentialsOf,
  DeribitClient,
  eventually,
  live,
  methodsOf,
  recordEvents,
  within
} from "./utils/session.js"

const restingBuy = (session: DeribitClient.DeribitSession, price = 40_000) =>
  Effect.map(
    DeribitClient.request(session, "private/buy", {
      instrument_name: "BTC-PERPETUAL",
      amount: 10,
      type: "limit",
      price
    }),
    (r) => r.order.order_id
  )

const orderState = (sim: DeribitSimulator.DeribitSimulator, id: string) =>
  Effect.map(sim.orders(), (orders) => orders.find((o) => o.order_id === id))

describe("DeribitClient: the post-connect sequence", () => {
  it.scopedLive("after a simulator restart, in order: auth, set_heartbeat, COD, public then private subscribe", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* connectTo(sim, {
        heartbeatInterval: 15,
        cancelOnDisconnect: "connection"
      })
      assert.deepStrictEqual(yield* methodsOf(sim, 1), [
        "public/auth",
        "public/set_heartbeat",
        "private/enable_cancel_on_disconnect"
      ])
      yield* session.client.subscribe(["ticker.BTC-PERPETUAL.100ms", "user.orders.BTC-PERPETUAL.raw"])
      const events = yield* recordEvents(session)
      yield* sim.restart
      const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
      yield* within(events.next("Connected"), "Connected")
      assert.deepStrictEqual([...restored.restored].sort(), [
        "ticker.BTC-PERPETUAL.100ms",
        "user.orders.BTC-PERPETUAL.raw"
      ])
      const connection = (yield* sim.connections).at(-1)!
      const requests = yield* sim.requests(connection.id)
      assert.deepStrictEqual(requests.map((r) => r.method), [
        "public/auth",
        "public/set_heartbeat",
        "private/enable_cancel_on_disconnect",
        "public/subscribe",
        "private/subscribe"
      ])
      // the new connection authenticated with the credentials: no token of the old connection was sent
      assert.strictEqual((requests[0].params as { grant_type: string }).grant_type, "client_credentials")
      assert.deepStrictEqual(requests[1].params, { interval: 15 })
      assert.deepStrictEqual(requests[2].params, { scope: "connection" })
      assert.deepStrictEqual(requests[3].params, { channels: ["ticker.BTC-PERPETUAL.100ms"] })
      assert.deepStrictEqual(requests[4].params, { channels: ["user.orders.BTC-PERPETUAL.raw"] })
      assert.isTrue(connection.authenticated && connection.cancelOnDisconnect)
      assert.strictEqual(connection.heartbeatSeconds, 15)
    }))

  it.scopedLive("client_signature: the secret never goes over the wire", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* DeribitClient.connect({
        ...live,
        url: sim.url,
        credentials: {
          ...credentialsOf(sim),
          clientSecret: Redacted.make(sim.credentials.clientSecret),
          grant: "client_signature"
        }
      })
      const positions = yield* DeribitClient.request(session, "private/get_positions", { currency: "BTC" })
      assert.isArray(positions)
      const frames = yield* sim.frames({ direction: "in" })
      assert.isTrue(frames.some((f) => f.data.includes("client_signature")))
      assert.isFalse(frames.some((f) => f.data.includes(sim.credentials.clientSecret)))
    }))
})

describe("DeribitClient: cancel-on-disconnect and logout", () => {
  it.scopedLive("a lost connection's orders are cancelled, COD is enabled again on the next connection", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* connectTo(sim, {
        cancelOnDisconnect: "connection"
      })
      const id = yield* restingBuy(session)
      assert.strictEqual((yield* orderState(sim, id))?.order_state, "open")
      const events = yield* recordEvents(session)
      yield* sim.drop()
      yield* within(events.next("Connected"), "Connected")
      const order = yield* orderState(sim, id)
      assert.strictEqual(order?.order_state, "cancelled")
      assert.strictEqual(order?.cancel_reason, "cancel_on_disconnect")
      const [first, second] = yield* sim.connections
      assert.isFalse(first.open)
      assert.isTrue(second.open && second.cancelOnDisconnect)
      // and it protects the new connection's orders too
      const next = yield* restingBuy(session)
      yield* sim.drop()
      yield* within(events.next("Connected"), "Connected")
      assert.strictEqual((yield* orderState(sim, next))?.order_state, "cancelled")
    }))

  it.scopedLive("close with logout: COD does not fire; close without: it does", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const options = {
        ...live,
        url: sim.url,
        credentials: credentialsOf(sim),
        cancelOnDisconnect: "connection" as const
      }
      const kept = yield* Effect.scoped(Effect.gen(function*() {
        const session = yield* DeribitClient.connect(options)
        const id = yield* restingBuy(session)
        yield* DeribitClient.close(session, { logout: true })
        return id
      }))
      yield* sim.awaitClosed(1)
      const cancelled = yield* Effect.scoped(Effect.gen(function*() {
        const session = yield* DeribitClient.connect(options)
        const id = yield* restingBuy(session, 39_000)
        yield* DeribitClient.close(session)
        return id
      }))
      yield* sim.awaitClosed(2)
      assert.strictEqual((yield* orderState(sim, kept))?.order_state, "open")
      assert.strictEqual((yield* orderState(sim, cancelled))?.order_state, "cancelled")
      const [first, second] = yield* sim.connections
      assert.isTrue(first.loggedOut)
      assert.isFalse(second.loggedOut)
      assert.strictEqual(first.closed?.code, 1000)
    }))

  it.scopedLive("logoutOnClose: closing the scope logs out first", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const id = yield* Effect.scoped(Effect.gen(function*() {
        const session = yield* connectTo(sim, {
          cancelOnDisconnect: "connection",
          logoutOnClose: true
        })
        return yield* restingBuy(session)
      }))
      yield* sim.awaitClosed(1)
      assert.strictEqual((yield* orderState(sim, id))?.order_state, "open")
      assert.isTrue((yield* sim.connections)[0].loggedOut)
    }))

  it.scopedLive("10049 from enable_cancel_on_disconnect fails the attempt, typed; never connected without COD", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      yield* sim.failMethod("private/enable_cancel_on_disconnect", { code: 10049, times: 2 })
      const session = yield* connectTo(sim, {
        cancelOnDisconnect: "connection"
      })
      // two attempts failed on 10049, the third enabled COD before the session was handed out
      const connections = yield* sim.connections
      assert.strictEqual(connections.length, 3)
      assert.isTrue(connections[2].cancelOnDisconnect)
      assert.isFalse(connections[0].open || connections[1].open)
      assert.strictEqual(yield* session.client.getState, "connected")
    }))

  it.scopedLive("10049 on every attempt: connect fails with the typed error as the cause", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      yield* sim.failMethod("private/enable_cancel_on_disconnect", { code: 10049 })
      const error = yield* Effect.flip(DeribitClient.connect({
        ...live,
        retryCount: 2,
        url: sim.url,
        credentials: credentialsOf(sim),
        cancelOnDisconnect: "connection"
      }))
      assert.strictEqual(error._tag, "ConnectError")
      const cause = (error as WebSocketError.ConnectError).cause as { cause?: unknown }
      const deribit = DeribitError.isDeribitRpcError(cause) ? cause : cause?.cause
      assert.isTrue(DeribitError.isDeribitRpcError(deribit))
      assert.strictEqual((deribit as DeribitError.DeribitRpcError).reason, "cancel_on_disconnect_failed")
    }))
})

describe("DeribitClient: fatal credentials, options", () => {
  it.scopedLive("13004: one clear error, one attempt, no reconnect storm", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const error = yield* Effect.flip(DeribitClient.connect({
        ...live,
        url: sim.url,
        credentials: { clientId: sim.credentials.clientId, clientSecret: "not-the-secret-7f3a" }
      }))
      assert.strictEqual(error._tag, "ConnectError")
      const cause = (error as WebSocketError.ConnectError).cause
      assert.isTrue(DeribitError.isDeribitRpcError(cause))
      assert.strictEqual((cause as DeribitError.DeribitRpcError).code, 13004)
      const explained = ErrorHandler.explain(error)
      assert.include(explained.message, "13004 invalid_credentials")
      assert.include(explained.suggestion.toLowerCase(), "api key")
      assert.notInclude(JSON.stringify(explained) + String(error), "not-the-secret-7f3a")
      // no more attempts come
      yield* Effect.sleep("300 millis")
      assert.strictEqual(yield* sim.totalConnections, 1)
      assert.deepStrictEqual((yield* sim.requests()).map((r) => r.method), ["public/auth"])
    }))

  it.scopedLive("bad options fail with InvalidOptions naming every field, before any socket", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const error = yield* Effect.flip(DeribitClient.connect({
        url: sim.url,
        heartbeatInterval: 5,
        cancelOnDisconnect: "everything" as "account",
        credentials: { clientId: "", clientSecret: "s3cret-value" },
        heartbeatConfig: { type: "ping", interval: 1000 }
      } as DeribitClient.Options))
      assert.instanceOf(error, WebSocketError.InvalidOptions)
      const fields = (error as WebSocketError.InvalidOptions).issues.map((i) => i.field).sort()
      assert.deepStrictEqual(fields, [
        "cancelOnDisconnect",
        "credentials.clientId",
        "heartbeatConfig",
        "heartbeatInterval"
      ])
      const rules = new Map((error as WebSocketError.InvalidOptions).issues.map((i) => [i.field, i.rule]))
      assert.include(rules.get("heartbeatInterval"), "from 10")
      assert.include(rules.get("cancelOnDisconnect"), "\"connection\"")
      assert.include(rules.get("heartbeatConfig"), "heartbeatInterval")
      assert.notInclude(String(error), "s3cret-value")
      const noCredentials = yield* Effect.flip(
        DeribitClient.connect({ url: sim.url, cancelOnDisconnect: "connection" })
      )
      assert.strictEqual((noCredentials as WebSocketError.InvalidOptions).field, "cancelOnDisconnect")
      assert.strictEqual(yield* sim.totalConnections, 0)
    }))
})

describe("DeribitClient: requests", () => {
  it.scopedLive("13009 on a private call: re-auth once on the live connection, retry once", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* connectTo(sim)
      yield* sim.clearLog
      yield* sim.failMethod("private/get_positions", { code: 13009, times: 1 })
      const positions = yield* DeribitClient.request(session, "private/get_positions", { currency: "BTC" })
      assert.isArray(positions)
      assert.deepStrictEqual((yield* sim.requests()).map((r) => r.method), [
        "private/get_positions",
        "public/auth",
        "private/get_positions"
      ])
      // twice in a row: one re-auth, one retry, then the error
      yield* sim.clearLog
      yield* sim.failMethod("private/get_positions", { code: 13009, times: 2 })
      const error = yield* Effect.flip(DeribitClient.request(session, "private/get_positions", { currency: "BTC" }))
      assert.isTrue(DeribitError.isDeribitRpcError(error) && error.reason === "unauthorized")
      assert.deepStrictEqual((yield* sim.requests()).map((r) => r.method), [
        "private/get_positions",
        "public/auth",
        "private/get_positions"
      ])
      assert.strictEqual(yield* sim.totalConnections, 1)
    }))

  it.scopedLive("typed results, untyped methods, errors from the table, the latency split", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* connectTo(sim)
      const book = yield* DeribitClient.request(session, "public/get_order_book", { instrument_name: "BTC-PERPETUAL" })
      assert.strictEqual(book.instrument_name, "BTC-PERPETUAL")
      const { result, timing } = yield* DeribitClient.requestTimed(session, "public/test", {})
      assert.isString(result.version)
      assert.isDefined(timing)
      assert.strictEqual(timing!.usDiff, timing!.usOut - timing!.usIn)
      assert.closeTo(timing!.serverMs + timing!.networkMs, timing!.roundTripMs, 0.001 + timing!.serverMs)
      const untyped = yield* DeribitClient.request(session, "public/get_time")
      assert.isNumber(untyped)
      const error = yield* Effect.flip(
        DeribitClient.request(session, "public/get_order_book", { instrument_name: "NOPE-PERPETUAL" })
      )
      assert.isTrue(DeribitError.isDeribitRpcError(error))
      const explained = ErrorHandler.explain(error)
      assert.include(explained.message, "public/get_order_book")
      const { network, server } = yield* DeribitClient.latency(session)
      assert.isTrue(Option.isSome(network) && Option.isSome(server))
      assert.isAtLeast(Option.getOrThrow(server).count, 3)
      assert.isTrue(Option.isSome(DeribitClient.accessToken(session)))
      assert.notInclude(String(session), sim.credentials.clientSecret)
      assert.include(String(session), "DeribitSession")
    }))

  it.scopedLive("channels as typed streams: shared, subscribed when pulled, unsubscribed after the last", () =>
    Effect.gen(function*() {
      const sim = yield* DeribitSimulator.start({ market: { generate: false } })
      const session = yield* connectTo(sim)
      const channel = "ticker.BTC-PERPETUAL.100ms"
      const one = DeribitClient.ticker(session, "BTC-PERPETUAL", "100ms").pipe(Stream.take(3), Stream.runCollect)
      const driver = Effect.forever(Effect.zipRight(sim.tick(1), Effect.sleep("5 millis")))
      const [a, b] = yield* Effect.raceFirst(
        Effect.all([one, one], { concurrency: 2 }),
        Effect.zipRight(driver, Effect.never)
      )
      assert.strictEqual(a.length, 3)
      assert.strictEqual(b.length, 3)
      for (const t of a) assert.strictEqual(t.instrument_name, "BTC-PERPETUAL")
      const subscribes = (yield* sim.requests()).filter((r) => r.method === "public/subscribe")
      assert.strictEqual(subscribes.length, 1, "one subscription shared by both streams")
      yield* eventually(
        Effect.map(sim.connections, (cs) => !cs[0].subscriptions.includes(channel)),
        "the unsubscribe after the last stream"
      )
      assert.deepStrictEqual(yield* session.client.subscriptions, [])
    }))
})
