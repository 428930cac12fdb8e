import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Client from "../../src/Client.js"
import * as Dialect from "../../src/Dialect.js"
import * as Testing from "../../src/Testing.js"
import { conformance } from "../utils/conformance.js"
import { recordEvents } from "../utils/events.js"
import { okxLogin } from "../utils/venueLogins.js"

conformance({
  venue: "okx",
  server: Testing.startVenueServer("okx"),
  dialect: () => Dialect.okx(),
  channels: ["tickers:BTC-USDT", "books5:ETH-USDT", "trades:SOL-USDT"],
  bad: "tickers:INVALID-USDT",
  many: (n) => `tickers:COIN${n}-USDT`,
  private: { channel: "orders?instType=ANY", restoreHooks: [okxLogin()] }
})

describe("OKX login through session.sendAndAwait", () => {
  it.scopedLive("the login ack settles the await and is not delivered to messages", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("okx")
      const client = yield* Client.connect(venue.url, {
        subscriptionProtocol: Dialect.okx(),
        restoreHooks: [okxLogin()]
      })
      const messages = yield* client.messagesScoped
      const seen = yield* messages.pipe(Stream.take(1), Stream.runCollect, Effect.forkScoped)
      yield* Client.subscribe(client, ["account"])
      yield* venue.publish("account", { ccy: "USDT" })
      const [first] = Chunk.toReadonlyArray(yield* Fiber.join(seen))
      assert.strictEqual(
        client.channelOf(first!),
        "account",
        "the first frame delivered is the push, not the login ack"
      )
      assert.strictEqual((yield* venue.requests).filter((r) => r.op === "auth").length, 1)
    }))

  it.scopedLive("the login's passphrase and signature never reach a recording", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("okx")
      const dir = yield* Effect.sync(() => mkdtempSync(join(tmpdir(), "zenws-okx-")))
      const path = join(dir, "session.jsonl")
      const client = yield* Client.connect(venue.url, {
        subscriptionProtocol: Dialect.okx(),
        restoreHooks: [okxLogin()],
        recordTo: path
      })
      yield* Client.subscribe(client, ["account"])
      yield* Client.close(client)
      const frames = readFileSync(path, "utf8").trim().split("\n").map((line) => JSON.parse(line))
      const login = frames.find((e) => e.dir === "out" && String(e.data).includes("\"login\""))
      const [arg] = JSON.parse(login.data).args
      assert.deepStrictEqual([arg.passphrase, arg.sign, arg.apiKey], ["***", "***", "key"])
    }))

  it.scopedLive("a refused login (60009) gives up once: bad credentials are fatal", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("okx")
      const error = yield* Effect.flip(Client.connect(venue.url, {
        subscriptionProtocol: Dialect.okx(),
        restoreHooks: [okxLogin("wrong")],
        retryCount: Infinity,
        retryDelay: 5
      }))
      assert.strictEqual(error._tag === "ConnectError" && error.reason, "restore")
      assert.strictEqual(error._tag === "ConnectError" && (error.cause as any).code, 60009)
      assert.strictEqual((yield* venue.requests).filter((r) => r.op === "auth").length, 1)
    }))

  it.scopedLive("an unanswered login times out and is retried (transient), then the session is restored", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("okx")
      const client = yield* Client.connect(venue.url, {
        subscriptionProtocol: Dialect.okx(),
        restoreHooks: [okxLogin()],
        retryCount: Infinity,
        retryDelay: 5,
        jitter: false
      })
      yield* Client.subscribe(client, ["orders?instType=ANY"])
      const events = yield* recordEvents(client)
      yield* venue.failNext("auth", 1, "silent")
      yield* venue.simulateDisconnect("abnormal")
      yield* Effect.timeout(events.next("Connected"), "5 seconds")
      const all = yield* events.all
      assert.strictEqual(all.filter((e) => e._tag === "Connecting").length, 2)
      assert.deepStrictEqual(yield* venue.holding, ["orders?instType=ANY"])
    }))
})
