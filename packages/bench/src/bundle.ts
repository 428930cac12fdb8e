/**
 * Bundles the measurement child and the server (and through them every adapter and `@zen-websocket/core` from its
 * TypeScript source) into one temporary directory with esbuild, so a child process boots in ~0.1 s instead of the
 * ~1.5 s that loading Effect and the core sources through the tsx loader costs. The code is the same esbuild output
 * tsx would run; only module loading changes. Rebuilt on every `pnpm bench`, so it always reflects the working tree.
 * `--source` (and `--prof`) run the children through tsx from the sources instead.
 */
import { build } from "esbuild"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface Bundle {
  readonly child: string
  readonly dir: string
  readonly remove: () => void
}

/**
 * `entryPoints` (default: the child) are bundled with the server, each to `<dir>/<name>.mjs`: next to `server.mjs`,
 * where `serverProcess.ts` looks for it.
 */
export const make = async (
  entryPoints: ReadonlyArray<string> = [new URL("./child.ts", import.meta.url).pathname]
): Promise<Bundle> => {
  const dir = mkdtempSync(join(tmpdir(), "zen-bench-"))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  process.once("exit", remove)
  await build({
    entryPoints: [...entryPoints, new URL("./server.ts", import.meta.url).pathname],
    entryNames: "[name]",
    outdir: dir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    // CommonJS dependencies (ws, reconnecting-websocket) call `require` for Node built-ins
    banner: {
      js:
        "import { createRequire as __benchCreateRequire } from \"node:module\"; const require = __benchCreateRequire(import.meta.url);"
    },
    // the workspace's @zen-websocket/core from its TypeScript sources, as tsx and vitest resolve it
    conditions: ["@zen-websocket/source"],
    // a tool that bundles itself when run from source (`tools/echoWindows.ts`) leaves esbuild out of its bundle
    external: ["esbuild"],
    logLevel: "warning"
  })
  return { child: join(dir, "child.mjs"), dir, remove }
}
