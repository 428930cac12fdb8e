/**
 * The cluster for real: a throwaway Postgres, three runner processes, six feeds pointed at six mock servers (one path
 * each, so each server counts one feed's connections). It checks that each feed holds exactly one upstream connection,
 * that any runner reaches any feed, that a SIGKILLed runner's feeds come back on the survivors (subscriptions
 * restored) within the takeover time its timings set, that a request in flight there fails typed and is not sent
 * twice, and that a restarted runner takes its feeds back without a second connection.
 */
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Testing } from "@zen-websocket/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashRing from "effect/HashRing"
import * as Scope from "effect/Scope"
import { freePort, type Postgres, startPostgres } from "../examples/cluster/throwaway.js"
import { apiTests, type FeedState } from "./utils/api.js"
import { feedNames, isMethod, isSubscribe, mockHandler } from "./utils/feeds.js"
import type { RemoteError, ShardingTimings } from "./utils/protocol.js"
import { type RunnerProcess, spawnRunner } from "./utils/runners.js"
import { waitFor } from "./utils/wait.js"

/**
 * Short but safe: a runner that answers no ping for ~3 s is marked unhealthy, one whose heartbeat (every 3 s) is 9 s
 * old is gone; a shard-lock operation may take up to 3 s (a loaded machine) before a runner thinks its storage is down.
 */
const timings: ShardingTimings = {
  shardsPerGroup: 30,
  shardLockRefreshInterval: 3_000,
  shardLockExpiration: 9_000,
  runnerHealthCheckInterval: 1_000,
  refreshAssignmentsInterval: 500,
  entityMessagePollInterval: 1_000
}
/**
 * The longest a takeover may take with these timings: the dead runner's heartbeat expires (`shardLockExpiration`),
 * a survivor notices at its next assignment refresh, its shard-acquisition loop (a 1 s cycle) takes the lock, and the
 * feed connects and restores (4 s allowed on a loaded machine).
 */
const takeoverBound = timings.shardLockExpiration + timings.refreshAssignmentsInterval + 1_000 + 4_000

interface Harness {
  readonly scope: Scope.CloseableScope
  readonly postgres: Postgres
  readonly servers: ReadonlyMap<string, Testing.MockServer>
  readonly runners: Array<RunnerProcess>
  readonly shardOf: ReadonlyMap<string, number>
  /** the most connections each feed's server held at once, sampled every 5 ms from the start */
  readonly maxLive: Map<string, number>
  spawn: (index: number) => Effect.Effect<RunnerProcess, RemoteError>
  /** the runner the SIGKILL test killed */
  killed?: RunnerProcess
}

let harness: Harness | undefined
let unavailable: string | undefined

const ownedBy = (owners: ReadonlyMap<string, string>, runner: RunnerProcess) =>
  feedNames.filter((feed) => owners.get(feed) === runner.address)

const victimIndex = (h: Harness, victim: RunnerProcess) => Number(victim.name.split("-")[1]) - 1

/** where the cluster puts each feed with these runners up: the same hash ring as `Sharding`'s assignment */
const expectedOwners = (h: Harness, runners: ReadonlyArray<RunnerProcess>) => {
  const ring = HashRing.make<RunnerAddress.RunnerAddress>()
  for (const runner of runners) HashRing.add(ring, RunnerAddress.make("127.0.0.1", runner.config.port), { weight: 1 })
  const shards = HashRing.getShards(ring, timings.shardsPerGroup)!
  return new Map(feedNames.map((feed) => {
    const address = shards[h.shardOf.get(feed)! - 1]
    return [feed, `${address.host}:${address.port}`]
  }))
}

const statesFrom = (runner: RunnerProcess) =>
  Effect.forEach(feedNames, (feed) => runner.call<FeedState>({ op: "state", feed, timeoutMs: 2_000 }), {
    concurrency: "unbounded"
  })

const liveCounts = (h: Harness) => Effect.forEach(feedNames, (feed) => h.servers.get(feed)!.connectionCount)

const totals = (h: Harness) =>
  Effect.map(
    Effect.forEach(feedNames, (feed) => h.servers.get(feed)!.totalConnections),
    (counts) => new Map(feedNames.map((feed, i) => [feed, counts[i]]))
  )

/** every feed connected where the hash ring puts it (its `run` done), with one live connection to its server */
const settled = (h: Harness, from: RunnerProcess, runners: ReadonlyArray<RunnerProcess>, timeoutMs: number) => {
  const expected = expectedOwners(h, runners)
  return waitFor(
    `every feed connected on its owner (${JSON.stringify([...expected])})`,
    Effect.zip(statesFrom(from), liveCounts(h)),
    ([states, counts]) =>
      states.every((s, i) =>
        s.state === "connected" && s.runner === expected.get(feedNames[i]) &&
        s.subscriptions.includes(`static.${feedNames[i]}`)
      ) &&
      counts.every((n) => n === 1),
    timeoutMs
  ).pipe(Effect.map(([states]) => states))
}

const setup = Effect.gen(function*() {
  const scope = yield* Scope.make()
  const build = Effect.gen(function*() {
    const postgres = yield* startPostgres
    const servers = new Map<string, Testing.MockServer>()
    for (const feed of feedNames) {
      servers.set(feed, yield* Testing.startMockServer({ path: `/${feed}`, handler: mockHandler }))
    }
    const maxLive = new Map(feedNames.map((feed) => [feed, 0]))
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(
      Effect.forEach(feedNames, (feed) =>
        Effect.map(servers.get(feed)!.connectionCount, (n) => {
          if (n > maxLive.get(feed)!) maxLive.set(feed, n)
        })),
      Effect.sleep("5 millis")
    )))
    const ports = [yield* freePort, yield* freePort, yield* freePort]
    const config = (index: number) => ({
      port: ports[index],
      postgresUrl: postgres.url,
      feeds: feedNames.map((name) => ({ name, url: servers.get(name)!.url })),
      sharding: timings,
      slowDisconnectMs: 500
    })
    const spawn = (index: number) =>
      Scope.extend(spawnRunner(`runner-${index + 1}`, config(index)), scope).pipe(Effect.tap((runner) => runner.start))
    // all three load together; the first starts alone (it creates the cluster's tables), then the other two
    const [first, second, third] = yield* Effect.all(
      [0, 1, 2].map((index) => Scope.extend(spawnRunner(`runner-${index + 1}`, config(index)), scope)),
      { concurrency: "unbounded" }
    )
    yield* first.start
    yield* Effect.all([second.start, third.start], { concurrency: "unbounded" })
    const shardOf = new Map<string, number>()
    for (const feed of feedNames) shardOf.set(feed, yield* first.call<number>({ op: "shardOf", feed }))
    return { scope, postgres, servers, runners: [first, second, third], shardOf, maxLive, spawn }
  })
  return yield* Scope.extend(build, scope).pipe(Effect.onError(() => Scope.close(scope, Exit.void)))
})

/** a test on the running cluster, skipped when Postgres could not start */
const scenario = (name: string, body: (h: Harness) => Effect.Effect<void, unknown>, timeout: number) =>
  it.live(name, (ctx) => unavailable !== undefined ? Effect.sync(() => ctx.skip()) : body(harness!), timeout)

describe("ClusterFeeds.layerNode: 3 runner processes, one Postgres", () => {
  beforeAll(async () => {
    const exit = await Effect.runPromiseExit(setup)
    if (Exit.isSuccess(exit)) harness = exit.value
    else {
      const failure = exit.cause
      const reason = String(failure._tag === "Fail" ? (failure.error as any).reason ?? failure.error : failure)
      if (failure._tag === "Fail" && (failure.error as any)._tag === "PostgresUnavailable") {
        unavailable = reason
        console.warn(`skipping the Postgres cluster tests: Postgres could not start (${reason})`)
      } else throw new Error(`cluster setup failed: ${reason}`)
    }
  }, 180_000)

  afterAll(async () => {
    if (harness !== undefined) await Effect.runPromise(Scope.close(harness.scope, Exit.void))
  }, 60_000)

  scenario(
    "steady state: each feed has exactly one upstream connection, on the runner the hash ring gives it",
    (h) =>
      Effect.gen(function*() {
        const states = yield* settled(h, h.runners[0], h.runners, 30_000)
        const expected = expectedOwners(h, h.runners)
        // every runner sees the same owners
        for (const runner of h.runners) {
          assert.deepStrictEqual(
            (yield* statesFrom(runner)).map((s) => s.runner),
            feedNames.map((f) => expected.get(f))
          )
        }
        assert.deepStrictEqual(yield* liveCounts(h), feedNames.map(() => 1))
        // each owner's onConnect ran on the owner, and it says it holds exactly its feeds
        for (const runner of h.runners) {
          const mine = feedNames.filter((f) => expected.get(f) === runner.address)
          assert.deepStrictEqual([...(yield* runner.call<ReadonlyArray<string>>({ op: "localFeeds" }))].sort(), mine)
          for (const feed of mine) {
            const last = [...h.runners.flatMap((r) => r.hooks.map((hook) => ({ ...hook, runner: r.address })))]
              .filter((hook) => hook.feed === feed && hook.hook === "onConnect")
              .sort((a, b) => a.at - b.at).at(-1)
            assert.strictEqual(last?.runner, runner.address, `${feed}'s last onConnect ran on its owner`)
          }
        }
        assert.deepStrictEqual(states.map((s) => s.subscriptions), feedNames.map((f) => [`static.${f}`]))
        assert.deepStrictEqual(states.map((s) => s.takeover), feedNames.map(() => false))
      }),
    60_000
  )

  apiTests(() => harness === undefined ? undefined : { runners: harness.runners, servers: harness.servers, feedNames })

  scenario(
    "SIGKILL a runner: its feeds come back on the survivors, restored, once each; its request in flight fails typed",
    (h) =>
      Effect.gen(function*() {
        const owners = expectedOwners(h, h.runners)
        // the runner holding the most feeds dies
        const victim = [...h.runners].sort((a, b) => ownedBy(owners, b).length - ownedBy(owners, a).length)[0]
        const moved = ownedBy(owners, victim)
        assert.isAbove(moved.length, 0)
        const survivors = h.runners.filter((r) => r !== victim)
        const before = yield* totals(h)

        // a request from a survivor, in flight on the victim: its server received it and will never answer
        const target = moved[0]
        const inFlight = yield* Effect.fork(
          survivors[0].call({ op: "request", feed: target, request: { method: "test/hold" }, timeoutMs: 20_000 })
        )
        yield* h.servers.get(target)!.assertMessageSent({ method: "test/hold" }, 5_000)

        const killedAt = Date.now()
        yield* victim.kill
        h.killed = victim
        // each of its feeds: a new upstream connection, then connected on a survivor with its subscriptions restored
        const takeovers = yield* Effect.forEach(moved, (feed) =>
          Effect.gen(function*() {
            const server = h.servers.get(feed)!
            yield* server.awaitConnections(before.get(feed)! + 1, takeoverBound + 5_000)
            const connectedAt = Date.now()
            const connection = before.get(feed)! + 1
            yield* server.assertMessageSent(
              (frame) => frame.connectionId === connection && isSubscribe(frame, `static.${feed}`),
              5_000
            )
            yield* server.assertMessageSent(
              (frame) => frame.connectionId === connection && isSubscribe(frame, `dynamic.${feed}`),
              5_000
            )
            return connectedAt - killedAt
          }), { concurrency: "unbounded" })
        const takeoverMs = Math.max(...takeovers)
        console.log(
          `takeover after SIGKILL of ${victim.name} (${moved.length} feeds): ${
            takeovers.map((ms) => `${ms} ms`).join(", ")
          }; bound ${takeoverBound} ms`
        )
        assert.isAtMost(takeoverMs, takeoverBound)

        const states = yield* settled(h, survivors[0], survivors, 10_000)
        const after = expectedOwners(h, survivors)
        // with one runner fewer the ring also rebalances a few feeds between the survivors (clean hand-overs)
        const reassigned = feedNames.filter((feed) => after.get(feed) !== owners.get(feed))
        for (const [i, feed] of feedNames.entries()) {
          assert.strictEqual(states[i].runner, after.get(feed))
          assert.strictEqual(states[i].takeover, moved.includes(feed), `${feed} taken over from a dead runner`)
          assert.sameMembers([...states[i].subscriptions], [`static.${feed}`, `dynamic.${feed}`])
        }
        // the request in flight on the victim failed with a typed error, well before its own timeout, and went out once
        const outcome = yield* Fiber.join(inFlight).pipe(Effect.flip, Effect.timeout("15 seconds"))
        assert.deepStrictEqual([outcome._tag, outcome.reason], ["FeedError", "FailedOver"])
        const holds = (yield* h.servers.get(target)!.receivedMessages).filter((f) => isMethod(f, "test/hold"))
        assert.strictEqual(holds.length, 1, "the request in flight was not sent again")
        // exactly one connection per feed: one new one for each feed that changed owner, none for the others
        const now = yield* totals(h)
        for (const feed of feedNames) {
          assert.strictEqual(now.get(feed)! - before.get(feed)!, reassigned.includes(feed) ? 1 : 0, feed)
        }
        assert.deepStrictEqual(yield* liveCounts(h), feedNames.map(() => 1))
      }),
    90_000
  )

  scenario(
    "the restarted runner takes its feeds back: a clean hand-over, never two connections, nothing sent twice",
    (h) =>
      Effect.gen(function*() {
        const victim = h.killed
        assert.isDefined(victim, "the SIGKILL test ran")
        if (victim === undefined) return
        const survivors = h.runners.filter((r) => r !== victim)
        const before = yield* totals(h)
        const statesBefore = yield* statesFrom(survivors[0])
        // a request in flight on a feed that is about to move back
        const goingBack = feedNames.find((feed, i) => expectedOwners(h, h.runners).get(feed) !== statesBefore[i].runner)
        assert.isDefined(goingBack, "the restarted runner gets feeds back")
        const server = h.servers.get(goingBack!)!
        const holdsBefore = (yield* server.receivedMessages).filter((f) => isMethod(f, "test/hold")).length
        const caller = survivors.find((r) => r.address !== statesBefore[feedNames.indexOf(goingBack!)].runner)!
        const inFlight = yield* Effect.fork(
          caller.call({ op: "request", feed: goingBack!, request: { method: "test/hold" }, timeoutMs: 20_000 })
        )
        yield* waitFor(
          "the request to reach the server",
          Effect.map(server.receivedMessages, (frames) => frames.filter((f) => isMethod(f, "test/hold")).length),
          (n) => n === holdsBefore + 1,
          5_000
        )
        // the same runner again, same address
        h.runners.splice(h.runners.indexOf(victim), 1, yield* h.spawn(victimIndex(h, victim)))
        const states = yield* settled(h, h.runners[0], h.runners, 30_000)
        // the old owner closed its connection: the request failed typed, and was not sent again
        const outcome = yield* Fiber.join(inFlight).pipe(Effect.flip, Effect.timeout("10 seconds"))
        assert.strictEqual(outcome._tag, "FeedError")
        assert.include(["Disconnected", "FailedOver"], outcome.reason)
        console.log(`a request in flight during the hand-over failed with ${outcome.reason}`)
        assert.strictEqual(
          (yield* server.receivedMessages).filter((f) => isMethod(f, "test/hold")).length,
          holdsBefore + 1
        )
        const now = yield* totals(h)
        for (const [i, feed] of feedNames.entries()) {
          const movedBack = statesBefore[i].runner !== states[i].runner
          assert.strictEqual(now.get(feed)! - before.get(feed)!, movedBack ? 1 : 0, feed)
          assert.strictEqual(states[i].takeover, false, `${feed}: handed over cleanly`)
          assert.sameMembers([...states[i].subscriptions], [`static.${feed}`, `dynamic.${feed}`])
          if (movedBack) {
            // the previous owner's onDisconnect ran there, before the new owner's onConnect
            const previous = h.runners.find((r) => r.address === statesBefore[i].runner)!
            const next = h.runners.find((r) => r.address === states[i].runner)!
            const down = previous.hooks.filter((x) => x.feed === feed && x.hook === "onDisconnect").at(-1)
            const up = next.hooks.filter((x) => x.feed === feed && x.hook === "onConnect").at(-1)
            assert.isDefined(down)
            assert.isAtMost(down!.at, up!.at)
          }
        }
        const duplicates = feedNames.reduce((n, feed) => n + h.maxLive.get(feed)! - 1, 0)
        console.log(
          `most connections any feed's server held at once: ${
            Math.max(...h.maxLive.values())
          }; duplicates: ${duplicates}`
        )
        assert.deepStrictEqual([...h.maxLive.values()], feedNames.map(() => 1))
      }),
    90_000
  )
})
