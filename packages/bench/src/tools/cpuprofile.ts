/**
 * Summarises `.cpuprofile` files (from `pnpm bench --prof=<scenario>/<row>`, written to `results/prof/`):
 * top self-time functions, and self time per package/file.
 *
 *   tsx src/tools/cpuprofile.ts [results/prof/CPU.*.cpuprofile ...]   (default: the newest profile)
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"

interface Node {
  readonly id: number
  readonly children?: ReadonlyArray<number>
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}
interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const where = (url: string): string => {
  if (url === "") return "(native)"
  const path = url.replace(/^file:\/\//, "")
  const pkg = path.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/)
  if (pkg) return `${pkg[1]}/${pkg[2].replace(/^(dist\/esm|dist\/cjs|dist|src)\//, "")}`
  const core = path.match(/packages\/([^/]+)\/(.*)$/)
  if (core) return `${core[1]}/${core[2]}`
  return path.startsWith("node:") ? path : path.split("/").slice(-2).join("/")
}

const summarize = (file: string, top = 30) => {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
  const selfById = new Map<number, number>()
  profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  // the profiler's own stop call (`inspector` `post`) is inside the window: leave its subtree out
  const parent = new Map<number, Node>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node)
  const isProfiler = (node: Node): boolean => {
    for (let n: Node | undefined = node; n !== undefined; n = parent.get(n.id)) {
      if (n.callFrame.functionName === "post" && n.callFrame.url === "node:inspector") return true
    }
    return false
  }
  const byFunction = new Map<string, number>()
  const byFile = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const self = selfById.get(node.id) ?? 0
    if (self === 0 || isProfiler(node)) continue
    total += self
    const file = where(node.callFrame.url)
    const name = `${node.callFrame.functionName || "(anonymous)"}  ${file}:${node.callFrame.lineNumber + 1}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + self)
    byFile.set(file, (byFile.get(file) ?? 0) + self)
  }
  const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)}%`
  console.log(`\n${file}: ${(total / 1000).toFixed(0)} ms sampled`)
  console.log("\ntop self time, by function")
  for (const [name, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${name}`)
  console.log("\nself time, by file")
  for (const [name, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${pct(v)}  ${name}`)
}

const dir = new URL("../../results/prof", import.meta.url).pathname
const files = process.argv.slice(2)
if (files.length === 0) {
  const newest = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
  if (newest === undefined) throw new Error(`no .cpuprofile in ${dir}`)
  files.push(newest)
}
for (const file of files) summarize(file)
