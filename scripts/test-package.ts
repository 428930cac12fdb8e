/**
 * `pnpm test:package`: the publishable packages as a user gets them.
 *
 * 1. `pnpm pack` every publishable package (its `prepack` builds `dist`), and check each tarball: README, LICENSE and
 *    CHANGELOG present, no tests, every `exports` target inside the tarball and under `dist/` (never a source file),
 *    nothing test-only in the runtime dependencies.
 * 2. Install the tarballs with npm into a fresh project with `effect@3` (and the other peers) at the lockfile's
 *    versions, then:
 *    a. with plain `node`, import every entry point as ESM and `require()` it as CommonJS, and run a program against
 *       the shipped mock server (`Testing.startMockServer`) both ways;
 *    b. type-check consumer files (ESM and CommonJS) under `strict` + `exactOptionalPropertyTypes` + `skipLibCheck`,
 *       without `@types/ws`, and audit the declarations: no public type is `any`, none imports `ws`.
 * 3. Install the core tarball with Effect 4 into a second project and check that importing it (ESM and CommonJS) stops
 *    with the message naming the versions.
 * 4. Bun and Deno (installed from npm, pinned below): the same entry points and program, and the same Effect 4
 *    message, under each (the README's runtime notes quote this step).
 *
 * Options: `--keep` leaves the temporary folder in place (its path is printed).
 */
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { consumerCode, consumerTsconfig, scenario } from "./consumerFixtures.js"
import { type PackageJson, publicModules, publishablePackages, root, sourceCondition, subpath } from "./packages.js"
import * as TypeAudit from "./typeAudit.js"

/** Effect 4 as npm's `latest` installs it (2026-12); the import-time check must name it. */
const effect4 = "4.1.0"

/** The other runtimes, from their npm packages (the binary comes in an optional dependency: no download of its own). */
const runtimes = { bun: "1.4.5", deno: "2.9.6" } as const

const npmFlags = ["--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--loglevel=error"]

interface Packed {
  readonly dir: string
  readonly pkg: PackageJson
  readonly tarball: string
  readonly files: ReadonlyArray<string>
}

const main = async (): Promise<void> => {
  const started = Date.now()
  const temp = Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-package-"))
  const step = (name: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${name}`)
  try {
    step("packing")
    const packed = await pack(Path.join(temp, "tarballs"))
    for (const entry of packed) checkTarball(entry)
    const core = packed.find((entry) => entry.pkg.name === "@zen-websocket/core")
    assert.ok(core !== undefined, "@zen-websocket/core is publishable")

    step("installing into fresh projects (effect 3, effect 4)")
    const consumer = Path.join(temp, "consumer")
    const legacy = Path.join(temp, "effect4")
    const tools = Path.join(temp, "runtimes")
    await Promise.all([
      install(consumer, [...packed.map((entry) => entry.tarball), ...peers(packed), ...typeTools()]),
      install(legacy, [core.tarball, `effect@${effect4}`], ["--legacy-peer-deps"]),
      // their postinstall links the binary of the platform's optional dependency (it downloads nothing when present)
      install(tools, Object.entries(runtimes).map(([name, version]) => `${name}@${version}`), [], { scripts: true })
    ])

    step("running with plain node (ESM, CommonJS)")
    await runEntries(consumer, packed)
    await runScenario(consumer)

    step("type-checking consumers (strict, exactOptionalPropertyTypes, skipLibCheck, no @types/ws)")
    typeCheck(consumer, packed)

    step("importing with Effect 4")
    await effect4Message(legacy)

    step(`Bun ${runtimes.bun} and Deno ${runtimes.deno}: entry points, the program, the Effect 4 message`)
    await otherRuntimes(tools, consumer, legacy)

    step(`passed: ${packed.map((entry) => `${entry.pkg.name} (${entry.files.length} files)`).join(", ")}`)
  } finally {
    if (process.argv.includes("--keep")) console.log(`kept ${temp}`)
    else Fs.rmSync(temp, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// 1. pack and check the tarballs
// ---------------------------------------------------------------------------------------------------------------------

/** In dependency order (a package's workspace dependencies first), one `pnpm pack` at a time. */
const pack = async (destination: string): Promise<Array<Packed>> => {
  const packages = dependencyOrder(publishablePackages())
  const packed: Array<Packed> = []
  for (const { dir, pkg } of packages) {
    await run("pnpm", ["pack", "--pack-destination", destination], { cwd: dir, quiet: true })
    const tarball = Path.join(destination, `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`)
    assert.ok(Fs.existsSync(tarball), `pnpm pack wrote ${tarball}`)
    const listing = await run("tar", ["-tzf", tarball], { quiet: true })
    const files = listing.stdout.split("\n").filter((line) => line !== "").map((line) => line.replace(/^package\//, ""))
    packed.push({ dir, pkg: JSON.parse(await tarFile(tarball, "package/package.json")) as PackageJson, tarball, files })
  }
  return packed
}

const dependencyOrder = <A extends { readonly pkg: PackageJson }>(packages: ReadonlyArray<A>): Array<A> => {
  const names = new Set(packages.map(({ pkg }) => pkg.name))
  const ordered: Array<A> = []
  const visit = (entry: A, path: ReadonlyArray<string>): void => {
    if (ordered.includes(entry)) return
    assert.ok(!path.includes(entry.pkg.name), `no dependency cycle: ${[...path, entry.pkg.name].join(" → ")}`)
    const dependencies = { ...entry.pkg.dependencies, ...entry.pkg.peerDependencies }
    for (const name of Object.keys(dependencies).filter((name) => names.has(name))) {
      visit(packages.find(({ pkg }) => pkg.name === name)!, [...path, entry.pkg.name])
    }
    ordered.push(entry)
  }
  packages.forEach((entry) => visit(entry, []))
  return ordered
}

const testOnly = /^(@types\/|vitest$|@effect\/vitest$|selfsigned$|node-forge$|tsx$|typescript$|esbuild$)/

const checkTarball = ({ dir, files, pkg }: Packed): void => {
  const name = pkg.name
  for (const required of ["package.json", "README.md", "LICENSE", "CHANGELOG.md"]) {
    assert.ok(files.includes(required), `${name}: the tarball has ${required}`)
  }
  const tests = files.filter((file) => /(^|\/)(test|tests|__tests__)\//.test(file) || /\.test\.[cm]?[jt]s$/.test(file))
  assert.deepEqual(tests, [], `${name}: the tarball has no tests`)
  const stray = files.filter((file) => !/^(dist|src)\//.test(file) && !/^[^/]+\.(md|json)$|^LICENSE$/.test(file))
  assert.deepEqual(stray, [], `${name}: the tarball holds only dist, src and the top-level files`)

  // every entry point, under every condition but the workspace's own, lands on a built file inside the tarball
  const exports = pkg.exports as Record<string, Record<string, string> | string>
  for (const module of publicModules(dir)) {
    const conditions = exports[subpath(module)]
    assert.ok(typeof conditions === "object", `${name}: exports has ${subpath(module)}`)
    assert.deepEqual(Object.keys(conditions), [sourceCondition, "types", "import", "require"], `${name}: conditions`)
    const expected: Record<string, RegExp> = {
      types: /^\.\/dist\/dts\/.+\.d\.ts$/,
      import: /^\.\/dist\/esm\/.+\.js$/,
      require: /^\.\/dist\/cjs\/.+\.js$/
    }
    for (const [condition, pattern] of Object.entries(expected)) {
      const target = conditions[condition]!
      assert.match(target, pattern, `${name}: exports["${subpath(module)}"].${condition} points into dist`)
      assert.ok(files.includes(target.slice(2)), `${name}: ${target} is in the tarball`)
    }
  }
  for (const field of ["main", "module", "types"] as const) {
    const target = pkg[field]
    assert.ok(typeof target === "string" && /^\.\/dist\//.test(target), `${name}: "${field}" points into dist`)
    assert.ok(files.includes(target.slice(2)), `${name}: "${field}" (${target}) is in the tarball`)
  }
  assert.deepEqual(pkg.sideEffects, [], `${name}: sideEffects: []`)
  for (const field of ["repository", "homepage", "bugs", "keywords", "publishConfig", "license"]) {
    assert.ok(pkg[field] !== undefined, `${name}: package.json has "${field}"`)
  }
  for (const [dependency, range] of Object.entries(pkg.dependencies ?? {})) {
    assert.ok(!testOnly.test(dependency), `${name}: ${dependency} is test-only and not a runtime dependency`)
    assert.ok(/^\^\d/.test(range), `${name}: dependency ${dependency} has a caret range, not ${range}`)
  }
  for (const [dependency, range] of Object.entries(pkg.peerDependencies ?? {})) {
    assert.ok(!range.startsWith("workspace:"), `${name}: peer ${dependency} has a published range`)
  }
  for (const range of Object.values(pkg.dependencies ?? {})) {
    assert.ok(!range.startsWith("workspace:"), `${name}: workspace: ranges are replaced when packing`)
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// 2. a fresh project with the tarballs and effect 3
// ---------------------------------------------------------------------------------------------------------------------

/** The lockfile's exact version of a package (the newest, when the lockfile holds several). */
const lockedVersion = (name: string): string => {
  const lockfile = Fs.readFileSync(Path.join(root, "pnpm-lock.yaml"), "utf8")
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
  const versions = [...lockfile.matchAll(new RegExp(`^  '?${escaped}@(\\d+\\.\\d+\\.\\d+)[^:]*:`, "gm"))]
    .map((match) => match[1]!)
  assert.ok(versions.length > 0, `the lockfile has ${name}`)
  return versions.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).at(-1)!
}

/** The non-optional peers of the packed packages that are not packed themselves, at the lockfile's versions. */
const peers = (packed: ReadonlyArray<Packed>): Array<string> => {
  const names = new Set(packed.map((entry) => entry.pkg.name))
  const required = new Set<string>()
  for (const { pkg } of packed) {
    for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
      if (!names.has(peer) && pkg.peerDependenciesMeta?.[peer]?.optional !== true) required.add(peer)
    }
  }
  return [...required].sort().map((name) => `${name}@${lockedVersion(name)}`)
}

/** What a TypeScript consumer on Node installs next to the packages (and no `@types/ws`). */
const typeTools = (): Array<string> => [`@types/node@${lockedVersion("@types/node")}`]

const install = async (
  dir: string,
  specs: ReadonlyArray<string>,
  flags: ReadonlyArray<string> = [],
  options: { readonly scripts?: boolean } = {}
) => {
  Fs.mkdirSync(dir, { recursive: true })
  Fs.writeFileSync(
    Path.join(dir, "package.json"),
    JSON.stringify({ name: Path.basename(dir), private: true, type: "module" }, null, 2)
  )
  const common = options.scripts === true ? npmFlags.filter((flag) => flag !== "--ignore-scripts") : npmFlags
  await run("npm", ["install", ...common, ...flags, ...specs], { cwd: dir, quiet: true })
}

/** Every entry point of every package, imported as ESM and required as CommonJS, in one process each. */
const runEntries = async (dir: string, packed: ReadonlyArray<Packed>): Promise<void> => {
  const specifiers = packed.flatMap(({ dir, pkg }) =>
    publicModules(dir).map((module) => module === "index" ? pkg.name : `${pkg.name}/${module}`)
  )
  Fs.writeFileSync(
    Path.join(dir, "entries.mjs"),
    specifiers.map((specifier, index) => `import * as e${index} from ${JSON.stringify(specifier)}`).join("\n") +
      `\nconst all = [${specifiers.map((_, index) => `e${index}`).join(", ")}]\n` +
      `console.log(JSON.stringify(all.map((m) => Object.keys(m).length)))\n`
  )
  Fs.writeFileSync(
    Path.join(dir, "entries.cjs"),
    `const all = [${specifiers.map((specifier) => `require(${JSON.stringify(specifier)})`).join(", ")}]\n` +
      `console.log(JSON.stringify(all.map((m) => Object.keys(m).length)))\n`
  )
  for (const file of ["entries.mjs", "entries.cjs"]) {
    const counts = JSON.parse((await run("node", [file], { cwd: dir, quiet: true })).stdout) as Array<number>
    specifiers.forEach((specifier, index) => {
      assert.ok(counts[index]! > 0, `${file}: ${specifier} exports something (${counts[index]} names)`)
    })
  }
  // the internals stay private
  const internal = await run("node", ["-e", "require('@zen-websocket/core/internal/runtime')"], {
    cwd: dir,
    quiet: true,
    allowFailure: true
  })
  assert.match(internal.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/, "internal modules are not exported")
}

const runScenario = async (dir: string): Promise<void> => {
  Fs.writeFileSync(
    Path.join(dir, "scenario.mjs"),
    `import { Client, Testing } from "@zen-websocket/core"\nimport { Effect, Stream } from "effect"\n${scenario}`
  )
  Fs.writeFileSync(
    Path.join(dir, "scenario.cjs"),
    `const { Client, Testing } = require("@zen-websocket/core")\nconst { Effect, Stream } = require("effect")\n${scenario}`
  )
  for (const file of ["scenario.mjs", "scenario.cjs"]) {
    // the process must also end by itself once the program is done: nothing of ours keeps it alive
    const { stdout } = await run("node", [file], { cwd: dir, quiet: true, timeoutMs: 30_000 })
    const out = JSON.parse(stdout) as { result: unknown; reply: string; state: string; tls: string }
    assert.deepEqual(out.result, { version: "mock" }, `${file}: the request's result`)
    assert.equal(out.reply, "pong", `${file}: the mock server's reply`)
    assert.equal(out.state, "disconnected", `${file}: the state after close`)
    assert.match(out.tls, /optional peer dependency selfsigned/, `${file}: tls without selfsigned says what to install`)
  }
}

const typeCheck = (dir: string, packed: ReadonlyArray<Packed>): void => {
  Fs.writeFileSync(Path.join(dir, "tsconfig.json"), JSON.stringify(consumerTsconfig, null, 2))
  Fs.writeFileSync(
    Path.join(dir, "consumer.ts"),
    consumerCode(
      `import { Client, ErrorHandler, Testing } from "@zen-websocket/core"\nimport { Effect, Stream } from "effect"`
    )
  )
  Fs.writeFileSync(
    Path.join(dir, "consumer.cts"),
    consumerCode(
      `import { Client, ErrorHandler, Testing } from "@zen-websocket/core"\nimport { Effect, Stream } from "effect"`
    )
  )
  const specifiers = packed.flatMap(({ dir, pkg }) =>
    publicModules(dir).map((module) => module === "index" ? pkg.name : `${pkg.name}/${module}`)
  )
  const imports = specifiers.map((specifier, index) => `import * as e${index} from ${JSON.stringify(specifier)}`)
  const uses = `export const all = [${specifiers.map((_, index) => `e${index}`).join(", ")}]\n`
  Fs.writeFileSync(Path.join(dir, "entries.ts"), `${imports.join("\n")}\n${uses}`)
  Fs.writeFileSync(Path.join(dir, "entries.cts"), `${imports.join("\n")}\n${uses}`)

  const { diagnostics, program } = TypeAudit.consumerProgram(dir)
  assert.equal(diagnostics, "", "the consumer files type-check")
  const ours = (fileName: string) => packed.some(({ pkg }) => fileName.includes(`/node_modules/${pkg.name}/`))
  const findings: Array<TypeAudit.Finding> = TypeAudit.audit(program, Path.join(dir, "entries.ts"), ours)
  assert.deepEqual(findings, [], "no public type is any, no declaration imports ws")
  const wsTypes = program.getSourceFiles().filter((file) => /\/node_modules\/(@types\/)?ws\//.test(file.fileName))
  assert.deepEqual(wsTypes.map((file) => file.fileName), [], "no ws declarations are loaded")
}

// ---------------------------------------------------------------------------------------------------------------------
// 3. Effect 4
// ---------------------------------------------------------------------------------------------------------------------

const effect4Message = async (dir: string): Promise<void> => {
  const programs = {
    esm: ["--input-type=module", "-e", "import { Client } from \"@zen-websocket/core\"; console.log(Client)"],
    cjs: ["-e", "require(\"@zen-websocket/core\")"],
    deep: ["--input-type=module", "-e", "await import(\"@zen-websocket/core/Client\")"]
  }
  for (const [name, args] of Object.entries(programs)) {
    const { stderr, status } = await run("node", args, { cwd: dir, quiet: true, allowFailure: true })
    assertEffect4Message(name, status, stderr)
  }
}

const assertEffect4Message = (name: string, status: number | null, stderr: string): void => {
  assert.notEqual(status, 0, `${name}: importing with Effect 4 fails`)
  assert.match(stderr, /@zen-websocket\/core \S+ needs effect \^3\.\d+\.\d+ \(Effect 3\)/, `${name}: the message`)
  assert.match(stderr, new RegExp(`but effect ${effect4.replace(/\./g, "\\.")} is installed`), `${name}: found`)
  assert.match(stderr, /Effect 4 is not supported/, `${name}: says Effect 4 is not supported`)
  assert.match(stderr, /ERR_ZEN_WEBSOCKET_EFFECT_VERSION/, `${name}: the error code`)
  assert.doesNotMatch(stderr, /ERR_MODULE_NOT_FOUND/, `${name}: not a module-not-found`)
}

// ---------------------------------------------------------------------------------------------------------------------
// 4. Bun and Deno
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The files of step 2 (entries.mjs/cjs, scenario.mjs/cjs) run under Bun and Deno as they ran under node: every entry
 * point exports something, the program against the mock server gives the same output, ESM and CommonJS. Bun runs
 * the package's `ws` through its own implementation of `ws`; Deno through its Node compatibility layer.
 */
const otherRuntimes = async (tools: string, consumer: string, legacy: string): Promise<void> => {
  const bin = (name: string) => Path.join(tools, "node_modules", ".bin", name)
  const commands: Record<
    string,
    { readonly command: string; readonly args: ReadonlyArray<string>; readonly files: ReadonlyArray<string> }
  > = {
    bun: { command: bin("bun"), args: [], files: ["entries.mjs", "entries.cjs", "scenario.mjs", "scenario.cjs"] },
    deno: {
      command: bin("deno"),
      args: ["run", "--allow-all", "--quiet"],
      files: ["entries.mjs", "entries.cjs", "scenario.mjs", "scenario.cjs"]
    }
  }
  for (const [runtime, { args, command, files }] of Object.entries(commands)) {
    const version = (await run(command, ["--version"], { quiet: true })).stdout.trim().split("\n")[0]!
    assert.match(
      version,
      new RegExp(runtimes[runtime as keyof typeof runtimes].replace(/\./g, "\\.")),
      `${runtime} --version`
    )
    for (const file of files) {
      const { stdout } = await run(command, [...args, file], { cwd: consumer, quiet: true, timeoutMs: 60_000 })
      const out = JSON.parse(stdout) as unknown
      if (file.startsWith("entries")) {
        assert.ok(
          Array.isArray(out) && out.length > 0 && out.every((count) => count > 0),
          `${runtime} ${file}: exports`
        )
      } else {
        const result = out as { result: unknown; reply: string; state: string; tls: string }
        assert.deepEqual(result.result, { version: "mock" }, `${runtime} ${file}: the request's result`)
        assert.equal(result.reply, "pong", `${runtime} ${file}: the mock server's reply`)
        assert.equal(result.state, "disconnected", `${runtime} ${file}: the state after close`)
        assert.match(result.tls, /optional peer dependency selfsigned/, `${runtime} ${file}: tls without selfsigned`)
      }
    }
    // Deno prints an uncaught error without its code: print it
    Fs.writeFileSync(
      Path.join(legacy, "import.mjs"),
      `import("@zen-websocket/core").then(() => process.exit(0), (error) => {\n` +
        `  console.error(error.code + ": " + error.message)\n  process.exit(1)\n})\n`
    )
    const { status, stderr } = await run(command, [...args, "import.mjs"], {
      cwd: legacy,
      quiet: true,
      allowFailure: true
    })
    assertEffect4Message(`${runtime} import.mjs`, status, stderr)
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// processes
// ---------------------------------------------------------------------------------------------------------------------

interface RunOptions {
  readonly cwd?: string
  readonly quiet?: boolean
  readonly allowFailure?: boolean
  readonly timeoutMs?: number
}

const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: RunOptions = {}
): Promise<{ readonly stdout: string; readonly stderr: string; readonly status: number | null }> =>
  new Promise((resolve, reject) => {
    // a clean environment for the consumer: no workspace condition or loader leaks in through NODE_OPTIONS, and no
    // workspace package through pnpm's NODE_PATH (Bun honours it for import(): it found the workspace's selfsigned)
    const { NODE_OPTIONS: _, NODE_PATH: __, ...env } = process.env
    const child = spawn(command, args, { cwd: options.cwd ?? root, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000)
    child.on("error", reject)
    child.on("close", (status, signal) => {
      clearTimeout(timer)
      if (!options.quiet) process.stdout.write(stdout)
      if ((status === 0 && signal === null) || options.allowFailure) return resolve({ stdout, stderr, status })
      reject(
        new Error(
          `${command} ${args.join(" ")} (in ${options.cwd ?? root}) ended with ${signal ?? status}` +
            (signal === "SIGKILL" ? " (timed out: something kept the process alive?)" : "") +
            `\n${stdout}\n${stderr}`
        )
      )
    })
  })

const tarFile = async (tarball: string, file: string): Promise<string> =>
  (await run("tar", ["-xzOf", tarball, file], { quiet: true })).stdout

main().catch((error) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error)
  process.exit(1)
})
