import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Client from "../src/Client.js"
import * as Dialect from "../src/Dialect.js"
import * as ErrorHandler from "../src/ErrorHandler.js"
import * as Message from "../src/Message.js"
import * as SubscriptionProtocol from "../src/SubscriptionProtocol.js"
import * as Testing from "../src/Testing.js"
import { ConnectError, Disconnected, InvalidOptions, RequestTimeout, RpcError } from "../src/WebSocketError.js"

const rpc = (code: number, message = "x") => new RpcError({ code, message })

describe("Dialect classifiers (transient vs fatal)", () => {
  const cases: ReadonlyArray<readonly [Dialect.Name, unknown, boolean]> = [
    ["jsonRpc", rpc(10028, "too_many_requests"), true],
    ["jsonRpc", rpc(11051, "system_maintenance"), true],
    ["jsonRpc", rpc(13028, "temporarily_unavailable"), true],
    ["jsonRpc", rpc(13004, "invalid_credentials"), false],
    ["jsonRpc", rpc(13009, "unauthorized"), false],
    ["jsonRpc", rpc(13778, "raw_subscriptions_not_available_for_unauthorized"), false],
    ["jsonRpc", new RequestTimeout({ id: 1, method: "public/auth", timeoutMs: 10 }), true],
    ["jsonRpc", new Disconnected({ code: 1006, reason: "" }), true],
    ["jsonRpc", new ConnectError({ reason: "http", url: "wss://x.test", status: 401 }), false],
    ["jsonRpc", new ConnectError({ reason: "http", url: "wss://x.test", status: 403 }), false],
    ["jsonRpc", new InvalidOptions({ field: "timeout", value: -1, rule: "positive" }), false],
    ["okx", rpc(50011, "Rate limit reached"), true],
    ["okx", rpc(60014, "Requests too frequent."), true],
    ["okx", rpc(60009, "Login failed."), false],
    ["okx", rpc(60018, "doesn't exist"), false],
    ["bybit", rpc(0, "error:too many requests"), true],
    ["bybit", rpc(0, "error:handler not found,topic:x"), false],
    ["coinbase", rpc(0, "rate limit exceeded"), true],
    ["coinbase", rpc(0, "authentication failure"), false],
    ["krakenV2", rpc(0, "EGeneral:Too many requests"), true],
    ["krakenV2", rpc(0, "EService:Unavailable"), true],
    ["krakenV2", rpc(0, "EAPI:Invalid key"), false],
    ["ethSubscribe", rpc(-32005, "limit exceeded"), true],
    ["ethSubscribe", rpc(-32601, "no such subscription"), false]
  ]
  for (const [name, error, transient] of cases) {
    it(
      `${name}: ${(error as { _tag: string })._tag} ${(error as any).code ?? (error as any).status ?? ""} ${
        (error as any).message ?? ""
      } → ${transient ? "transient" : "fatal"}`,
      () => {
        assert.strictEqual(Dialect.builtIn[name]().retryable(error), transient)
      }
    )
  }

  it("Dialect.isTransient is the JSON-RPC default", () => {
    assert.isTrue(Dialect.isTransient(rpc(10028)))
    assert.isFalse(Dialect.isTransient(rpc(13004)))
  })

  it("a restore failure carries the verdict ErrorHandler.isRecoverable uses", () => {
    const cause = rpc(10028, "too_many_requests")
    assert.isTrue(
      ErrorHandler.isRecoverable(new ConnectError({ reason: "restore", url: "wss://x", cause, retryable: true }))
    )
    assert.isFalse(
      ErrorHandler.isRecoverable(new ConnectError({ reason: "restore", url: "wss://x", cause, retryable: false }))
    )
    // without a verdict (an error made elsewhere): the cause is judged as before
    assert.isFalse(ErrorHandler.isRecoverable(new ConnectError({ reason: "restore", url: "wss://x", cause })))
  })
})

describe("Dialect values", () => {
  it("every built-in dialect is plain data with its venue's limits", () => {
    const limits = Object.fromEntries(Object.entries(Dialect.builtIn).map(([name, make]) => [name, make().limits]))
    assert.deepStrictEqual(limits, {
      jsonRpc: { maxChannelsPerRequest: Infinity, maxFrameBytes: 32 * 1024, pacing: { burst: 10, perSecond: 3.3 } },
      okx: { maxChannelsPerRequest: Infinity, maxFrameBytes: 64 * 1024, pacing: { burst: 480, perSecond: 480 / 3600 } },
      bybit: { maxChannelsPerRequest: 10, maxFrameBytes: 21_000, pacing: undefined },
      coinbase: { maxChannelsPerRequest: Infinity, maxFrameBytes: 64 * 1024, pacing: { burst: 8, perSecond: 8 } },
      krakenV2: { maxChannelsPerRequest: Infinity, maxFrameBytes: 64 * 1024, pacing: undefined },
      ethSubscribe: { maxChannelsPerRequest: 1, maxFrameBytes: 32 * 1024 * 1024, pacing: undefined }
    })
  })

  it("limits and the classifier can be replaced; the rest stays", () => {
    const okx = Dialect.okx({ limits: { maxChannelsPerRequest: 50 }, retryable: () => true })
    assert.strictEqual(okx.limits.maxChannelsPerRequest, 50)
    assert.strictEqual(okx.limits.maxFrameBytes, 64 * 1024)
    assert.isTrue(okx.retryable(rpc(60009)))
    const small = Dialect.withLimits(Dialect.jsonRpc(), { maxFrameBytes: 1024, pacing: undefined })
    assert.deepStrictEqual(small.limits, { maxChannelsPerRequest: Infinity, maxFrameBytes: 1024, pacing: undefined })
  })

  it("the frames of a batch, in each venue's format", () => {
    const context = { ref: 7, serverId: (c: string) => c === "newHeads" ? "0xabc" : undefined }
    assert.deepStrictEqual(Dialect.okx().subscribe(["tickers:BTC-USDT", "account", "orders?instType=SPOT"], context), {
      id: "7",
      op: "subscribe",
      args: [{ channel: "tickers", instId: "BTC-USDT" }, { channel: "account" }, {
        channel: "orders",
        instType: "SPOT"
      }]
    })
    assert.deepStrictEqual(Dialect.bybit().subscribe(["orderbook.50.BTCUSDT"], context), {
      req_id: "7",
      op: "subscribe",
      args: ["orderbook.50.BTCUSDT"]
    })
    assert.deepStrictEqual(
      Dialect.coinbase({ jwt: () => "signed" }).subscribe(["level2:ETH-USD", "level2:BTC-USD"], context),
      {
        type: "subscribe",
        product_ids: ["ETH-USD", "BTC-USD"],
        channel: "level2",
        jwt: "signed"
      }
    )
    assert.deepStrictEqual(Dialect.krakenV2().subscribe(["ticker:BTC/USD", "ticker:ETH/USD"], context), {
      method: "subscribe",
      params: { channel: "ticker", symbol: ["BTC/USD", "ETH/USD"] },
      req_id: 7
    })
    assert.deepStrictEqual(Dialect.ethSubscribe().subscribe(["logs:{\"address\":\"0x1\"}"], context), {
      jsonrpc: "2.0",
      id: 7,
      method: "eth_subscribe",
      params: ["logs", { address: "0x1" }]
    })
    assert.deepStrictEqual(Dialect.ethSubscribe().unsubscribe(["newHeads"], context), {
      jsonrpc: "2.0",
      id: 7,
      method: "eth_unsubscribe",
      params: ["0xabc"]
    })
    assert.deepStrictEqual(Dialect.jsonRpc({ subscribeMethod: "private/subscribe" }).subscribe(["a"], context), {
      jsonrpc: "2.0",
      id: 7,
      method: "private/subscribe",
      params: { channels: ["a"] }
    })
  })

  it("Coinbase signs every subscribe frame afresh; Kraken puts its token in params", () => {
    let signed = 0
    const coinbase = Dialect.coinbase({ jwt: () => `jwt-${++signed}` })
    const context = { ref: 1, serverId: () => undefined }
    assert.strictEqual((coinbase.subscribe(["user"], context) as any).jwt, "jwt-1")
    assert.strictEqual((coinbase.subscribe(["user"], context) as any).jwt, "jwt-2")
    assert.strictEqual(
      (Dialect.krakenV2({ token: () => "t" }).subscribe(["executions"], context) as any).params.token,
      "t"
    )
  })

  it("routing by the dialect alone: names, and server ids left to the client", () => {
    const push = (json: unknown) => Message.text(JSON.stringify(json))
    assert.strictEqual(
      Dialect.channelName(Dialect.okx(), push({ arg: { channel: "tickers", instId: "BTC-USDT" }, data: [] })),
      "tickers:BTC-USDT"
    )
    assert.strictEqual(
      Dialect.channelName(Dialect.okx(), push({ arg: { channel: "orders", instType: "SPOT", uid: "1" }, data: [] })),
      "orders?instType=SPOT"
    )
    assert.strictEqual(
      Dialect.channelName(Dialect.coinbase(), push({ channel: "l2_data", events: [{ product_id: "ETH-USD" }] })),
      "level2:ETH-USD"
    )
    assert.strictEqual(
      Dialect.channelName(
        Dialect.coinbase(),
        push({ channel: "ticker", events: [{ tickers: [{ product_id: "BTC-USD" }] }] })
      ),
      "ticker:BTC-USD"
    )
    assert.strictEqual(
      Dialect.channelName(Dialect.krakenV2(), push({ channel: "ticker", data: [{ symbol: "BTC/USD" }] })),
      "ticker:BTC/USD"
    )
    assert.strictEqual(
      Dialect.channelName(Dialect.bybit(), push({ topic: "orderbook.50.BTCUSDT", type: "delta", data: {} })),
      "orderbook.50.BTCUSDT"
    )
    assert.isUndefined(
      Dialect.channelName(
        Dialect.ethSubscribe(),
        push({ method: "eth_subscription", params: { subscription: "0x1", result: {} } })
      )
    )
    assert.deepStrictEqual(
      Dialect.ethSubscribe().channelOf(
        push({ method: "eth_subscription", params: { subscription: "0x1", result: {} } })
      ),
      { serverId: "0x1" }
    )
    assert.isUndefined(Dialect.channelName(Dialect.jsonRpc(), Message.text("not json")))
  })

  it("SubscriptionProtocol keeps working as the former name", () => {
    const protocol: SubscriptionProtocol.SubscriptionProtocol = SubscriptionProtocol.jsonRpc({
      subscribeMethod: "private/subscribe"
    })
    assert.strictEqual(protocol.name, "jsonRpc")
    assert.strictEqual(SubscriptionProtocol.defaultProtocol, Dialect.defaultDialect)
  })

  it.scopedLive("a subscriptionProtocol of the wrong shape fails connect with InvalidOptions, before any socket opens", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const legacy = {
        subscribe: (channels: ReadonlyArray<string>) => ({ method: "sub", params: channels }),
        confirmed: () => []
      }
      const error = yield* Effect.flip(Client.connect(server.url, { subscriptionProtocol: legacy as any }))
      assert.strictEqual(error._tag, "InvalidOptions")
      assert.strictEqual(error._tag === "InvalidOptions" && error.field, "subscriptionProtocol")
      const unpaceable = Dialect.withLimits(Dialect.okx(), { pacing: { burst: 0, perSecond: 1 } })
      const bad = yield* Effect.flip(Client.connect(server.url, { subscriptionProtocol: unpaceable }))
      assert.strictEqual(bad._tag === "InvalidOptions" && bad.field, "subscriptionProtocol")
      assert.strictEqual(yield* server.totalConnections, 0)
    }))

  it.scopedLive("a channel whose frame alone is over maxFrameBytes is refused before it is sent", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("jsonRpc")
      const client = yield* Client.connect(venue.url, {
        subscriptionProtocol: Dialect.jsonRpc({ limits: { maxFrameBytes: 200 } })
      })
      const error = yield* Effect.flip(Client.subscribe(client, ["ticker.BTC", "x".repeat(300)]))
      assert.strictEqual(error._tag === "SendError" && error.reason, "encode")
      assert.deepStrictEqual(yield* Client.subscriptions(client), ["ticker.BTC"])
      assert.isTrue((yield* venue.requests).every((r) => r.bytes <= 200))
    }))
})
