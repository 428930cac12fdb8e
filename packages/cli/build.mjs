// Bundles the `zenws` executable into dist/bin (the library modules are built beside it, into dist/esm, dist/cjs and
// dist/dts, by scripts/build-package.ts): a small entry (zenws.js) that answers --help and --version from help.json,
// the command tree with @effect/cli (main.js), and one chunk per command body, loaded when that command runs. Then
// renders help.json by running main.js itself, so the texts are @effect/cli's own. Workspace packages are bundled
// from their sources (the @zen-websocket/source condition), so nothing has to be built first.
import * as esbuild from "esbuild"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"

Fs.rmSync(new URL("dist/bin", import.meta.url), { recursive: true, force: true })

await esbuild.build({
  absWorkingDir: new URL(".", import.meta.url).pathname,
  entryPoints: { zenws: "src/bin/zenws.ts", main: "src/bin/main.ts" },
  outdir: "dist/bin",
  conditions: ["@zen-websocket/source"],
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: "linked",
  // ws loads these optional native helpers when they are installed
  external: ["bufferutil", "utf-8-validate"],
  banner: {
    js: "#!/usr/bin/env node\n" +
      "import { createRequire as __zenwsCreateRequire } from \"node:module\";\n" +
      "const require = __zenwsCreateRequire(import.meta.url);"
  },
  logLevel: "warning"
})
Fs.chmodSync(new URL("dist/bin/zenws.js", import.meta.url), 0o755)

// the pre-rendered texts of `zenws --help`, `zenws <command> --help` and `zenws --version` (styles kept: bin.js strips
// them off a terminal exactly as main.js does)
const main = new URL("dist/bin/main.js", import.meta.url).pathname
const render = (args) =>
  ChildProcess.execFileSync(process.execPath, [main, ...args], {
    encoding: "utf8",
    env: Object.fromEntries([...Object.entries(process.env).filter(([k]) => k !== "NO_COLOR"), ["FORCE_COLOR", "1"]])
  })
const commands = ["connect", "send", "request", "record", "replay", "inspect", "serve", "demo"]
const help = {
  "--help": render(["--help"]),
  "--version": render(["--version"]),
  ...Object.fromEntries(commands.map((command) => [`${command} --help`, render([command, "--help"])]))
}
Fs.writeFileSync(new URL("dist/bin/help.json", import.meta.url), JSON.stringify(help))
