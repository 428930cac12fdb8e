/**
 * The API tests both cluster suites run: in one process on `ClusterFeeds.layerLocal` (ClusterFeeds.test.ts), and
 * across three runner processes on `ClusterFeeds.layerNode` with Postgres (Cluster.test.ts). Each call goes through a
 * `Driver`: a runner process over IPC, or the in-process cluster.
 */
import { assert, it } from "@effect/vitest"
import type { Testing } from "@zen-websocket/core"
import * as Effect from "effect/Effect"
import { isMethod } from "./feeds.js"
import type { Driver } from "./runners.js"
import { waitFor } from "./wait.js"

export interface ApiContext {
  readonly runners: ReadonlyArray<Driver>
  readonly servers: ReadonlyMap<string, Testing.MockServer>
  readonly feedNames: ReadonlyArray<string>
}

export interface FeedState {
  readonly feed: string
  readonly state: string
  readonly runner: string
  readonly takeover: boolean
  readonly subscriptions: ReadonlyArray<string>
}

const texts = (server: Testing.MockServer) =>
  Effect.map(server.receivedMessages, (frames) => frames.flatMap((f) => f._tag === "Text" ? [f.data] : []))

/** registers the API tests; `context()` is `undefined` when the suite cannot run (its tests are skipped) */
export const apiTests = (context: () => ApiContext | undefined) => {
  const test = (name: string, body: (c: ApiContext) => Effect.Effect<void, unknown>, timeout: number) =>
    it.live(name, (ctx) => {
      const c = context()
      return c === undefined ? Effect.sync(() => ctx.skip()) : body(c)
    }, timeout)

  test("send and request from every runner reach the right feed (text, JSON, binary)", (c) =>
    Effect.gen(function*() {
      for (const runner of c.runners) {
        for (const feed of c.feedNames) {
          const server = c.servers.get(feed)!
          const text = `hello from ${runner.name} to ${feed}`
          yield* runner.call({ op: "send", feed, message: text })
          yield* server.assertMessageSent(text, 5_000)
          yield* runner.call({ op: "send", feed, message: { method: "notify", params: { from: runner.name } } })
          yield* server.assertMessageSent({ method: "notify", params: { from: runner.name } }, 5_000)
          const params = { from: runner.name, feed }
          const result = yield* runner.call({ op: "request", feed, request: { method: "test/echo", params } })
          assert.deepStrictEqual(result, { method: "test/echo", params })
        }
      }
      // no server saw another feed's messages
      for (const feed of c.feedNames) {
        const hellos = (yield* texts(c.servers.get(feed)!)).filter((t) => t.startsWith("hello from"))
        assert.strictEqual(hellos.length, c.runners.length)
        assert.isTrue(hellos.every((t) => t.endsWith(` to ${feed}`)))
      }
      const bytes = new Uint8Array([0, 1, 2, 255])
      yield* c.runners.at(-1)!.call({ op: "send", feed: c.feedNames[0], message: bytes })
      yield* c.servers.get(c.feedNames[0])!.assertMessageSent(bytes, 5_000)
    }), 60_000)

  test("the server's JSON-RPC error arrives typed, with its code and data", (c) =>
    Effect.gen(function*() {
      for (const runner of c.runners) {
        const error = yield* Effect.flip(
          runner.call({ op: "request", feed: c.feedNames[1], request: { method: "test/fail" } })
        )
        assert.deepStrictEqual(
          { tag: error._tag, code: error.code, message: error.message, data: error.data },
          { tag: "FeedRpcError", code: 42, message: "refused on purpose", data: { why: "test" } }
        )
      }
    }), 30_000)

  test(
    "subscribe from any runner: the owner subscribes, stores and reports the channel; unsubscribe undoes it",
    (c) =>
      Effect.gen(function*() {
        for (const [i, feed] of c.feedNames.entries()) {
          const runner = c.runners[i % c.runners.length]
          const confirmed = yield* runner.call({ op: "subscribe", feed, channels: [`dynamic.${feed}`, `temp.${feed}`] })
          assert.deepStrictEqual(confirmed, [`dynamic.${feed}`, `temp.${feed}`])
          yield* runner.call({ op: "unsubscribe", feed, channels: [`temp.${feed}`] })
          yield* c.servers.get(feed)!.assertMessageSent(
            (f) => isMethod(f, "public/unsubscribe") && f._tag === "Text" && f.data.includes(`temp.${feed}`),
            5_000
          )
          const state = yield* c.runners[0].call<FeedState>({ op: "state", feed })
          assert.sameMembers([...state.subscriptions], [`static.${feed}`, `dynamic.${feed}`])
        }
        const refused = yield* Effect.flip(
          c.runners[0].call({ op: "subscribe", feed: c.feedNames[0], channels: ["refused.x"] })
        )
        assert.deepStrictEqual([refused._tag, refused.code], ["FeedRpcError", -32602])
      }),
    30_000
  )

  test(
    "sendBalanced skips feeds that are not connected, and names no feed when none is",
    (c) =>
      Effect.gen(function*() {
        const [up, down] = [c.feedNames[4], c.feedNames[5]]
        const server = c.servers.get(down)!
        yield* server.refuseConnections(true)
        yield* server.simulateDisconnect("abnormal")
        const notConnected = (s: FeedState) => s.state !== "connected"
        for (const runner of c.runners) {
          yield* waitFor(
            `${down} not connected`,
            runner.call<FeedState>({ op: "state", feed: down }),
            notConnected,
            10_000
          )
          for (let i = 0; i < 4; i++) {
            const message = `balanced ${runner.name} ${i}`
            assert.strictEqual(yield* runner.call({ op: "sendBalanced", pool: ["nope", down, up], message }), up)
            yield* c.servers.get(up)!.assertMessageSent(message, 5_000)
          }
          const none = yield* Effect.flip(runner.call({ op: "sendBalanced", pool: ["nope", down], message: "anyone?" }))
          assert.strictEqual(none._tag, "NoConnections")
        }
        yield* server.refuseConnections(false)
        // the owner's client reconnects by itself, and restores its subscriptions
        yield* waitFor(
          `${down} connected again`,
          c.runners[0].call<FeedState>({ op: "state", feed: down }),
          (s) => s.state === "connected" && s.subscriptions.includes(`dynamic.${down}`),
          15_000
        )
        assert.deepStrictEqual(yield* server.connectionCount, 1)
      }),
    60_000
  )

  test("a feed nobody configured fails with UnknownFeed, from every runner", (c) =>
    Effect.gen(function*() {
      for (const runner of c.runners) {
        for (
          const command of [
            { op: "send", feed: "nope", message: "x" },
            { op: "request", feed: "nope", request: { method: "x" } },
            { op: "state", feed: "nope" }
          ] as const
        ) {
          const error = yield* Effect.flip(runner.call(command))
          assert.deepStrictEqual([error._tag, error.reason], ["FeedError", "UnknownFeed"], command.op)
        }
      }
    }), 30_000)
}
