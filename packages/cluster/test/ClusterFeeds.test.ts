/**
 * `ClusterFeeds` in one process on `ClusterFeeds.layerLocal` (one runner, memory storage, no database): the same API
 * tests as the three-process cluster on Postgres (Cluster.test.ts), then what a single process can show of the
 * lifecycle: validation before any socket opens, contained hooks, a failing `run`, stored subscriptions restored on
 * the next start, and a takeover recorded when the previous owner never handed the feed over.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ClusterFeeds, Feed, FeedStore } from "@zen-websocket/cluster"
import { Client, Testing } from "@zen-websocket/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { apiTests, type FeedState } from "./utils/api.js"
import { execute } from "./utils/commands.js"
import { feedNames, type HookCall, isSubscribe, makeFeeds, mockHandler } from "./utils/feeds.js"
import { encodeError } from "./utils/protocol.js"
import type { Driver } from "./utils/runners.js"
import { waitFor } from "./utils/wait.js"

interface Local {
  readonly scope: Scope.CloseableScope
  readonly servers: ReadonlyMap<string, Testing.MockServer>
  readonly runtime: ManagedRuntime.ManagedRuntime<any, any>
  readonly driver: Driver
}

let local: Local | undefined

const driverFor = (runtime: ManagedRuntime.ManagedRuntime<any, any>, hooks: ReadonlyArray<HookCall>): Driver => ({
  name: "local",
  address: "localhost:34431",
  hooks,
  call: (command) =>
    Effect.flatMap(
      Effect.promise(() => runtime.runPromiseExit(execute(command))),
      (exit) => Exit.isSuccess(exit) ? Effect.succeed(exit.value as any) : Effect.fail(encodeError(exit.cause))
    )
})

describe("ClusterFeeds.layerLocal: one runner in this process", () => {
  beforeAll(async () => {
    const scope = await Effect.runPromise(Scope.make())
    const servers = new Map<string, Testing.MockServer>()
    for (const feed of feedNames) {
      servers.set(
        feed,
        await Effect.runPromise(
          Scope.extend(Testing.startMockServer({ path: `/${feed}`, handler: mockHandler }), scope)
        )
      )
    }
    const hooks: Array<HookCall> = []
    const feeds = makeFeeds(
      feedNames.map((name) => ({ name, url: servers.get(name)!.url })),
      (call) => hooks.push(call)
    )
    const runtime = ManagedRuntime.make(
      ClusterFeeds.layer(feeds, { timeout: "10 seconds" }).pipe(Layer.provideMerge(ClusterFeeds.layerLocal()))
    )
    const driver = driverFor(runtime, hooks)
    await Effect.runPromise(waitFor(
      "every feed connected",
      Effect.forEach(feedNames, (feed) => driver.call<FeedState>({ op: "state", feed })),
      (states) => states.every((s, i) => s.state === "connected" && s.subscriptions.includes(`static.${feedNames[i]}`)),
      20_000
    ))
    local = { scope, servers, runtime, driver }
  }, 60_000)

  afterAll(async () => {
    if (local === undefined) return
    await local.runtime.dispose()
    await Effect.runPromise(Scope.close(local.scope, Exit.void))
  })

  it.live("every feed connects once, here, with onConnect run for it", () =>
    Effect.gen(function*() {
      const { driver, servers } = local!
      for (const feed of feedNames) {
        const state = yield* driver.call<FeedState>({ op: "state", feed })
        assert.deepStrictEqual([state.state, state.runner, state.takeover], ["connected", driver.address, false])
        assert.strictEqual(yield* servers.get(feed)!.totalConnections, 1)
        assert.isTrue(driver.hooks.some((h) => h.feed === feed && h.hook === "onConnect"))
      }
      assert.sameMembers([...(yield* driver.call<ReadonlyArray<string>>({ op: "localFeeds" }))], feedNames)
    }))

  apiTests(() => local === undefined ? undefined : { runners: [local.driver], servers: local.servers, feedNames })
})

/** a one-runner cluster in the test's scope (closed, with its connections, when the test ends) */
const cluster = <const Feeds extends ReadonlyArray<Feed.Feed<any, any>>>(
  feeds: Feeds,
  options?: ClusterFeeds.Options & { readonly store?: FeedStore.FeedStore }
) =>
  Layer.build(
    ClusterFeeds.layer(feeds, options).pipe(
      Layer.provide(
        options?.store === undefined
          ? ClusterFeeds.layerLocal()
          : Layer.merge(ClusterFeeds.layerLocal(), Layer.succeed(FeedStore.FeedStore, options.store))
      )
    )
  )

const connectedState = (name: string) =>
  waitFor("connected", ClusterFeeds.state(name), (s) => s.state === "connected", 10_000)

describe("ClusterFeeds: lifecycle in one process", () => {
  it.scopedLive("malformed feeds fail with InvalidOptions, naming the feed, before any socket opens", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const cases = [
        [[Feed.make({ name: "a", url: "http://127.0.0.1/ws" })], "a.url"],
        [[Feed.make({ name: "a", url: server.url }), Feed.make({ name: "a", url: server.url })], "feeds[1].name"],
        [[Feed.make({ name: "", url: server.url })], "feeds[0].name"],
        [[Feed.make({ name: "b", url: server.url, options: { retryDelay: -1 } })], "b.retryDelay"]
      ] as const
      for (const [feeds, field] of cases) {
        const error = yield* Effect.flip(Effect.scoped(cluster(feeds)))
        assert.deepStrictEqual([error._tag, "field" in error && error.field], ["InvalidOptions", field])
      }
      assert.deepStrictEqual(yield* server.upgradeRequests, [])
    }))

  it.scopedLive("onConnect and onDisconnect run on the owner, and their failures never stop the feed", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const calls: Array<string> = []
      const feed = Feed.make({
        name: "hooks",
        url: server.url,
        options: {
          onConnect: (client) => Effect.zipRight(Effect.sync(() => calls.push(`up ${client.id}`)), Effect.fail("boom")),
          onDisconnect: (client) =>
            Effect.sync(() => calls.push(`down ${client.id}`)).pipe(Effect.zipRight(Effect.die("crash")))
        }
      })
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* cluster([feed])
        yield* Effect.provide(
          Effect.gen(function*() {
            yield* connectedState("hooks")
            yield* ClusterFeeds.send("hooks", "still here")
            yield* server.assertMessageSent("still here")
          }),
          context
        )
      }))
      // the layer is gone: its connection was closed, and onDisconnect ran (and its defect was contained)
      assert.deepStrictEqual(calls, ["up hooks", "down hooks"])
      yield* waitFor("connection closed", server.connectionCount, (n) => n === 0, 5_000)
    }))

  it.scopedLive("a failing run is logged and run again, on the same connection", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      let runs = 0
      const errors: Array<unknown> = []
      const feed = Feed.make({
        name: "flaky",
        url: server.url,
        run: (client: Client.Client) =>
          Effect.suspend((): Effect.Effect<unknown, unknown> =>
            ++runs < 3 ? Effect.fail(`run ${runs} failed`) : Client.subscribe(client, ["after.retries"])
          )
      })
      const logger = Logger.make(({ cause, message }) => {
        if (String(message).includes("run failed")) errors.push(cause)
      })
      const context = yield* cluster([feed], { runRetry: Schedule.spaced("10 millis") }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      yield* Effect.provide(
        waitFor("subscribed after two failures", ClusterFeeds.state("flaky"), (s) =>
          s.subscriptions.includes("after.retries"), 10_000),
        context
      )
      assert.strictEqual(runs, 3)
      assert.strictEqual(errors.length, 2)
      assert.strictEqual(yield* server.totalConnections, 1)
    }))

  it.scopedLive("stored subscriptions come back on the next start; one the server now refuses is dropped, with a warning", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer({ handler: mockHandler })
      const store = yield* Effect.provide(FeedStore.FeedStore, FeedStore.layerMemory)
      const feed = Feed.make({ name: "keep", url: server.url })
      yield* Effect.scoped(Effect.flatMap(cluster([feed], { store }), (context) =>
        Effect.provide(
          Effect.gen(function*() {
            yield* connectedState("keep")
            assert.deepStrictEqual(yield* ClusterFeeds.subscribe("keep", ["a", "b"]), ["a", "b"])
          }),
          context
        )))
      // as if the channel had been accepted once and the server changed its mind since
      yield* store.addChannels("keep", ["refused.c"])
      assert.deepStrictEqual(yield* store.channels("keep"), ["a", "b", "refused.c"])
      const warnings: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") warnings.push(String(message))
      })
      const context = yield* cluster([feed], { store }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      const state = yield* Effect.provide(
        waitFor("restored", ClusterFeeds.state("keep"), (s) => s.state === "connected", 10_000),
        context
      )
      assert.deepStrictEqual(state.subscriptions, ["a", "b"])
      assert.deepStrictEqual(state.takeover, false)
      yield* server.assertMessageSent((f) => f.connectionId === 2 && isSubscribe(f, "a") && isSubscribe(f, "b"))
      assert.deepStrictEqual(yield* store.channels("keep"), ["a", "b"])
      assert.isTrue(warnings.some((w) => w.includes("refused.c") && w.includes("unknown channel")), warnings.join("\n"))
    }))

  it.scopedLive("a start after an owner that never released the feed is a takeover; a clean stop releases it", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const store = yield* Effect.provide(FeedStore.FeedStore, FeedStore.layerMemory)
      yield* store.claim("orphan", "a runner that died")
      const feed = Feed.make({ name: "orphan", url: server.url })
      const first = yield* Effect.scoped(
        Effect.flatMap(cluster([feed], { store }), (c) => Effect.provide(connectedState("orphan"), c))
      )
      assert.isTrue(first.takeover)
      const second = yield* Effect.scoped(
        Effect.flatMap(cluster([feed], { store }), (c) => Effect.provide(connectedState("orphan"), c))
      )
      assert.isFalse(second.takeover)
      assert.isTrue(Option.isNone(yield* store.claim("orphan", "check")))
    }))
})
