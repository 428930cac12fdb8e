import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Net from "node:net"
import * as Client from "../src/Client.js"
import * as ClientOptions from "../src/ClientOptions.js"
import * as ErrorHandler from "../src/ErrorHandler.js"
import * as Testing from "../src/Testing.js"
import * as WebSocketError from "../src/WebSocketError.js"

const SECRET = "s3cr3t-t0ken"

/** Every place an error's text can reach: its message, its JSON, its string form and its explanation. */
const everyText = (error: unknown): string => {
  const explained = ErrorHandler.explain(error)
  return [
    (error as Error).message,
    JSON.stringify(error),
    String(error),
    explained.message,
    explained.suggestion
  ].join("\n")
}

/** A port with nothing listening on it. */
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
)

describe("ClientOptions", () => {
  it.effect("a bad options object reports every bad field at once, in one InvalidOptions", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ClientOptions.validate({
        timeout: -1,
        retryCount: 1.5,
        inbound: { bufferSize: 0, strategy: "suspend" },
        retries: 3
      } as ClientOptions.Options))
      assert.strictEqual(error._tag, "InvalidOptions")
      assert.deepStrictEqual(error.issues.map((issue) => issue.field), [
        "timeout",
        "retryCount",
        "inbound.bufferSize",
        "retries"
      ])
      // the first issue stays in `field` / `value` / `rule`
      assert.strictEqual(error.field, "timeout")
      assert.strictEqual(error.value, -1)
      assert.strictEqual(error.rule, error.issues[0].rule)
      assert.strictEqual(error.issues[3].rule, "is not a known option")
      for (const field of ["timeout", "retryCount", "inbound.bufferSize", "retries"]) {
        assert.include(error.message, field)
      }
    }))

  it.effect("a single bad field still has exactly one issue", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ClientOptions.validate({ maxPayload: "big" } as any))
      assert.strictEqual(error.field, "maxPayload")
      assert.strictEqual(error.issues.length, 1)
    }))

  it.effect("durations accept milliseconds and Duration.DurationInput, decoded once to milliseconds", () =>
    Effect.gen(function*() {
      const resolved = yield* ClientOptions.validate({
        timeout: "5 seconds",
        retryDelay: Duration.millis(250),
        maxBackoff: 10_000,
        requestTimeout: "1.5 seconds",
        heartbeatConfig: { type: "pong", interval: "30 seconds", timeout: "10 seconds" }
      })
      assert.strictEqual(resolved.timeout, 5_000)
      assert.strictEqual(resolved.retryDelay, 250)
      assert.strictEqual(resolved.maxBackoff, 10_000)
      assert.strictEqual(resolved.requestTimeout, 1_500)
      assert.deepStrictEqual(resolved.heartbeatConfig, { type: "pong", interval: 30_000, timeout: 10_000 })
      const bad = yield* Effect.flip(ClientOptions.validate({ timeout: "5 parsecs" } as any))
      assert.strictEqual(bad.field, "timeout")
      assert.include(bad.rule, "Duration")
    }))

  it.effect("the exported Schema is the source of the defaults", () =>
    Effect.sync(() => {
      assert.deepStrictEqual(Schema.decodeUnknownSync(ClientOptions.Options)({}), ClientOptions.defaults)
      assert.strictEqual(ClientOptions.defaults.timeout, 5_000)
      assert.strictEqual(ClientOptions.defaults.retryCount, 3)
      assert.deepStrictEqual(ClientOptions.defaults.inbound, { bufferSize: 1024, strategy: "suspend" })
    }))

  it.effect("one options object is validated once; changed between two validations, it is validated again", () =>
    Effect.gen(function*() {
      const options: { -readonly [K in keyof ClientOptions.Options]: ClientOptions.Options[K] } = {
        retryDelay: "2 seconds",
        inbound: { bufferSize: 64, strategy: "suspend" }
      }
      const first = yield* ClientOptions.validate(options)
      assert.strictEqual(yield* ClientOptions.validate(options), first, "same object, same fields: the same result")
      assert.strictEqual(yield* ClientOptions.validate(undefined), ClientOptions.defaults)
      // a field changed
      options.retryDelay = "3 seconds"
      assert.strictEqual((yield* ClientOptions.validate(options)).retryDelay, 3000)
      // a field added, and one that is now invalid
      options.maxBackoff = 10
      const error = yield* Effect.flip(ClientOptions.validate(options))
      assert.strictEqual(error.field, "maxBackoff")
      delete options.maxBackoff // a nested object changed in place
      ;(options.inbound as { bufferSize: number }).bufferSize = 8
      assert.strictEqual((yield* ClientOptions.validate(options)).inbound.bufferSize, 8)
      ;(options.inbound as { bufferSize: number }).bufferSize = -1
      assert.strictEqual((yield* Effect.flip(ClientOptions.validate(options))).field, "inbound.bufferSize")
    }))

  it.effect("clients made from one options object share its nested objects and the defaults (idle heap)", () =>
    Effect.gen(function*() {
      const options: ClientOptions.Options = { heartbeatConfig: { type: "ping", interval: 1000 } }
      const a = yield* ClientOptions.validate(options)
      const b = yield* ClientOptions.validate(options)
      assert.strictEqual(a.heartbeatConfig, options.heartbeatConfig)
      assert.strictEqual(a.inbound, b.inbound)
      assert.strictEqual(a.outbound, b.outbound)
      assert.strictEqual(a.headers, b.headers)
      // a duration to convert makes a copy, as it must
      const converted = yield* ClientOptions.validate({ heartbeatConfig: { type: "ping", interval: "1 second" } })
      assert.deepStrictEqual(converted.heartbeatConfig, { type: "ping", interval: 1000 })
    }))

  it.scopedLive("a client takes DurationInput options and Redacted header values (unwrapped on the wire only)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(Redacted.make(`${server.url}?token=${SECRET}`), {
        timeout: "2 seconds",
        requestTimeout: "3 seconds",
        headers: { authorization: Redacted.make(`Bearer ${SECRET}`) }
      })
      assert.strictEqual(client.options.requestTimeout, 3_000)
      const [upgrade] = yield* server.upgradeRequests
      assert.strictEqual(upgrade.headers.authorization, `Bearer ${SECRET}`)
      assert.strictEqual(upgrade.url, `/ws?token=${SECRET}`)
      assert.notInclude(JSON.stringify(client.options.headers), SECRET)
    }))
})

describe("secrets in URLs", () => {
  it.effect("a token in a bad URL never reaches the InvalidOptions text", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(Client.connect(`https://user:pass@x.test/ws?token=${SECRET}`)))
      assert.strictEqual(error._tag, "InvalidOptions")
      const text = everyText(error)
      assert.notInclude(text, SECRET)
      assert.notInclude(text, "pass@")
      assert.include(text, "token=***")
    }))

  it.effect("a token in the URL of a refused connection never reaches the ConnectError text or its explanation", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const url = `ws://user:pass@127.0.0.1:${port}/ws?depth=1&access_token=${SECRET}&signature=${SECRET}`
      const error = yield* Effect.flip(Effect.scoped(Client.connect(url, { retryCount: 0 })))
      assert.strictEqual(error._tag, "ConnectError")
      const text = everyText(error)
      assert.notInclude(text, SECRET)
      assert.notInclude(text, "pass@")
      assert.include(text, `127.0.0.1:${port}/ws?depth=1&access_token=***&signature=***`)
    }))

  it.effect("explain masks a token in any URL it is given", () =>
    Effect.sync(() => {
      const error = new WebSocketError.InvalidOptions({ field: "url", value: `ftp://x.test/?key=${SECRET}`, rule: "r" })
      assert.notInclude(everyText(error), SECRET)
    }))
})

describe("Client.layerConfig", () => {
  it.scopedLive("reads the URL (Config.redacted) and the options from Config, as Config.Wrap", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const provider = ConfigProvider.fromMap(
        new Map([["FEED_URL", `${server.url}?token=${SECRET}`], ["FEED_RETRIES", "7"], ["FEED_TIMEOUT", "9 seconds"]])
      )
      const layer = Client.layerConfig({
        url: Config.redacted("FEED_URL"),
        retryCount: Config.integer("FEED_RETRIES"),
        requestTimeout: Config.duration("FEED_TIMEOUT")
      })
      const client = yield* Layer.build(layer).pipe(
        Effect.map((context) => context.unsafeMap.get(Client.Client.key) as Client.Client),
        Effect.withConfigProvider(provider)
      )
      assert.strictEqual(yield* Client.getState(client), "connected")
      assert.strictEqual(client.options.retryCount, 7)
      assert.strictEqual(client.options.requestTimeout, 9_000)
      const [upgrade] = yield* server.upgradeRequests
      assert.strictEqual(upgrade.url, `/ws?token=${SECRET}`)
    }))
})

describe("the error family", () => {
  it("every error the library raises passes isZenWebSocketError; other errors do not", () => {
    const errors: ReadonlyArray<WebSocketError.ZenWebSocketError> = [
      new WebSocketError.ConnectError({ reason: "refused", url: "ws://x.test" }),
      new WebSocketError.NotConnected({ state: "connecting" }),
      new WebSocketError.Disconnected({ code: 1006, reason: "" }),
      new WebSocketError.RequestTimeout({ id: 1, method: "m", timeoutMs: 1 }),
      new WebSocketError.RpcError({ code: -32601, message: "nope" }),
      new WebSocketError.DuplicateRequestId({ id: 1 }),
      new WebSocketError.RateLimited({ queueSize: 1, cost: 1 }),
      new WebSocketError.InvalidOptions({ field: "f", value: 1, rule: "r" }),
      new WebSocketError.SendError({ reason: "encode" }),
      new WebSocketError.OfflineQueueFull({ capacity: 1, evicted: false }),
      new WebSocketError.NoConnections({ candidates: 0 }),
      new WebSocketError.HeartbeatTimeout({ type: "ping", missed: 2, silentMs: 3 }),
      new WebSocketError.RecorderError({ reason: "open", path: "/x", cause: new Error("ENOENT") }),
      new WebSocketError.MockAssertionError({ message: "m", received: [] }),
      new WebSocketError.MockServerError({ reason: "r" })
    ]
    for (const error of errors) assert.isTrue(WebSocketError.isZenWebSocketError(error), error._tag)
    assert.isFalse(WebSocketError.isZenWebSocketError(new Error("x")))
    assert.isFalse(WebSocketError.isZenWebSocketError({ _tag: "ConnectError" }))
    assert.isTrue(WebSocketError.isWebSocketError(errors[0]))
    assert.isFalse(WebSocketError.isWebSocketError(errors[11]))
  })

  it("errors that cross a process boundary encode and decode back to the same class, keeping a cause's message", () => {
    const error = new WebSocketError.Disconnected({ code: 1006, reason: "gone", cause: new Error("EOF") })
    const wire = JSON.parse(JSON.stringify(Schema.encodeSync(WebSocketError.Disconnected)(error)))
    const back = Schema.decodeUnknownSync(WebSocketError.Disconnected)(wire)
    assert.instanceOf(back, WebSocketError.Disconnected)
    assert.strictEqual(back.code, 1006)
    assert.strictEqual((back.cause as Error).message, "EOF")
    assert.isTrue(WebSocketError.isZenWebSocketError(back))
    const recorder = new WebSocketError.RecorderError({ reason: "write", path: "/x", cause: new Error("EIO") })
    const decoded = Schema.decodeUnknownSync(WebSocketError.RecorderError)(
      JSON.parse(JSON.stringify(Schema.encodeSync(WebSocketError.RecorderError)(recorder)))
    )
    assert.strictEqual(decoded.message, "Could not write the recording /x: EIO")
  })
})

/** A TCP listener that counts the connections it accepts (and never upgrades them). */
const tcpCounter = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ readonly url: string; readonly accepted: () => number; readonly server: Net.Server }>((resolve) => {
      let accepted = 0
      const server = Net.createServer((socket) => {
        accepted++
        socket.destroy()
      })
      server.listen(0, "127.0.0.1", () =>
        resolve({
          url: `ws://127.0.0.1:${(server.address() as Net.AddressInfo).port}/ws`,
          accepted: () => accepted,
          server
        }))
    })
  ),
  ({ server }) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
)

/** `Client.connect` must fail with InvalidOptions, at once (no hang), before any socket opens. */
const refusedBeforeConnecting = (options: Client.Options) =>
  Effect.gen(function*() {
    const counter = yield* tcpCounter
    const result = yield* Client.connect(counter.url, { retryCount: 0, ...options }).pipe(
      Effect.flip,
      Effect.timeout("5 seconds"),
      Effect.option
    )
    assert.isTrue(result._tag === "Some", "Client.connect hung on an input error")
    const error = (result as { value: unknown }).value as WebSocketError.InvalidOptions
    assert.strictEqual(error._tag, "InvalidOptions", String(error))
    assert.strictEqual(counter.accepted(), 0, "no socket was opened")
    return error
  })

describe("bad input fails fast and clearly", () => {
  it.scopedLive("header names must be RFC 7230 tokens", () =>
    Effect.gen(function*() {
      for (const name of ["bad name", "x-a:b", "x\r\ny", "", "naïve"]) {
        const error = yield* refusedBeforeConnecting({ headers: { [name]: "v" } })
        assert.strictEqual(error.field, `headers.${name}`)
        assert.include(error.rule, "RFC 7230 token")
      }
    }))

  it.scopedLive("header values carry no CR, LF, NUL or other control character; the value is never shown", () =>
    Effect.gen(function*() {
      for (const value of [`${SECRET}\r\nX-Injected: 1`, `${SECRET}\n`, `a\u0000b`, "tab\tis fine\u0007"]) {
        const error = yield* refusedBeforeConnecting({ headers: { "x-token": value } })
        assert.strictEqual(error.field, "headers.x-token")
        assert.include(error.rule, "CR, LF, NUL")
        assert.notInclude(everyText(error), SECRET)
      }
      const redacted = yield* refusedBeforeConnecting({ headers: { auth: Redacted.make(`${SECRET}\r\n`) } })
      assert.strictEqual(redacted.field, "headers.auth")
      assert.notInclude(everyText(redacted), SECRET)
    }))

  it.scopedLive("headers an Effect produces are checked on every attempt: connect fails instead of hanging", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const result = yield* Client.connect(server.url, {
        headers: Effect.succeed({ "x-token": "abc\r\nInjected: 1" }),
        retryCount: 3,
        retryDelay: 5
      }).pipe(Effect.flip, Effect.timeout("5 seconds"), Effect.option)
      assert.isTrue(result._tag === "Some", "Client.connect hung")
      const error = (result as { value: WebSocketError.InvalidOptions }).value
      assert.strictEqual(error._tag, "InvalidOptions")
      assert.strictEqual(error.field, "headers.x-token")
      assert.strictEqual(yield* server.totalConnections, 0)
    }))

  it.scopedLive("subprotocols are tokens, without duplicates", () =>
    Effect.gen(function*() {
      const spaced = yield* refusedBeforeConnecting({ protocols: ["json", "bad protocol"] })
      assert.strictEqual(spaced.field, "protocols.1")
      assert.include(spaced.rule, "RFC 7230 token")
      const comma = yield* refusedBeforeConnecting({ protocols: "a,b" })
      assert.strictEqual(comma.field, "protocols.0")
      const duplicate = yield* refusedBeforeConnecting({ protocols: ["v1.json", "v2.json", "v1.json"] })
      assert.strictEqual(duplicate.field, "protocols.2")
      assert.include(duplicate.rule, "must not repeat")
      yield* refusedBeforeConnecting({ protocols: [""] })
    }))

  it.scopedLive("every size, count and duration has an upper bound (regression: latencyBufferSize 1e10 crashed)", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Client.Options, string]> = [
        [{ latencyBufferSize: 1e10 }, "latencyBufferSize"],
        [{ inbound: { bufferSize: 1e9, strategy: "suspend" } }, "inbound.bufferSize"],
        [{ offlineQueue: { capacity: 1e12, strategy: "fail" } }, "offlineQueue.capacity"],
        [{ maxPayload: 2 ** 40 }, "maxPayload"],
        [{ outbound: { highWaterMark: 2 ** 40 } }, "outbound.highWaterMark"],
        [{ retryCount: 1e300 }, "retryCount"],
        [{ requestTimeout: "30 days" }, "requestTimeout"],
        [{ timeout: 2 ** 31 }, "timeout"],
        [{ closeTimeout: "1000 days" }, "closeTimeout"],
        [{ heartbeatConfig: { type: "ping", interval: 1000, maxMissed: 1e9 } }, "heartbeatConfig.maxMissed"],
        [{ headers: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`x-${i}`, "v"])) }, "headers"],
        [{ protocols: Array.from({ length: 65 }, (_, i) => `p${i}`) }, "protocols"]
      ]
      for (const [options, field] of cases) {
        const error = yield* refusedBeforeConnecting(options)
        assert.strictEqual(error.field, field, JSON.stringify(options).slice(0, 100))
        assert.match(error.rule, /at most/, error.rule)
      }
    }))

  it.scopedLive("the largest accepted values work: nothing accepted crashes later", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, {
        latencyBufferSize: 1_048_576,
        inbound: { bufferSize: 1_048_576, strategy: "sliding" },
        offlineQueue: { capacity: 1_048_576, strategy: "fail" },
        maxPayload: 1024 * 1024 * 1024,
        requestTimeout: 2_147_483_647,
        closeTimeout: 2_147_483_647
      })
      yield* Client.request(client, { method: "public/test" })
      assert.isTrue((yield* Client.getLatencyStats(client))._tag === "Some")
    }))
})
