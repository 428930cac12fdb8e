/**
 * `pnpm check` (after `tsc -b`): every ```ts block of README.md, docs/**\/*.md and packages/*\/README.md compiles.
 *
 * Each block becomes one module under `node_modules/.cache/zenws-snippets/` and all of them are type-checked in one
 * program, with the workspace's compiler options (strict, `exactOptionalPropertyTypes`) and the packages resolved to
 * their sources (the `@zen-websocket/source` condition), as the examples are. A block without an `import` line is a
 * fragment of the tour: it gets every namespace of `@zen-websocket/core` and the common modules of `effect` imported
 * in front of it, and nothing else (a free variable must be declared in the block itself, e.g. `declare const url:
 * string`). Errors are reported at the line of the Markdown file.
 *
 * A block that is not meant to compile is not a ```ts block: use ```text or ```sh.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import ts from "typescript"
import { root } from "./packages.js"

export interface Snippet {
  /** the Markdown file, relative to the repository root */
  readonly file: string
  /** the 1-based line of the block's first code line */
  readonly line: number
  readonly code: string
}

/** The Markdown files whose snippets are checked. */
export const markdownFiles = (): Array<string> => {
  const found: Array<string> = ["README.md"]
  const walk = (dir: string): void => {
    for (const entry of Fs.readdirSync(Path.join(root, dir), { withFileTypes: true })) {
      const path = Path.posix.join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".md")) found.push(path)
    }
  }
  walk("docs")
  for (const pkg of Fs.readdirSync(Path.join(root, "packages"))) {
    if (Fs.existsSync(Path.join(root, "packages", pkg, "README.md"))) found.push(`packages/${pkg}/README.md`)
  }
  return found.filter((file) => Fs.existsSync(Path.join(root, file))).sort()
}

/** The ```ts / ```typescript blocks of a Markdown text. */
export const extract = (file: string, text: string): Array<Snippet> => {
  const snippets: Array<Snippet> = []
  const lines = text.split("\n")
  let open: { readonly line: number; readonly code: Array<string> } | undefined
  lines.forEach((line, index) => {
    if (open === undefined) {
      if (/^```(ts|typescript)\s*$/.test(line)) open = { line: index + 2, code: [] }
    } else if (/^```\s*$/.test(line)) {
      snippets.push({ file, line: open.line, code: open.code.join("\n") })
      open = undefined
    } else {
      open.code.push(line)
    }
  })
  if (open !== undefined) throw new Error(`${file}:${open.line - 1}: a code block is never closed`)
  return snippets
}

const coreNamespaces = () => {
  const index = Fs.readFileSync(Path.join(root, "packages/core/src/index.ts"), "utf8")
  return [...index.matchAll(/^export \* as (\w+) from/gm)].map((match) => match[1]!)
}

const effectModules = [
  "Chunk",
  "Config",
  "Console",
  "Context",
  "Duration",
  "Effect",
  "Either",
  "Fiber",
  "Layer",
  "Metric",
  "Option",
  "Redacted",
  "Schedule",
  "Schema",
  "Scope",
  "Stream"
]

/** What a fragment (a block without imports) gets in front of it. */
export const prelude = (): string =>
  `import { ${coreNamespaces().join(", ")} } from "@zen-websocket/core"\n` +
  `import { ${effectModules.join(", ")} } from "effect"\n`

const hasImports = (code: string): boolean => /^\s*import\s/m.test(code)

/** Type-checks the snippets; returns the diagnostics, formatted at their Markdown lines (empty: all compile). */
export const check = (snippets: ReadonlyArray<Snippet>): Array<string> => {
  const dir = Path.join(root, "node_modules", ".cache", "zenws-snippets")
  Fs.rmSync(dir, { recursive: true, force: true })
  Fs.mkdirSync(dir, { recursive: true })
  const head = prelude()
  const sources = new Map<string, { readonly snippet: Snippet; readonly offset: number }>()
  snippets.forEach((snippet, index) => {
    const name = `${snippet.file.replace(/[^A-Za-z0-9]+/g, "_")}_${snippet.line}_${index}.ts`
    const fragment = !hasImports(snippet.code)
    const text = `${fragment ? head : ""}${snippet.code}\nexport {}\n`
    const path = Path.join(dir, name)
    Fs.writeFileSync(path, text)
    sources.set(path, { snippet, offset: fragment ? head.split("\n").length - 1 : 0 })
  })
  const base = ts.getParsedCommandLineOfConfigFile(Path.join(root, "tsconfig.base.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
    }
  })!
  const options: ts.CompilerOptions = {
    ...base.options,
    composite: false,
    incremental: false,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    noEmit: true,
    // a tour shows a value it does not use further
    noUnusedLocals: false
  }
  const program = ts.createProgram([...sources.keys()], options)
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((diagnostic) =>
    diagnostic.file === undefined || sources.has(Path.resolve(diagnostic.file.fileName))
  )
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
    if (diagnostic.file === undefined || diagnostic.start === undefined) return message
    const { snippet, offset } = sources.get(Path.resolve(diagnostic.file.fileName))!
    const { character, line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    return `${snippet.file}:${snippet.line + line - offset}:${character + 1}: TS${diagnostic.code}: ${message}`
  })
}

const main = (): void => {
  const started = Date.now()
  const snippets = markdownFiles().flatMap((file) => extract(file, Fs.readFileSync(Path.join(root, file), "utf8")))
  const errors = check(snippets)
  if (errors.length > 0) {
    console.error(errors.join("\n"))
    console.error(`\n${errors.length} error(s) in the code blocks of the docs (scripts/check-snippets.ts)`)
    process.exit(1)
  }
  const files = new Set(snippets.map((snippet) => snippet.file)).size
  console.log(
    `snippets: ${snippets.length} ts blocks in ${files} Markdown files compile (${
      ((Date.now() - started) / 1000).toFixed(1)
    } s)`
  )
}

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === Path.resolve(import.meta.filename)) main()
