/**
 * Three runners, one Postgres, three feeds (see README.md):
 *
 * 1. starts a Postgres (or uses `DATABASE_URL`) and a mock exchange, then three runner processes (runner.ts);
 * 2. joins the cluster as a client (no feeds, no shards) and waits until every feed is connected, once;
 * 3. sends a request through each feed, from here: it goes to whichever runner owns the feed;
 * 4. SIGKILLs the runner that owns `btc-ticker` and measures how long until the feed is connected on a survivor;
 * 5. checks that every feed still has exactly one connection, then stops the survivors with SIGTERM.
 *
 * Run: pnpm --filter @zen-websocket/cluster exec tsx examples/cluster/main.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { ClusterFeeds } from "@zen-websocket/cluster"
import { Testing } from "@zen-websocket/core"
import { Config, Console, Effect, Layer, Option, Redacted } from "effect"
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { freePort, startPostgres } from "./throwaway.js"

const feeds = ["btc-ticker", "eth-ticker", "sol-ticker"]
/** quick takeovers for the demo (the cluster's defaults are 10 s / 35 s / 1 min / 3 s) */
const timings = {
  SHARD_LOCK_REFRESH_INTERVAL: "3 seconds",
  SHARD_LOCK_EXPIRATION: "9 seconds",
  RUNNER_HEALTH_CHECK_INTERVAL: "1 second",
  REFRESH_ASSIGNMENTS_INTERVAL: "500 millis"
}

const runnerFile = fileURLToPath(new URL("./runner.ts", import.meta.url))

/** what to show of a runner's output: its feeds coming and going, takeovers, warnings */
const shown = /connected here|leaves this runner|taking over|WARN|ERROR/

/**
 * Forks a runner and waits until it listens for the other runners. Its output is shown with its name; closing the
 * scope stops it (SIGTERM) unless it is gone.
 */
const spawnRunner = (name: string, env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.async<ChildProcess>((resume) => {
      const child = fork(runnerFile, [], {
        execArgv: ["--conditions=@zen-websocket/source", "--import", "tsx"],
        env: { ...process.env, ...timings, ...env },
        stdio: ["ignore", "pipe", "pipe", "ipc"]
      })
      for (const stream of [child.stdout, child.stderr]) {
        stream?.on("data", (chunk: Buffer) => {
          for (const line of chunk.toString().split("\n")) {
            if (line.includes("Listening on")) resume(Effect.succeed(child))
            if (shown.test(line)) process.stdout.write(`  [${name}] ${line}\n`)
          }
        })
      }
      child.once("exit", (code) => resume(Effect.dieMessage(`${name} exited (${code}) before it was up`)))
    }),
    (child) => exited(child, "SIGTERM")
  )

const exited = (child: ChildProcess, signal: NodeJS.Signals) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill(signal)
  })

const owners = Effect.forEach(feeds, (feed) =>
  ClusterFeeds.state(feed, { timeout: "2 seconds" }).pipe(
    Effect.map((s) => s.state === "connected" ? s.runner : `(${s.state})`),
    Effect.orElseSucceed(() => "(no owner)")
  ))

/** polls until `check` holds (every 250 ms, for at most `seconds`); the value that passed */
const until = <A, R>(what: string, effect: Effect.Effect<A, never, R>, check: (a: A) => boolean, seconds: number) => {
  const loop: Effect.Effect<A, never, R> = Effect.flatMap(
    effect,
    (a) => check(a) ? Effect.succeed(a) : Effect.zipRight(Effect.sleep("250 millis"), loop)
  )
  return Effect.timeoutFail(loop, {
    duration: `${seconds} seconds`,
    onTimeout: () => new Error(`timed out waiting for ${what}`)
  })
}

const program = Effect.gen(function*() {
  const databaseUrl = yield* Effect.orElse(
    Effect.map(Config.redacted("DATABASE_URL"), Redacted.value),
    () => Effect.tap(Effect.map(startPostgres, (pg) => pg.url), (url) => Console.log(`Postgres (throwaway): ${url}`))
  )
  const exchange = yield* Testing.startMockServer()
  yield* Console.log(`exchange: ${exchange.url}`)

  const ports = [yield* freePort, yield* freePort, yield* freePort]
  const spawn = (i: number) =>
    spawnRunner(`runner-${i + 1}`, {
      DATABASE_URL: databaseUrl,
      HOST: "127.0.0.1",
      PORT: String(ports[i]),
      EXCHANGE_URL: exchange.url
    })
  // the first runner of a fresh database creates the cluster's tables: start it alone
  const first = yield* spawn(0)
  yield* exchange.awaitConnections(feeds.length, 120_000)
  const others = yield* Effect.all([spawn(1), spawn(2)], { concurrency: "unbounded" })
  const runners = [first, ...others]

  yield* Effect.gen(function*() {
    // settled: every feed connected, and the owners unchanged for 3 s (the two new runners have taken their share)
    let previous = ""
    let stable = 0
    const settled = yield* until("the owners to settle", owners, (o) => {
      const now = o.join(",")
      stable = now === previous && !now.includes("(") ? stable + 1 : 0
      previous = now
      return stable >= 12
    }, 120)
    yield* Console.log(`owners: ${feeds.map((f, i) => `${f} on ${settled[i]}`).join(", ")}`)
    yield* Console.log(`live connections at the exchange: ${yield* exchange.connectionCount} for ${feeds.length} feeds`)

    for (const feed of feeds) {
      const result = yield* ClusterFeeds.request(feed, { method: "public/get_time" })
      yield* Console.log(`request through ${feed}: ${JSON.stringify(result)}`)
    }

    const victim = ports.indexOf(Number(settled[0].split(":")[1]))
    yield* Console.log(`SIGKILL runner-${victim + 1}, which owns btc-ticker`)
    const killedAt = Date.now()
    yield* exited(runners[victim], "SIGKILL")
    const after = yield* until("btc-ticker to come back", owners, (o) => !o[0].includes("(") && o[0] !== settled[0], 60)
    yield* Console.log(`btc-ticker connected again on ${after[0]} after ${Date.now() - killedAt} ms`)
    const all = yield* until("every feed connected", owners, (o) => o.every((x) => !x.includes("(")), 30)
    yield* Console.log(`owners: ${feeds.map((f, i) => `${f} on ${all[i]}`).join(", ")}`)
    const live = yield* exchange.connectionCount
    yield* Console.log(`live connections at the exchange: ${live} for ${feeds.length} feeds`)
    if (live !== feeds.length) return yield* Effect.fail(new Error(`expected one connection per feed, found ${live}`))
    const state = yield* ClusterFeeds.state("btc-ticker")
    yield* Console.log(`btc-ticker: taken over: ${state.takeover}, subscriptions restored: ${state.subscriptions}`)
  }).pipe(
    Effect.provide(
      ClusterFeeds.layerClient().pipe(
        Layer.provide(ClusterFeeds.layerNode({
          storage: "sql",
          clientOnly: true,
          postgres: { url: Redacted.make(databaseUrl) },
          shardingConfig: { runnerAddress: Option.none() }
        }))
      )
    )
  )
  yield* Console.log("stopping the survivors (SIGTERM)")
})

program.pipe(Effect.scoped, NodeRuntime.runMain)
