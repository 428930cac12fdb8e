/**
 * Interoperability with an independent WebSocket implementation: Debian's python3-websockets (10.4), run with
 * `/usr/bin/python3` (test/interop/server.py). Real sockets on 127.0.0.1, live clock.
 *
 * Needs `apt-get install -y python3-websockets`. CI installs it, and there a missing package fails the suite; on a
 * developer machine without it (the README's quick start needs only Node and npm) the suite is skipped, saying why.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Client from "../src/Client.js"
import type * as Message from "../src/Message.js"
import { recordEvents as recordClientEvents, type Tag } from "./utils/events.js"

const python = "/usr/bin/python3"
const serverScript = fileURLToPath(new URL("interop/server.py", import.meta.url))
const installHint = "install Debian's python3-websockets for /usr/bin/python3: `apt-get install -y python3-websockets`"

class InteropError extends Error {}

const pythonReady = ChildProcess.spawnSync(python, ["-c", "import websockets"]).status === 0
const runInterop = pythonReady || process.env.CI !== undefined
if (!runInterop) console.warn(`Interop tests skipped: ${installHint}`)

// -----------------------------------------------------------------------------
// the Python server
// -----------------------------------------------------------------------------

class PythonServer extends Context.Tag("test/Interop/PythonServer")<PythonServer, {
  /** ws://127.0.0.1:<port> */
  readonly origin: string
}>() {}

const checkPython = Effect.async<void, InteropError>((resume) => {
  ChildProcess.execFile(
    python,
    ["-c", "import websockets"],
    { timeout: 10_000 },
    (error, _stdout, stderr) => {
      if (error === null) return resume(Effect.void)
      resume(Effect.fail(
        new InteropError(
          `the interop tests need the Python websockets package: ${installHint}\n` +
            `\`${python} -c "import websockets"\` failed: ${stderr.trim() || error.message}`
        )
      ))
    }
  )
})

/** Ends the server: closing its stdin makes it exit; SIGKILL if it has not after a second. */
const stopServer = (child: ChildProcess.ChildProcess) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const timer = setTimeout(() => child.kill("SIGKILL"), 1_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    child.stdin?.end()
  })

const awaitPort = (child: ChildProcess.ChildProcess) =>
  Effect.async<number, InteropError>((resume) => {
    let stdout = ""
    let stderr = ""
    const onStdout = (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /^PORT (\d+)$/m.exec(stdout)
      if (match !== null) resume(Effect.succeed(Number(match[1])))
    }
    const onStderr = (chunk: Buffer) => (stderr += chunk.toString())
    const onExit = (code: number | null, signal: string | null) =>
      resume(Effect.fail(
        new InteropError(`${serverScript} exited (code ${code}, signal ${signal}) before its port: ${stderr.trim()}`)
      ))
    const onError = (error: Error) => resume(Effect.fail(new InteropError(`cannot start ${python}: ${error.message}`)))
    child.stdout?.on("data", onStdout)
    child.stderr?.on("data", onStderr)
    child.once("exit", onExit)
    child.once("error", onError)
    return Effect.sync(() => {
      child.stdout?.off("data", onStdout)
      child.off("exit", onExit)
      child.off("error", onError)
    })
  }).pipe(
    Effect.timeoutFail({
      duration: "10 seconds",
      onTimeout: () => new InteropError(`${serverScript} printed no port within 10 s`)
    })
  )

const PythonServerLive = Layer.scoped(
  PythonServer,
  Effect.gen(function*() {
    yield* checkPython
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => ChildProcess.spawn(python, [serverScript], { stdio: ["pipe", "pipe", "pipe"] })),
      stopServer
    )
    child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[interop server] ${chunk.toString()}`))
    const port = yield* awaitPort(child)
    // keep draining its stdout so the server never blocks on a full pipe
    child.stdout?.resume()
    return { origin: `ws://127.0.0.1:${port}` }
  })
)

// -----------------------------------------------------------------------------
// helpers
// -----------------------------------------------------------------------------

const within = "2 seconds"

const connect = (path: string, options?: Client.Options) =>
  Effect.flatMap(PythonServer, (server) => Client.connect(server.origin + path, options))

/** Records a client's events from now on; `next(tag)` waits (at most 2 s) for the next event with that tag. */
const recordEvents = (client: Client.Client) =>
  Effect.gen(function*() {
    const recorded = yield* recordClientEvents(client)
    const tags = Effect.map(recorded.all, (a) => a.map((e) => e._tag))
    const next = <T extends Tag>(tag: T) =>
      recorded.next(tag).pipe(
        Effect.timeout(within),
        Effect.catchTag(
          "TimeoutException",
          () =>
            Effect.flatMap(tags, (seen) => Effect.die(new InteropError(`no ${tag} event; saw [${seen.join(", ")}]`)))
        )
      )
    return { next, tags }
  })

/** The next `n` inbound frames (at most 2 s). */
const collect = (messages: Stream.Stream<Message.Message>, n: number) =>
  messages.pipe(
    Stream.take(n),
    Stream.runCollect,
    Effect.map(Chunk.toReadonlyArray),
    Effect.timeoutFail({ duration: within, onTimeout: () => new InteropError(`fewer than ${n} frames arrived`) })
  )

/** Polls `effect` every 5 ms until `until` holds (at most 2 s). */
const eventually = <A, E>(effect: Effect.Effect<A, E>, until: (a: A) => boolean, what: string) =>
  effect.pipe(
    Effect.filterOrFail(until, () => new InteropError(`timed out waiting for ${what}`)),
    Effect.retry(Schedule.spaced("5 millis").pipe(Schedule.upTo(within)))
  )

const textOf = (message: Message.Message): string => {
  assert.strictEqual(message._tag, "Text")
  return (message as Message.Text).data
}

/** Sends `frame` and returns the first reply frame. */
const roundTrip = (client: Client.Client, frame: Client.Outbound) =>
  Effect.scoped(Effect.gen(function*() {
    const messages = yield* client.messagesScoped
    yield* Client.sendMessage(client, frame)
    const [reply] = yield* collect(messages, 1)
    return reply
  }))

interface Info {
  readonly path: string
  readonly headers: Record<string, string>
  readonly offeredSubprotocols: ReadonlyArray<string>
  readonly subprotocol: string | null
  readonly connections: ReadonlyArray<{ path: string; closeCode: number | null; closeReason: string | null }>
}

/** What the Python server saw: this connection's upgrade and the close frames of every connection so far. */
const info = (client: Client.Client) =>
  Effect.map(roundTrip(client, "info"), (reply) => JSON.parse(textOf(reply)) as Info)

/** The close frames Python received on the connections to `path`, oldest first (null: none received yet). */
const closesSeenByPython = (path: string) =>
  Effect.scoped(Effect.gen(function*() {
    const observer = yield* connect("/observer")
    const { connections } = yield* info(observer)
    return connections.filter((c) => c.path === path).map((c) => c.closeCode)
  }))

// -----------------------------------------------------------------------------
// tests
// -----------------------------------------------------------------------------

describe.runIf(runInterop)("interop", () =>
  layer(PythonServerLive, { excludeTestServices: true })(
    "interop with Python websockets (Debian python3-websockets)",
    (it) => {
      it.scoped("text frames are echoed in order (200 frames, multi-byte UTF-8 included)", () =>
        Effect.gen(function*() {
          const client = yield* connect("/text")
          const messages = yield* client.messagesScoped
          const sent = Array.from({ length: 200 }, (_, i) => i % 50 === 0 ? `héllo ✓ 🚀 ${i}` : `frame-${i}`)
          yield* Effect.forEach(sent, (frame) => Client.sendMessage(client, frame), { discard: true })
          const received = yield* collect(messages, sent.length)
          assert.deepStrictEqual(received.map(textOf), sent)
        }))

      it.scoped("binary frames are echoed byte for byte (7-, 16- and 64-bit payload lengths)", () =>
        Effect.gen(function*() {
          const client = yield* connect("/binary")
          const messages = yield* client.messagesScoped
          const frames = [
            Uint8Array.from([0, 1, 2, 0xff, 0xfe]),
            Uint8Array.from({ length: 256 }, (_, i) => i),
            Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff)
          ]
          yield* Effect.forEach(frames, (frame) => Client.sendMessage(client, frame), { discard: true })
          const received = yield* collect(messages, frames.length)
          received.forEach((message, i) => {
            assert.strictEqual(message._tag, "Binary", `frame ${i}`)
            assert.deepStrictEqual(Array.from(message.data as Uint8Array), Array.from(frames[i]), `frame ${i}`)
          })
        }))

      it.scoped("an object goes out as one JSON text frame", () =>
        Effect.gen(function*() {
          const client = yield* connect("/json")
          const object = { hello: "world", n: [1, 2.5, -3], nested: { ok: true, none: null }, text: "ü" }
          const reply = yield* roundTrip(client, object)
          assert.deepStrictEqual(JSON.parse(textOf(reply)), object)
        }))

      it.scoped("a fragmented message from Python (text + 2 continuation frames) arrives as one message", () =>
        Effect.gen(function*() {
          const client = yield* connect("/fragments")
          const messages = yield* client.messagesScoped
          yield* Client.sendMessage(client, "fragments")
          yield* Client.sendMessage(client, "after")
          const received = yield* collect(messages, 2)
          assert.deepStrictEqual(received.map(textOf), ["fragmented", "after"])
        }))

      it.scoped("correlated requests answered out of order each get their own result; an error becomes RpcError", () =>
        Effect.gen(function*() {
          const client = yield* connect("/rpc", { requestTimeout: 1_000 })
          const answered: Array<number> = []
          const delays = [60, 30, 0]
          const results = yield* Effect.all(
            delays.map((delayMs) =>
              Client.request(client, { method: "test/echo", params: { delayMs } }).pipe(
                Effect.tap(() => answered.push(delayMs))
              )
            ),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(answered, [0, 30, 60], "Python answered the three requests in reverse order")
          assert.deepStrictEqual(results, delays.map((delayMs) => ({ method: "test/echo", params: { delayMs } })))
          const error = yield* Effect.flip(
            Client.request(client, {
              method: "test/fail",
              params: { error: { code: -32601, message: "no such method" } }
            })
          )
          assert.strictEqual(error._tag, "RpcError")
          if (error._tag !== "RpcError") return
          assert.strictEqual(error.code, -32601)
          assert.strictEqual(error.message, "no such method")
        }))

      it.scoped("subscribe is confirmed by Python, and its notifications reach Client.stream", () =>
        Effect.gen(function*() {
          const client = yield* connect("/subscribe")
          yield* Client.subscribe(client, ["ticker.BTC", "trades.ETH"])
          assert.deepStrictEqual([...(yield* Client.subscriptions(client))].sort(), ["ticker.BTC", "trades.ETH"])
          const notifications = yield* Client.stream(client, ["book.ETH"]).pipe(
            Stream.take(1),
            Stream.runCollect,
            Effect.timeoutFail({ duration: within, onTimeout: () => new InteropError("no notification") }),
            Effect.fork
          )
          // the stream subscribes when pulled: wait for its confirmation before asking for a notification
          yield* eventually(
            Client.subscriptions(client),
            (channels) => channels.includes("book.ETH"),
            "book.ETH confirmed"
          )
          yield* Client.sendMessage(client, "notify:trades.ETH")
          yield* Client.sendMessage(client, "notify:book.ETH")
          const [notification] = Chunk.toReadonlyArray(yield* notifications.await.pipe(Effect.flatten))
          assert.deepStrictEqual(JSON.parse(textOf(notification)), {
            jsonrpc: "2.0",
            method: "subscription",
            params: { channel: "book.ETH", data: { from: "python" } }
          })
        }))

      it.scoped("the upgrade carries path + query string, headers and subprotocols; Python selects v1.zen", () =>
        Effect.gen(function*() {
          const client = yield* connect("/upgrade/path?token=abc&x=1%202", {
            headers: { "X-Interop": "zen", Authorization: "Bearer t0ken" },
            protocols: ["v0.other", "v1.zen"]
          })
          const seen = yield* info(client)
          assert.strictEqual(seen.path, "/upgrade/path?token=abc&x=1%202")
          assert.strictEqual(seen.headers["x-interop"], "zen")
          assert.strictEqual(seen.headers["authorization"], "Bearer t0ken")
          assert.deepStrictEqual(seen.offeredSubprotocols.join(",").split(/,\s*/), ["v0.other", "v1.zen"])
          assert.strictEqual(seen.subprotocol, "v1.zen")
        }))

      it.scoped("an upgrade Python refuses with HTTP 403 fails connect with ConnectError http 403", () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(connect("/status/403", { retryDelay: 10, jitter: false }))
          assert.strictEqual(error._tag, "ConnectError")
          if (error._tag !== "ConnectError") return
          assert.strictEqual(error.reason, "http")
          assert.strictEqual(error.status, 403)
        }))

      it.scoped("ping heartbeat every 50 ms: Python's pongs echo the payload (RTT measured), nothing missed", () =>
        Effect.gen(function*() {
          const client = yield* connect("/heartbeat", { heartbeatConfig: { type: "ping", interval: 50 } })
          const events = yield* recordEvents(client)
          yield* eventually(
            Client.getHeartbeatHealth(client),
            (health) => Option.isSome(health) && health.value.rttMs !== undefined,
            "a measured ping RTT"
          )
          // a link whose pings go unanswered is declared dead after 2 missed beats (~150 ms): outlive that twice
          yield* Effect.sleep("300 millis")
          const latency = Option.getOrThrow(yield* Client.getLatencyStats(client))
          assert.isAtLeast(latency.count, 4, "one RTT per answered ping")
          // a single late pong on a loaded machine may count as one miss (HeartbeatMissed); the link must never drop
          const tags = (yield* events.tags).filter((tag) => tag !== "HeartbeatMissed")
          assert.deepStrictEqual(tags, [], "no Disconnected, no reconnect")
          assert.strictEqual(yield* Client.getState(client), "connected")
        }))

      it.scoped("a ping from Python is answered with a pong", () =>
        Effect.gen(function*() {
          const client = yield* connect("/serverping")
          const reply = textOf(yield* roundTrip(client, "serverping"))
          assert.match(reply, /^pong:\d+\.\d+$/)
        }))

      it.scoped("Python closes with 4001: Disconnected{4001, reason}, the code is echoed, and the client reconnects", () =>
        Effect.gen(function*() {
          const client = yield* connect("/close-4001", { retryDelay: 10, jitter: false })
          const events = yield* recordEvents(client)
          yield* Client.sendMessage(client, "close:4001")
          const disconnected = yield* events.next("Disconnected")
          assert.strictEqual(disconnected.code, 4001)
          assert.strictEqual(disconnected.reason, "server says 4001")
          yield* events.next("Connected")
          assert.deepStrictEqual(yield* events.tags, ["Disconnected", "Reconnecting", "Connecting", "Connected"])
          assert.strictEqual(textOf(yield* roundTrip(client, "still here")), "still here")
          const { connections } = yield* info(client)
          const closes = connections.filter((c) => c.path === "/close-4001").map((c) => c.closeCode)
          assert.deepStrictEqual(closes, [4001, null], "our close frame echoes 4001; the new connection is open")
        }))

      it.scoped("Client.close and closing the client's scope both send close 1000, which Python receives", () =>
        Effect.gen(function*() {
          const client = yield* connect("/client-close")
          const events = yield* recordEvents(client)
          yield* Client.close(client)
          yield* events.next("Closed")
          assert.deepStrictEqual(yield* closesSeenByPython("/client-close"), [1000])
          yield* Effect.scoped(connect("/scope-close"))
          assert.deepStrictEqual(yield* closesSeenByPython("/scope-close"), [1000])
        }))

      it.scoped("a text frame that is not UTF-8 from Python: Disconnected{1007}, Python gets 1007, reconnect", () =>
        Effect.gen(function*() {
          const client = yield* connect("/bad-utf8", { retryDelay: 10, jitter: false })
          const events = yield* recordEvents(client)
          yield* Client.sendMessage(client, "badutf8")
          const disconnected = yield* events.next("Disconnected")
          assert.strictEqual(disconnected.code, 1007)
          yield* events.next("Connected")
          assert.strictEqual(textOf(yield* roundTrip(client, "usable again")), "usable again")
          assert.deepStrictEqual(yield* closesSeenByPython("/bad-utf8"), [1007, null])
        }))

      it.scoped("a frame over maxPayload from Python: FrameTooLarge, Disconnected{1009}, Python gets 1009, reconnect", () =>
        Effect.gen(function*() {
          const client = yield* connect("/max-payload", { maxPayload: 1024, retryDelay: 10, jitter: false })
          const events = yield* recordEvents(client)
          assert.strictEqual(textOf(yield* roundTrip(client, "big:1024")).length, 1024, "exactly maxPayload is fine")
          yield* Client.sendMessage(client, "big:1025")
          const tooLarge = yield* events.next("FrameTooLarge")
          assert.strictEqual(tooLarge.maxPayload, 1024)
          const disconnected = yield* events.next("Disconnected")
          assert.strictEqual(disconnected.code, 1009)
          yield* events.next("Connected")
          assert.strictEqual(textOf(yield* roundTrip(client, "usable again")), "usable again")
          assert.deepStrictEqual(yield* closesSeenByPython("/max-payload"), [1009, null])
        }))
    }
  ))
