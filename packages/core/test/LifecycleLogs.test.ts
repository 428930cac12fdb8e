/**
 * The lines a client logs by default (no `debug`): reconnect waits and reconnects at Info, a give-up and a
 * supervisor's restart limit at Warning, each with the `client_id` annotation (not in the text), quiet under a log
 * level, never a frame's contents.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import * as Client from "../src/Client.js"
import * as ClientSupervisor from "../src/ClientSupervisor.js"
import * as Testing from "../src/Testing.js"
import { awaitSleeps } from "./utils/clock.js"
import { captureLogs, type Line } from "./utils/logs.js"

/** Waits (in real time, bounded) until `done` holds. */
const eventually = (done: () => boolean) =>
  Effect.repeat(Effect.sync(done), { until: (ok) => ok, schedule: Schedule.spaced("5 millis") }).pipe(
    Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("timed out waiting") }),
    TestServices.provideLive,
    Effect.orDie
  )

const ours = (lines: ReadonlyArray<Line>) => lines.filter((line) => line.annotations.client_id !== undefined)

/** A client with `retryCount: Infinity` against a server that answers every upgrade with HTTP 503. */
const unreachable = (server: Testing.MockServer) =>
  Client.connect(server.url, { id: "feed", retryCount: Infinity, retryDelay: 1_000, maxBackoff: 1_000, jitter: false })

describe("default lifecycle logs", () => {
  it.scoped("a retryCount: Infinity client that cannot connect logs each reconnect wait at Info (TestClock)", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* server.rejectUpgrade(503)
      const connecting = yield* Effect.fork(unreachable(server))
      for (let i = 1; i <= 3; i++) {
        yield* awaitSleeps(1)
        yield* TestClock.adjust(1_000)
      }
      yield* eventually(() => ours(lines).length >= 3)
      const [first, second, third] = ours(lines)
      const port = new URL(server.url).port
      for (const [i, line] of [first, second, third].entries()) {
        assert.strictEqual(line.level, "INFO")
        assert.strictEqual(line.annotations.client_id, "feed")
        assert.match(
          line.message,
          new RegExp(
            `^reconnecting in 1000 ms \\(attempt ${i + 2}\\) after: The server at ws://127\\.0\\.0\\.1:${port}/ws ` +
              "rejected the WebSocket upgrade with HTTP 503"
          )
        )
        assert.notInclude(line.message, "feed", "the client id is an annotation, not in the text")
      }
      assert.isTrue((yield* server.upgradeRequests).length >= 3)
      yield* Fiber.interrupt(connecting)
    }).pipe(Effect.provide(layer))
  })

  it.scoped("a log level quiets them: under Logger.withMinimumLogLevel(LogLevel.Error) the same client logs nothing", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* server.rejectUpgrade(503)
      const connecting = yield* Effect.fork(unreachable(server).pipe(Logger.withMinimumLogLevel(LogLevel.Error)))
      for (let i = 1; i <= 3; i++) {
        yield* awaitSleeps(1)
        yield* TestClock.adjust(1_000)
      }
      const attempts = yield* server.upgradeRequests
      assert.isTrue(attempts.length >= 3, `${attempts.length} attempts`)
      assert.deepStrictEqual(ours(lines), [])
      yield* Fiber.interrupt(connecting)
    }).pipe(Effect.provide(layer))
  })

  it.scoped("a give-up is a Warning saying why; LogLevel.Warning keeps it and drops the Info lines (TestClock)", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* server.rejectUpgrade(503)
      const connecting = yield* Effect.fork(
        Client.connect(server.url, { id: "once", retryCount: 1, retryDelay: 1_000, jitter: false }).pipe(
          Logger.withMinimumLogLevel(LogLevel.Warning)
        )
      )
      yield* awaitSleeps(1)
      yield* TestClock.adjust(1_000)
      const error = yield* Effect.flip(Fiber.join(connecting))
      assert.strictEqual(error._tag, "ConnectError")
      const warning = ours(lines).find((line) => line.level === "WARN")
      assert.isDefined(warning)
      assert.strictEqual(warning!.annotations.client_id, "once")
      assert.match(
        warning!.message,
        /^gave up after 2 attempt\(s\): The server at ws:\/\/127\.0\.0\.1:\d+\/ws rejected/
      )
      assert.deepStrictEqual(ours(lines).map((line) => line.level), ["WARN"])
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("a link that ends in a way that is not retried: a Warning that it gave up without retrying", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* Client.connect(server.url, {
        id: "kicked",
        retryDelay: 5,
        shouldReconnect: (cause) => (cause as { code?: number }).code !== 4001
      })
      yield* server.simulateDisconnect(4001, "kicked")
      yield* eventually(() => ours(lines).length > 0)
      const [line] = ours(lines)
      assert.strictEqual(line.level, "WARN")
      assert.match(line.message, /^gave up without retrying: Disconnected with close code 4001 .*kicked/)
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("a lost connection: the reconnect wait and the reconnect at Info, no frame's contents", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { id: "live", retryDelay: 5, jitter: false })
      yield* Client.sendMessage(client, "outbound-frame-contents")
      yield* server.injectMessage("inbound-frame-contents")
      yield* server.simulateDisconnect("abnormal")
      yield* eventually(() => ours(lines).some((line) => line.message.startsWith("reconnected")))
      const [waiting, reconnected] = ours(lines)
      assert.strictEqual(waiting.level, "INFO")
      assert.match(waiting.message, /^reconnecting in 5 ms \(attempt 1\) after: /)
      assert.strictEqual(reconnected.level, "INFO")
      assert.match(reconnected.message, /^reconnected \(upgrade took \d+ ms\)$/)
      assert.strictEqual(reconnected.annotations.client_id, "live")
      // a forced reconnect waits for no backoff: only the reconnect is logged
      yield* Client.reconnect(client)
      assert.deepStrictEqual(ours(lines).slice(2).map((line) => line.message.split(" ")[0]), ["reconnected"])
      for (const line of lines) assert.notInclude(JSON.stringify(line), "frame-contents")
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("a supervisor logs each restart at Info and its restart limit at Warning", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const supervisor = yield* ClientSupervisor.make
      yield* supervisor.startClient(server.url, {
        id: "sup",
        retryCount: 0,
        retryDelay: 5,
        jitter: false,
        maxRestarts: 1
      })
      yield* server.awaitConnections(1)
      yield* server.simulateDisconnect("abnormal")
      yield* server.awaitConnections(2)
      yield* server.simulateDisconnect("abnormal")
      yield* eventually(() => ours(lines).some((line) => line.message.includes("restart limit")))
      const supervisorLines = ours(lines).filter((line) => line.message.startsWith("supervisor:"))
      assert.deepStrictEqual(supervisorLines.map((line) => [line.level, line.annotations.client_id]), [
        ["INFO", "sup"],
        ["WARN", "sup"]
      ])
      assert.match(supervisorLines[0].message, /^supervisor: restarting in \d+ ms \(restart 1\)$/)
      assert.match(
        supervisorLines[1].message,
        /^supervisor: restart limit reached \(1 restarts within 60000 ms\): staying down$/
      )
      const gaveUp = ours(lines).filter((line) => line.message.startsWith("gave up"))
      assert.strictEqual(gaveUp.length, 2, "each incarnation gave up (retryCount: 0), at Warning")
    }).pipe(Effect.provide(layer))
  })
})
