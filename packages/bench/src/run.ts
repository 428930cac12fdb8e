/**
 * `pnpm bench [--full] [--only=inbound,echo] [--reps=N] [--prof=<scenario>/<row>]`
 *
 * Runs every scenario of `scenarios.ts`: for each repetition, each row in a fresh child process (rows interleaved,
 * so drift on a shared machine hits every client alike), then reports the median of the repetitions, and its ratio
 * to the scenario's baseline (raw `ws`), on stdout, in `RESULTS.md` and in `results/latest.json`.
 */
import { execSync, fork } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import { join } from "node:path"
import * as Bundle from "./bundle.js"
import type { ChildResult, Job, Mode } from "./common.js"
import * as Node22 from "./node22.js"
import * as Report from "./report.js"
import type { Scenario } from "./scenarios.js"
import { scenarios } from "./scenarios.js"

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const found = args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))
  return found === undefined ? undefined : found.includes("=") ? found.slice(found.indexOf("=") + 1) : ""
}

const mode: Mode = flag("full") !== undefined ? "full" : "quick"
const only = flag("only")?.split(",").filter((s) => s.length > 0)
/** --rows=raw-ws,zen-chunk: only these rows of each selected scenario (the baseline row is always kept) */
const onlyRows = flag("rows")?.split(",").filter((s) => s.length > 0)
const repsOverride = flag("reps") === undefined ? undefined : Number(flag("reps"))
const prof = flag("prof")
/**
 * --prof=<scenario>/<row>: a `.cpuprofile` of that row's measured window (inbound, echo, requests), in
 * `results/prof/` (summarise with `tsx src/tools/cpuprofile.ts`). Implies --source: run the children from the
 * TypeScript sources through tsx instead of the esbuild bundle, so the profile names the source files.
 */
const fromSource = flag("source") !== undefined || prof !== undefined
const childTimeoutMs = mode === "full" ? 300_000 : 60_000

const root = new URL("..", import.meta.url).pathname
const sourceChild = new URL("./child.ts", import.meta.url).pathname
let childPath = sourceChild

const selected = scenarios
  .filter((s) => only === undefined || only.some((o) => s.id.startsWith(o)))
  .map((s) =>
    onlyRows === undefined ? s : { ...s, rows: s.rows.filter((r) => r.id === s.baseline || onlyRows.includes(r.id)) }
  )

/** extra Node flags for every child, e.g. BENCH_NODE_FLAGS=--trace-gc (diagnosis only) */
const extraNodeFlags = (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== "")

/** the Node 22 binary of the rows that need it (`node22.ts`), once fetched */
let node22: string | undefined
const needsNode22 = (row: { readonly adapter: string }): boolean => row.adapter === "nodeWs"

const runChild = (job: Job, execPath?: string): Promise<ChildResult> =>
  new Promise((resolve, reject) => {
    const profile = prof !== undefined && prof === `${job.scenario}/${job.row}`
    const child = fork(childPath, [JSON.stringify(job)], {
      cwd: root,
      ...(execPath === undefined ? {} : { execPath }),
      execArgv: [
        ...(fromSource ? ["--import", "tsx", "--conditions=@zen-websocket/source"] : []),
        "--expose-gc",
        "--max-old-space-size=4096",
        ...extraNodeFlags
      ],
      env: {
        ...process.env,
        BENCH_JOB_NAME: `${job.scenario}.${job.row}.${job.rep}`,
        BENCH_SERVER_NODE: process.execPath,
        BENCH_PROF_DIR: profile ? `${root}results/prof` : ""
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let result: ChildResult | undefined
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`timed out after ${childTimeoutMs} ms`))
    }, childTimeoutMs)
    child.on("message", (message: { type?: string; result?: ChildResult }) => {
      if (message.type === "result") result = message.result
    })
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      if (result !== undefined) resolve(result)
      else reject(new Error(`child exited with ${code ?? signal} and no result`))
    })
  })

const versionOf = (name: string): string => {
  try {
    const path = new URL(`../node_modules/${name}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version
  } catch {
    return "?"
  }
}

/** Idle scenarios open thousands of sockets per process (client and server each hold one fd per connection). */
const checkFdLimit = () => {
  const wanted = Math.max(
    0,
    ...selected.map((s) => s.kind === "idle" ? (s.params[mode] as { count: number }).count + 1_000 : 0)
  )
  if (wanted === 0) return
  try {
    const limit = execSync("ulimit -n", { shell: "/bin/sh", encoding: "utf8" }).trim()
    if (limit !== "unlimited" && Number(limit) < wanted) {
      console.error(
        `warning: ulimit -n is ${limit}, the idle scenarios need about ${wanted}: raise it (ulimit -n ${wanted})`
      )
    }
  } catch {
    // no shell: the idle rows will report their own failures
  }
}

/** Which state of packages/core was measured (others edit it while benches run): a hash of its sources. */
const coreSnapshot = (): string => {
  const dir = new URL("../../core/src/", import.meta.url).pathname
  const files = (readdirSync(dir, { recursive: true }) as Array<string>).filter((f) => f.endsWith(".ts")).sort()
  const hash = createHash("sha1")
  let newest = 0
  for (const file of files) {
    hash.update(file).update(readFileSync(join(dir, file)))
    newest = Math.max(newest, statSync(join(dir, file)).mtimeMs)
  }
  return `sha1 ${hash.digest("hex").slice(0, 12)} of ${files.length} files, newest modified ${
    new Date(newest).toISOString()
  }`
}

const main = async () => {
  const startedAt = new Date()
  const t0 = performance.now()
  const cpus = os.cpus()
  const machine: Report.Machine = {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? "?",
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    memGB: Math.round(os.totalmem() / 1e9),
    loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
    core: coreSnapshot(),
    versions: Object.fromEntries(
      ["ws", "effect", "@effect/platform", "@effect/platform-node", "partysocket", "reconnecting-websocket"].map(
        (name) => [name, versionOf(name)]
      )
    )
  }
  checkFdLimit()
  let planned = selected as ReadonlyArray<Scenario>
  if (planned.some((s) => s.rows.some(needsNode22))) {
    const found = Node22.ensure()
    if ("error" in found) {
      console.error(`skipping the Node 22 WebSocket rows: ${found.error}`)
      planned = planned.map((s) => ({
        ...s,
        rows: s.rows.filter((r) => !needsNode22(r)),
        note: [s.note, `Node 22 WebSocket row skipped: ${found.error}.`].filter((n) => n !== undefined).join(" ")
      }))
    } else {
      node22 = found.path
      machine.versions["node (WebSocket rows)"] = found.version
    }
  }
  if (!fromSource) childPath = (await Bundle.make()).child
  console.error(
    `zen-websocket bench, ${mode} mode: ${selected.length} scenarios on ${machine.cores} cores, Node ${machine.node}`
  )

  const results: Array<Report.ScenarioResult> = []
  for (const scenario of planned) {
    const reps = repsOverride ?? scenario.reps[mode]
    const samples: Record<string, Array<ChildResult>> = Object.fromEntries(scenario.rows.map((r) => [r.id, []]))
    const errors: Record<string, Array<string>> = {}
    const ts = performance.now()
    for (let rep = 0; rep < reps; rep++) {
      for (const row of scenario.rows) {
        const job: Job = { scenario: scenario.id, row: row.id, mode, rep }
        const tc = performance.now()
        try {
          const result = await runChild(job, needsNode22(row) ? node22 : undefined)
          samples[row.id].push(result)
          const [headline] = Report.metricsOf(scenario)
          console.error(
            `  ${scenario.id} ${rep + 1}/${reps} ${row.id.padEnd(14)} ${
              headline.format(result.metrics[headline.key])
            }  (${((performance.now() - tc) / 1000).toFixed(1)} s)`
          )
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error)
          ;(errors[row.id] ??= []).push(message)
          console.error(`  ${scenario.id} ${rep + 1}/${reps} ${row.id.padEnd(14)} FAILED: ${message}`)
        }
      }
    }
    results.push(Report.summarize(scenario, mode, reps, samples, errors, performance.now() - ts))
  }

  const run: Report.Run = {
    mode,
    date: startedAt.toISOString(),
    durationS: (performance.now() - t0) / 1000,
    partial: only !== undefined || onlyRows !== undefined,
    machine,
    scenarios: results
  }
  console.log(Report.text(run))
  const dir = `${root}results`
  mkdirSync(dir, { recursive: true })
  const json = JSON.stringify(run, null, 2) + "\n"
  if (run.partial) {
    // a partial run (--only) never replaces the complete ones behind RESULTS.md
    writeFileSync(`${dir}/latest-partial.json`, json)
    console.error(`wrote results/latest-partial.json in ${run.durationS.toFixed(0)} s (RESULTS.md unchanged)`)
    return
  }
  writeFileSync(`${dir}/latest.json`, json)
  writeFileSync(`${dir}/latest-${mode}.json`, json)
  const runs = (["full", "quick"] as const).flatMap((m) => {
    try {
      return [JSON.parse(readFileSync(`${dir}/latest-${m}.json`, "utf8")) as Report.Run]
    } catch {
      return []
    }
  })
  writeFileSync(`${root}RESULTS.md`, Report.markdown(runs))
  console.error(`wrote RESULTS.md and results/latest.json in ${run.durationS.toFixed(0)} s`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
