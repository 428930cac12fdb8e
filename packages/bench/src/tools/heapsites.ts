/**
 * Live heap per idle zen-websocket client, by allocation site: opens N clients to a bench server, samples the
 * allocations made while opening them (V8 sampling heap profiler, objects still alive after `gc()`), and prints the
 * bytes per client by allocation site.
 *
 *   node --import tsx --conditions=@zen-websocket/source --expose-gc src/tools/heapsites.ts [N=500] [ping]
 */
import * as Client from "@zen-websocket/core/Client"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as inspector from "node:inspector"
import * as ServerProcess from "../serverProcess.js"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}
interface SamplingNode {
  readonly callFrame: CallFrame
  readonly selfSize: number
  readonly children: ReadonlyArray<SamplingNode>
}

const count = Number(process.argv[2] ?? 500)
const ping = process.argv[3] === "ping"
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with node --expose-gc")

const server = await ServerProcess.start("ws")
const scope = Effect.runSync(Scope.make())
const options = ping ? { heartbeatConfig: { type: "ping", interval: 1_000 } as const } : {}
const open = (n: number) =>
  Effect.runPromise(
    Scope.extend(
      Effect.forEach(Array.from({ length: n }), () => Client.connect(server.url, options), {
        concurrency: 50,
        discard: true
      }),
      scope
    )
  )

const session = new inspector.Session()
session.connect()
const post = <A>(method: string, params: object = {}) =>
  new Promise<A>((resolve, reject) =>
    session.post(method, params, (error, result) => error === null ? resolve(result as A) : reject(error))
  )

await open(20)
gc()
gc()
await post("HeapProfiler.enable")
await post("HeapProfiler.startSampling", { samplingInterval: 256 })
const before = process.memoryUsage().heapUsed
await open(count)
await new Promise((resolve) => setTimeout(resolve, 1_500))
gc()
gc()
const after = process.memoryUsage().heapUsed
const { profile } = await post<{ profile: { head: SamplingNode } }>("HeapProfiler.getSamplingProfile")
await post("HeapProfiler.stopSampling")

const name = (f: CallFrame | undefined) =>
  f === undefined
    ? "(no core frame)"
    : `${f.functionName || "(anonymous)"} ${f.url.replace(/.*node_modules\//, "").replace(/.*packages\//, "")}:${
      f.lineNumber + 1
    }`
const bySite = new Map<string, number>()
const walk = (node: SamplingNode, stack: ReadonlyArray<CallFrame>) => {
  const frames = [...stack, node.callFrame]
  if (node.selfSize > 0) {
    const user = frames.filter((f) => f.url !== "" && !f.url.startsWith("node:"))
    const site = `${name(user[user.length - 1])}  <=  ${
      name([...user].reverse().find((f) => f.url.includes("/core/")))
    }`
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize)
  }
  for (const child of node.children) walk(child, frames)
}
walk(profile.head, [])
const sampled = [...bySite.values()].reduce((a, b) => a + b, 0)
console.log(
  `heap per client: ${((after - before) / count / 1000).toFixed(1)} KB (${count} clients${ping ? ", ping" : ""})`
)
console.log(
  `sampled live allocations: ${(sampled / count / 1000).toFixed(1)} KB per client, by site  <=  innermost core frame:`
)
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`  ${(bytes / count).toFixed(0).padStart(6)} B  ${site}`)
}
server.kill()
process.exit(0)
