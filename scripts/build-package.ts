/**
 * Builds the publishable package in the current directory into `dist`, the way Effect's own packages are laid out:
 *
 * - `dist/esm`: ES modules and source maps, emitted by `tsc -b tsconfig.build.json` (which extends the root
 *   `tsconfig.dist.json`);
 * - `dist/dts`: the declarations and declaration maps, from the same `tsc` run;
 * - `dist/cjs`: CommonJS, one file per source file (esbuild's transform, not a bundle), with source maps;
 * - `dist/{esm,cjs}/entry`: one small module per entry point (`.` and every `src/<Module>.ts`). It checks the installed
 *   `effect` (see `effectGuard.ts`) and only then loads the implementation, so Effect 4 fails with a message naming
 *   the versions instead of a module-not-found deep inside.
 *
 * It also checks that `package.json` `exports` list exactly the entry points (`--write-exports` rewrites them).
 *
 * Usage, from a package folder: `tsx ../../scripts/build-package.ts [--write-exports]` (the `build` and `prepack`
 * scripts of every publishable package).
 */
import { transform } from "esbuild"
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import { cjsEntry, esmEntry, guardModule } from "./effectGuard.js"
import { expectedExports, type PackageJson, publicModules, readPackageJson } from "./packages.js"

const require = createRequire(import.meta.url)

const main = async (): Promise<void> => {
  const dir = process.cwd()
  const pkg = readPackageJson(dir)
  checkExports(dir, pkg, process.argv.includes("--write-exports"))

  const started = Date.now()
  Fs.rmSync(Path.join(dir, "dist"), { recursive: true, force: true })
  Fs.rmSync(Path.join(dir, ".tsbuildinfo", "build.tsbuildinfo"), { force: true })

  tsc(dir)
  await cjs(dir)
  await entries(dir, pkg)
  writeJson(Path.join(dir, "dist", "esm", "package.json"), { type: "module", sideEffects: [] })
  writeJson(Path.join(dir, "dist", "cjs", "package.json"), { type: "commonjs", sideEffects: [] })
  // the declarations describe both builds: CommonJS-format types import fine from ES modules, not the other way round
  writeJson(Path.join(dir, "dist", "dts", "package.json"), { type: "commonjs" })
  console.log(`${pkg.name}: dist built in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

const checkExports = (dir: string, pkg: PackageJson, write: boolean): void => {
  const expected = expectedExports(publicModules(dir))
  if (JSON.stringify(pkg.exports) === JSON.stringify(expected)) return
  if (write) {
    const file = Path.join(dir, "package.json")
    const json = JSON.parse(Fs.readFileSync(file, "utf8"))
    json.exports = expected
    writeJson(file, json)
    console.log(`${pkg.name}: package.json exports rewritten`)
    return
  }
  throw new Error(
    `${pkg.name}: package.json "exports" do not match the entry points (src/index.ts and src/<Module>.ts).\n` +
      `Run \`pnpm --filter ${pkg.name} build --write-exports\`. Expected:\n${JSON.stringify(expected, null, 2)}`
  )
}

const tsc = (dir: string): void => {
  const result = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", "tsconfig.build.json"], {
    cwd: dir,
    stdio: "inherit"
  })
  if (result.status !== 0) throw new Error(`tsc -b tsconfig.build.json failed in ${dir}`)
}

/** One CommonJS file per source file, straight from the TypeScript sources (`isolatedModules` makes that safe). */
const cjs = async (dir: string): Promise<void> => {
  const src = Path.join(dir, "src")
  const out = Path.join(dir, "dist", "cjs")
  await Promise.all(
    sourceFiles(src).map(async (file) => {
      const target = Path.join(out, Path.relative(src, file)).replace(/\.ts$/, ".js")
      const result = await transform(Fs.readFileSync(file, "utf8"), {
        loader: "ts",
        format: "cjs",
        platform: "node",
        target: "es2022",
        sourcemap: "external",
        sourcesContent: false,
        sourcefile: Path.relative(Path.dirname(target), file),
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: false } },
        logLevel: "silent"
      })
      if (result.warnings.length > 0) {
        throw new Error(`${file}: ${result.warnings.map((warning) => warning.text).join("; ")}`)
      }
      Fs.mkdirSync(Path.dirname(target), { recursive: true })
      Fs.writeFileSync(target, `${result.code}//# sourceMappingURL=${Path.basename(target)}.map\n`)
      Fs.writeFileSync(`${target}.map`, result.map)
    })
  )
}

/** The guarded entry modules; the ES ones re-export the names the implementation really has. */
const entries = async (dir: string, pkg: PackageJson): Promise<void> => {
  const guard = guardModule(pkg)
  for (const format of ["esm", "cjs"] as const) {
    const entryDir = Path.join(dir, "dist", format, "entry")
    Fs.mkdirSync(entryDir, { recursive: true })
    Fs.writeFileSync(Path.join(entryDir, "effect-version.js"), guard[format])
  }
  for (const module of publicModules(dir)) {
    const implementation = Path.join(dir, "dist", "esm", `${module}.js`)
    const names = Object.keys(await import(pathToFileURL(implementation).href))
    Fs.writeFileSync(Path.join(dir, "dist", "esm", "entry", `${module}.js`), esmEntry(module, names))
    Fs.writeFileSync(Path.join(dir, "dist", "cjs", "entry", `${module}.js`), cjsEntry(module))
  }
}

const sourceFiles = (dir: string): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = Path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : []
  })

const writeJson = (file: string, value: unknown): void => {
  Fs.mkdirSync(Path.dirname(file), { recursive: true })
  Fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
