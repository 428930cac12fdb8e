/**
 * What the build and the packaging test know about the workspace's packages: which are publishable, their entry
 * points and the `exports` those entry points need.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The custom export condition that resolves workspace packages to their TypeScript sources during development. */
export const sourceCondition = "@zen-websocket/source"

export const root = fileURLToPath(new URL("..", import.meta.url))

export interface PackageJson {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly exports?: unknown
  readonly files?: ReadonlyArray<string>
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>
  readonly devDependencies?: Readonly<Record<string, string>>
  readonly [key: string]: unknown
}

export const readPackageJson = (dir: string): PackageJson =>
  JSON.parse(Fs.readFileSync(Path.join(dir, "package.json"), "utf8")) as PackageJson

/** Every package folder under `packages/` whose package.json is not private. */
export const publishablePackages = (): Array<{ readonly dir: string; readonly pkg: PackageJson }> =>
  Fs.readdirSync(Path.join(root, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && Fs.existsSync(Path.join(root, "packages", entry.name, "package.json")))
    .map((entry) => {
      const dir = Path.join(root, "packages", entry.name)
      return { dir, pkg: readPackageJson(dir) }
    })
    .filter(({ pkg }) => pkg.private !== true)

/** `index` first, then every `src/<Module>.ts`: the entry points (`src/internal/*` never is one). */
export const publicModules = (dir: string): Array<string> => {
  const modules = Fs.readdirSync(Path.join(dir, "src"))
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => file.slice(0, -3))
    .filter((module) => module !== "index")
    .sort()
  return Fs.existsSync(Path.join(dir, "src", "index.ts")) ? ["index", ...modules] : modules
}

/** The subpath of an entry point: `.` for `index`, `./<Module>` otherwise. */
export const subpath = (module: string): string => module === "index" ? "." : `./${module}`

/** The `exports` of a package with these entry points: sources for the workspace, `dist` for everyone else. */
export const expectedExports = (modules: ReadonlyArray<string>): Record<string, unknown> => ({
  "./package.json": "./package.json",
  ...Object.fromEntries(modules.map((module) => [subpath(module), {
    [sourceCondition]: `./src/${module}.ts`,
    types: `./dist/dts/${module}.d.ts`,
    import: `./dist/esm/entry/${module}.js`,
    require: `./dist/cjs/entry/${module}.js`
  }]))
})
