/**
 * `zenws serve`'s faults, observed by clients: core's Client in this process, and `zenws connect` (its heartbeat
 * detecting a half-open link).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Client from "@zen-websocket/core/Client"
import type * as ClientEvent from "@zen-websocket/core/ClientEvent"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import { runZenws, serve, zenws } from "./utils/process.js"

const connectError = (url: string, options?: Client.Options) =>
  Effect.flip(Effect.scoped(Client.connect(url, { retryCount: 0, ...options })))

/** The next event with that tag (at most 10 s). */
const nextEvent = <T extends ClientEvent.ClientEvent["_tag"]>(events: Stream.Stream<ClientEvent.ClientEvent>, tag: T) =>
  events.pipe(
    Stream.filter((e): e is Extract<ClientEvent.ClientEvent, { _tag: T }> => e._tag === tag),
    Stream.runHead,
    Effect.map(Option.getOrThrow),
    Effect.timeout("10 seconds")
  )

describe("zenws serve", () => {
  it.scopedLive("echoes frames, answers JSON-RPC requests and logs what it receives on stderr", () =>
    Effect.gen(function*() {
      const { running, url } = yield* serve()
      assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/)
      const client = yield* Client.connect(url)
      const messages = yield* client.messagesScoped
      yield* Client.sendMessage(client, "unchanged")
      const [echo] = yield* Stream.runCollect(Stream.take(messages, 1)).pipe(Effect.map((c) => [...c]))
      assert.deepStrictEqual(echo._tag === "Text" && echo.data, "unchanged")
      assert.deepStrictEqual(yield* Client.request(client, { method: "public/test" }), { version: "mock" })
      yield* running.waitFor(/^\[1\] < unchanged$/m, { stream: "stderr" })
    }))

  it.scopedLive("--refuse: the client's connect is refused", () =>
    Effect.gen(function*() {
      const { url } = yield* serve(["--refuse"])
      const error = yield* connectError(url)
      assert.deepStrictEqual([error._tag, error._tag === "ConnectError" && error.reason], ["ConnectError", "refused"])
    }))

  it.scopedLive("--reject 403: the client gets the HTTP status", () =>
    Effect.gen(function*() {
      const { url } = yield* serve(["--reject", "403"])
      const error = yield* connectError(url)
      assert.deepStrictEqual(
        [error._tag, error._tag === "ConnectError" && error.reason, error._tag === "ConnectError" && error.status],
        ["ConnectError", "http", 403]
      )
    }))

  it.scopedLive("--stall-handshake: the client's attempt times out", () =>
    Effect.gen(function*() {
      const { url } = yield* serve(["--stall-handshake"])
      const error = yield* connectError(url, { timeout: 300 })
      assert.deepStrictEqual([error._tag, error._tag === "ConnectError" && error.reason], ["ConnectError", "timeout"])
    }))

  it.scopedLive("--half-open-after: zenws connect's heartbeat notices the silence and reconnects", () =>
    Effect.gen(function*() {
      const { running: server, url } = yield* serve(["--half-open-after", "200"])
      const client = yield* zenws(["connect", url, "--ping", "150", "--retry", "inf"])
      yield* server.waitFor(/half-open: the server went silent/, { stream: "stderr" })
      yield* client.waitFor(/^\* heartbeat: \d+ pongs? missed$/m, { stream: "stderr" })
      yield* client.waitFor(/^\* disconnected: code 1006/m, { stream: "stderr" })
      yield* client.waitFor(/^\* reconnecting in \d+ ms/m, { stream: "stderr" })
    }))

  it.scopedLive("--drop-pongs: the client's pings go unanswered", () =>
    Effect.gen(function*() {
      const { url } = yield* serve(["--drop-pongs"])
      const client = yield* Client.connect(url, { heartbeatConfig: { type: "ping", interval: 100 } })
      const events = yield* client.eventsScoped
      const missed = yield* nextEvent(events, "HeartbeatMissed")
      assert.isAtLeast(missed.missed, 1)
    }))

  it.scopedLive("--close-after --code: each connection is closed with that code", () =>
    Effect.gen(function*() {
      const { url } = yield* serve(["--close-after", "100", "--code", "4001"])
      const client = yield* Client.connect(url, { retryDelay: 50 })
      const events = yield* client.eventsScoped
      const first = yield* nextEvent(events, "Disconnected")
      assert.deepStrictEqual([first.code, first.reason], [4001, "zenws serve --close-after"])
      const second = yield* nextEvent(events, "Disconnected")
      assert.strictEqual(second.code, 4001)
    }))

  it.scopedLive("--delay: replies come late, in order", () =>
    Effect.gen(function*() {
      const { url } = yield* serve(["--delay", "400"])
      const client = yield* Client.connect(url)
      const messages = yield* client.messagesScoped
      yield* Effect.forEach(["a", "b", "c"], (m) => Client.sendMessage(client, m), { discard: true })
      const early = yield* Stream.runHead(messages).pipe(Effect.timeoutOption("100 millis"))
      assert.isTrue(Option.isNone(early), "nothing within 100 ms")
      const late = yield* messages.pipe(Stream.take(3), Stream.runCollect, Effect.timeout("5 seconds"))
      assert.deepStrictEqual([...late].map((m) => m._tag === "Text" && m.data), ["a", "b", "c"])
    }))

  it.scopedLive("--tls: wss:// with a certificate file that connect --ca trusts; --insecure warns", () =>
    Effect.gen(function*() {
      const { running, url } = yield* serve(["--tls"])
      assert.match(url, /^wss:\/\//)
      const [, ca] = yield* running.waitFor(/^certificate: (\S+)/m, { stream: "stderr" })
      assert.isTrue(Fs.readFileSync(ca, "utf8").includes("BEGIN CERTIFICATE"))
      const trusted = yield* runZenws(["send", url, "over tls", "--ca", ca])
      assert.strictEqual(trusted.code, 0, trusted.stderr)
      assert.strictEqual(trusted.stdout, "over tls\n")
      const untrusted = yield* runZenws(["send", url, "over tls"])
      assert.strictEqual(untrusted.code, 2, untrusted.stderr)
      const insecure = yield* runZenws(["send", url, "over tls", "--insecure"])
      assert.strictEqual(insecure.code, 0, insecure.stderr)
      assert.match(insecure.stderr, /^warning: --insecure: TLS certificates are not verified/m)
    }))

  it.scopedLive("flags are checked before the server starts", () =>
    Effect.gen(function*() {
      const code = yield* runZenws(["serve", "--close-after", "10", "--code", "1005"])
      assert.strictEqual(code.code, 4)
      assert.match(code.stderr, /--code 1005 cannot be sent in a close frame/)
      const both = yield* runZenws(["serve", "--echo", "--replay", new URL(import.meta.url).pathname])
      assert.strictEqual(both.code, 4)
      assert.match(both.stderr, /^error: --echo and --replay exclude each other/m)
    }))
})
