/**
 * The seams venue adapters build on: the whole response of a request (`envelope`), hooks after the restore, the
 * connection's scope in a restore hook's session, a `deribit` heartbeat that leaves `public/set_heartbeat` to the
 * adapter, and errors that explain themselves (`ErrorHandler.ExplainId`).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { WebSocketServer } from "ws"
import * as Client from "../src/Client.js"
import * as ErrorHandler from "../src/ErrorHandler.js"
import { ConnectError } from "../src/WebSocketError.js"

interface Server {
  readonly url: string
  /** methods received, in order, over every connection */
  readonly methods: Array<string>
  readonly connections: () => number
  /** drops every connection (1006 for the client) */
  readonly drop: () => void
}

/** A JSON-RPC server answering every request with `{ result: method }` plus Deribit's timing fields. */
const server: Effect.Effect<Server, never, Scope.Scope> = Effect.acquireRelease(
  Effect.async<{ wss: WebSocketServer; server: Server }>((resume) => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
    const methods: Array<string> = []
    let connections = 0
    wss.on("connection", (ws) => {
      connections++
      ws.on("message", (data) => {
        const request = JSON.parse(data.toString())
        methods.push(request.method)
        if (request.id === undefined) return
        const result = request.method === "public/subscribe" ? request.params.channels : request.method
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: request.id, result, usIn: 10, usOut: 25, usDiff: 15 }))
      })
    })
    wss.on("listening", () => {
      const port = (wss.address() as { port: number }).port
      resume(Effect.succeed({
        wss,
        server: {
          url: `ws://127.0.0.1:${port}`,
          methods,
          connections: () => connections,
          drop: () => {
            for (const ws of wss.clients) ws.terminate()
          }
        }
      }))
    })
  }),
  ({ wss }) => Effect.async<void>((resume) => wss.close(() => resume(Effect.void)))
).pipe(Effect.map(({ server }) => server))

const live = { retryDelay: 5, maxBackoff: 20, jitter: false, retryCount: Infinity } as const

describe("adapter seams", () => {
  it.scopedLive("envelope: true resolves with the whole response, extra fields included", () =>
    Effect.gen(function*() {
      const s = yield* server
      const client = yield* Client.connect(s.url, live)
      const response = yield* Client.request(client, { method: "public/get_time" }, { envelope: true })
      assert.deepInclude(response as object, { result: "public/get_time", usIn: 10, usOut: 25, usDiff: 15 })
      assert.strictEqual(yield* Client.request(client, { method: "public/get_time" }), "public/get_time")
    }))

  it.scopedLive("after-restore hooks run after the restore, before connected; the session's scope ends with the link", () =>
    Effect.gen(function*() {
      const s = yield* server
      const order: Array<string> = []
      const ended = yield* Deferred.make<void>()
      let forked: Fiber.RuntimeFiber<never> | undefined
      const client = yield* Client.connect(s.url, {
        ...live,
        restoreHooks: [(session) =>
          Effect.gen(function*() {
            order.push(`hook:${s.connections()}`)
            yield* session.request({ method: "public/auth" })
            // lives as long as this connection
            forked = yield* Effect.forkIn(
              Effect.onInterrupt(Effect.never, () => Deferred.succeed(ended, undefined)),
              session.scope
            )
          })],
        afterRestoreHooks: [(session) =>
          Effect.gen(function*() {
            order.push(`after:${s.methods.filter((m) => m === "public/subscribe").length}`)
            const state = yield* session.request({ method: "public/get_time" }, { envelope: true })
            order.push(`after-request:${(state as { usDiff: number }).usDiff}`)
          })]
      })
      assert.deepStrictEqual(order, ["hook:1", "after:0", "after-request:15"])
      yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
      const first = forked
      s.drop()
      yield* Deferred.await(ended)
      assert.isDefined(first)
      // the next connection: hook, restore (one subscribe), after-restore hook, then connected
      yield* Effect.repeat(Client.getState(client), {
        until: (state) => state === "connected" && order.length === 6,
        schedule: Schedule.spaced("10 millis")
      }).pipe(Effect.timeout("3 seconds"))
      assert.deepStrictEqual(order.slice(3), ["hook:2", "after:2", "after-request:15"])
      const second = s.methods.slice(s.methods.lastIndexOf("public/auth"))
      assert.deepStrictEqual(second, ["public/auth", "public/subscribe", "public/get_time"])
    }))

  it.scopedLive("a deribit heartbeat with setHeartbeat: false leaves public/set_heartbeat to the adapter", () =>
    Effect.gen(function*() {
      const s = yield* server
      const without = yield* Client.connect(s.url, {
        ...live,
        heartbeatConfig: { type: "deribit", interval: "10 seconds", setHeartbeat: false }
      })
      yield* Client.request(without, { method: "public/get_time" })
      assert.deepStrictEqual(s.methods, ["public/get_time"])
      const withIt = yield* Client.connect(s.url, { ...live, heartbeatConfig: { type: "deribit", interval: 10_000 } })
      yield* Client.request(withIt, { method: "public/get_time" })
      assert.deepStrictEqual(s.methods.slice(1), ["public/set_heartbeat", "public/get_time"])
    }))
})

class VenueError extends Error {
  [ErrorHandler.ExplainId]() {
    return { message: `venue: ${this.message}`, suggestion: "do the venue thing" }
  }
}

describe("ErrorHandler.ExplainId", () => {
  it("an error's own explanation is used, also as the cause of a failed restore", () => {
    assert.deepStrictEqual(ErrorHandler.explain(new VenueError("nope")), {
      message: "venue: nope",
      suggestion: "do the venue thing"
    })
    const restore = ErrorHandler.explain(
      new ConnectError({ reason: "restore", url: "wss://x.test/ws", cause: new VenueError("nope") })
    )
    assert.include(restore.message, "restoring the session")
    assert.include(restore.message, "venue: nope")
    assert.strictEqual(restore.suggestion, "do the venue thing")
  })

  it("an explainer that throws or returns junk is ignored", () => {
    const throwing = {
      [ErrorHandler.ExplainId]: () => {
        throw new Error("boom")
      }
    }
    const junk = { [ErrorHandler.ExplainId]: () => 42 }
    assert.include(ErrorHandler.explain(throwing).message, "Unknown error")
    assert.include(ErrorHandler.explain(junk).message, "Unknown error")
  })
})
