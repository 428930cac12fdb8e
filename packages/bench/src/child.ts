/**
 * One measurement in a fresh process: `node --expose-gc <bundle>/child.mjs '<job json>'` (or, with `--source`,
 * `node --import tsx --expose-gc src/child.ts '<job json>'`).
 *
 * Starts its own server process, loads only the adapter of its row (the raw `ws` child never loads Effect), runs the
 * warm-up and the measured part, reports `{ metrics }` over IPC and exits (connections are left to the exit).
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import * as inspector from "node:inspector"
import { cpus } from "node:os"
import { join } from "node:path"
import type { Adapter, Marks, ZenSetup } from "./adapters/types.js"
import type { ChildResult, Job } from "./common.js"
import { echoPayload, median, quantile, sleep, within } from "./common.js"
import type {
  AdapterName,
  EchoParams,
  FaninParams,
  IdleParams,
  InboundParams,
  Kind,
  ParamsOf,
  RecoveryParams,
  RequestsParams
} from "./scenarios.js"
import { scenarios } from "./scenarios.js"
import * as ServerProcess from "./serverProcess.js"

const adapters: Record<AdapterName, () => Promise<Adapter>> = {
  raw: () => import("./adapters/raw.js").then((m) => m.adapter),
  effectSocket: () => import("./adapters/effectSocket.js").then((m) => m.adapter),
  effectSocketStream: () => import("./adapters/effectSocketStream.js").then((m) => m.adapter),
  effectFloor: () => import("./adapters/effectFloor.js").then((m) => m.adapter),
  nodeWs: () => import("./adapters/nodeWebSocket.js").then((m) => m.adapter),
  partysocket: () => import("./adapters/partysocket.js").then((m) => m.adapter),
  rws: () => import("./adapters/rws.js").then((m) => m.adapter),
  zen: () => import("./adapters/zen.js").then((m) => m.adapter)
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.()

interface Stopwatch extends Marks {
  readonly cpuUs: () => number
  readonly wallMs: () => number
}

/**
 * With `BENCH_PROF_DIR` set (`pnpm bench --prof=<scenario>/<row>`), the measured window (and only it) is sampled by
 * the V8 profiler and written there as a `.cpuprofile`.
 */
const profiler = (() => {
  const dir = process.env.BENCH_PROF_DIR
  if (dir === undefined || dir === "") return undefined
  const session = new inspector.Session()
  session.connect()
  session.post("Profiler.enable")
  session.post("Profiler.setSamplingInterval", { interval: 100 })
  return {
    start: () => session.post("Profiler.start"),
    stop: (name: string) =>
      session.post("Profiler.stop", (error, result) => {
        if (error !== null) return console.error(error)
        mkdirSync(dir, { recursive: true })
        writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(result.profile))
      })
  }
})()

const stopwatch = (name = "window"): Stopwatch => {
  let cpu0 = process.cpuUsage()
  let cpu = { user: 0, system: 0 }
  let t0 = 0
  let t1 = 0
  return {
    // no `gc()` here: a forced GC shrinks V8's young generation, and the window after it pays for growing it back
    // (measured on echo: +6 µs CPU per round trip for raw ws, +14 µs for zen), which no long-lived process sees
    start: () => {
      profiler?.start()
      t0 = performance.now()
      cpu0 = process.cpuUsage()
    },
    end: () => {
      cpu = process.cpuUsage(cpu0)
      t1 = performance.now()
      profiler?.stop(name)
    },
    cpuUs: () => cpu.user + cpu.system,
    wallMs: () => t1 - t0
  }
}

type Harness<K extends Kind> = (
  adapter: Adapter,
  params: ParamsOf[K],
  server: ServerProcess.ServerProcess,
  setup: ZenSetup | undefined
) => Promise<ChildResult>

const harness: { readonly [K in Kind]: Harness<K> } = {
  inbound: async (adapter, p: InboundParams, server, setup) => {
    const marks = stopwatch(`${process.env.BENCH_JOB_NAME}`)
    await adapter.inbound({
      url: `${server.url}?size=${p.size}`,
      warmup: p.warmup,
      frames: p.frames,
      json: p.json,
      consumer: p.consumer,
      clientDeflate: p.clientDeflate,
      marks,
      setup
    })
    return {
      metrics: {
        cpuNsPerFrame: (marks.cpuUs() * 1000) / p.frames,
        framesPerSec: p.frames / (marks.wallMs() / 1000)
      },
      notes: { wallMs: marks.wallMs(), cpuMs: marks.cpuUs() / 1000 }
    }
  },

  echo: async (adapter, p: EchoParams, server, setup) => {
    const latenciesMs = new Float64Array(p.rounds)
    const marks = stopwatch(`${process.env.BENCH_JOB_NAME}`)
    const warmup = Math.max(1, p.warmup)
    const consumer = p.consumer ?? "element"
    await adapter.echo({ url: server.url, warmup, latenciesMs, payload: echoPayload(), consumer, marks, setup })
    return {
      metrics: {
        p50Us: median(latenciesMs) * 1000,
        p99Us: quantile(latenciesMs, 0.99) * 1000,
        cpuUsPerRoundTrip: marks.cpuUs() / p.rounds
      },
      notes: { meanUs: (latenciesMs.reduce((a, b) => a + b, 0) / latenciesMs.length) * 1000 }
    }
  },

  requests: async (adapter, p: RequestsParams, server, setup) => {
    const marks = stopwatch(`${process.env.BENCH_JOB_NAME}`)
    await adapter.requests({ url: server.url, warmup: p.warmup, total: p.total, inflight: p.inflight, marks, setup })
    return {
      metrics: {
        roundTripsPerSec: p.total / (marks.wallMs() / 1000),
        cpuUsPerRequest: marks.cpuUs() / p.total
      }
    }
  },

  idle: async (adapter, p: IdleParams, server, setup) => {
    const args = {
      url: server.url,
      concurrency: p.concurrency,
      pingIntervalMs: p.pingIntervalMs,
      consume: p.consume,
      consumer: p.consumer ?? "element",
      supervised: p.supervised ?? false,
      setup
    }
    await adapter.idle({ ...args, count: p.warmupCount })
    await sleep(200)
    gc()
    gc()
    const before = process.memoryUsage()
    const t0 = performance.now()
    profiler?.start()
    await adapter.idle({ ...args, count: p.count })
    const openAllMs = performance.now() - t0
    profiler?.stop(`${process.env.BENCH_JOB_NAME}`)
    await sleep(p.settleMs)
    gc()
    gc()
    const after = process.memoryUsage()
    return {
      metrics: {
        heapBytesPerConn: (after.heapUsed - before.heapUsed) / p.count,
        rssBytesPerConn: (after.rss - before.rss) / p.count,
        openAllMs
      },
      notes: {
        externalBytesPerConn: (after.external - before.external) / p.count,
        heapUsedMB: after.heapUsed / 1e6,
        rssMB: after.rss / 1e6
      }
    }
  },

  fanin: async (adapter, p: FaninParams, server, setup) => {
    if (adapter.fanin === undefined) throw new Error("this client has no fan-in measurement")
    const expected = Math.ceil((p.count * p.rate * (p.windowMs + 2_000)) / 1000)
    const lags = new Float64Array(expected)
    let frames = 0
    let measuring = false
    let sampled = 0
    const sink = (text: string) => {
      frames++
      if (measuring && sampled < lags.length) {
        lags[sampled++] = performance.timeOrigin + performance.now() - Number(text.slice(6, 23))
      }
    }
    await adapter.fanin({
      url: `${server.url}?rate=${p.rate}`,
      count: p.count,
      concurrency: p.concurrency,
      pingIntervalMs: p.pingIntervalMs,
      sink,
      consumer: p.consumer ?? "merge",
      setup
    })
    await sleep(p.settleMs)
    const frames0 = frames
    profiler?.start()
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    measuring = true
    await sleep(p.windowMs)
    measuring = false
    const cpu = process.cpuUsage(cpu0)
    profiler?.stop(`${process.env.BENCH_JOB_NAME}`)
    const wallMs = performance.now() - t0
    const consumed = frames - frames0
    const rssMB = process.memoryUsage().rss / 1e6
    gc()
    gc()
    const heapMB = process.memoryUsage().heapUsed / 1e6
    const window = lags.subarray(0, sampled)
    return {
      metrics: {
        cpuNsPerFrame: ((cpu.user + cpu.system) * 1000) / consumed,
        p99LagMs: quantile(window, 0.99),
        p50LagMs: median(window),
        heapMB,
        rssMB,
        framesPerSec: consumed / (wallMs / 1000)
      },
      notes: { expectedPerSec: p.count * p.rate, consumed, sampled }
    }
  },

  recovery: async (adapter, p: RecoveryParams, server, setup) => {
    let restoredAt: number | undefined
    let wake: (() => void) | undefined
    const handle = await adapter.recovery({
      url: server.url,
      channels: p.channels,
      retryDelayMs: p.retryDelayMs,
      onRestored: () => {
        restoredAt = performance.now()
        wake?.()
      },
      setup
    })
    const samples: Array<number> = []
    // outage -1 is the warm-up
    for (let i = -1; i < p.outages; i++) {
      await sleep(100)
      await server.down()
      await sleep(p.downMs)
      restoredAt = undefined
      const restored = new Promise<void>((resolve) => (wake = resolve))
      await server.up()
      const upAt = performance.now()
      if (restoredAt === undefined) await within(restored, 10_000, "subscriptions restored")
      if (i >= 0) samples.push(Math.max(0, restoredAt! - upAt))
    }
    await within(handle.stop(), 5_000, "recovery client stop").catch(() => {})
    return { metrics: { recoveryMs: median(samples), recoveryP90Ms: quantile(samples, 0.9) }, notes: { samples } }
  }
}

/** Pins this process (all threads; children inherit it) to the last CPU; returns how, or undefined if it could not. */
const pin = (): string | undefined => {
  const cpu = String(cpus().length - 1)
  try {
    execFileSync("taskset", ["-a", "-cp", cpu, String(process.pid)], { stdio: "ignore" })
    return `taskset -c ${cpu}`
  } catch {
    console.error("taskset failed: running unpinned")
    return undefined
  }
}

const main = async () => {
  const job = JSON.parse(process.argv[2] ?? "{}") as Job
  const scenario = scenarios.find((s) => s.id === job.scenario)
  const row = scenario?.rows.find((r) => r.id === job.row)
  if (scenario === undefined || row === undefined) throw new Error(`unknown job ${process.argv[2]}`)
  const params = { ...scenario.params[job.mode], ...row.args } as ParamsOf[Kind]
  const pinned = scenario.pinToOneCpu === true ? pin() : undefined
  // the server boots while the client's modules load (it inherits the CPU affinity)
  const serverStarting = ServerProcess.start(
    scenario.kind === "inbound"
      ? (params as InboundParams).deflate === true ? "deflate" : "blast"
      : scenario.kind === "fanin"
      ? "feed"
      : "ws"
  )
  const adapter = await adapters[row.adapter]()
  const setup = row.adapter === "zen" && scenario.setup !== undefined ? await scenario.setup() : undefined
  const server = await serverStarting
  try {
    const run = harness[scenario.kind] as Harness<Kind>
    const found = await run(adapter, params, server, setup)
    const result: ChildResult = pinned === undefined ? found : { ...found, notes: { ...found.notes, pinned } }
    await new Promise<void>((resolve) => process.send!({ type: "result", result }, () => resolve()))
  } finally {
    server.kill()
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
