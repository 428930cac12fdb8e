/**
 * The `zenws` executable. `zenws --help`, `zenws <command> --help` and `zenws --version` print the texts @effect/cli
 * rendered for them when the package was built (`dist/bin/help.json`, checked against the live rendering by the tests):
 * loading @effect/cli and Effect to render them costs ~0.35 s of CPU, this ~0.1 s. Everything else loads `main.ts`.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { plain } from "../internal/plain.js"

const prerendered = (args: ReadonlyArray<string>): string | undefined => {
  const key = args.length === 1 && (args[0] === "--help" || args[0] === "-h" || args[0] === "--version")
    ? args[0] === "--version" ? "--version" : "--help"
    : args.length === 2 && (args[1] === "--help" || args[1] === "-h") && /^[a-z]+$/.test(args[0])
    ? `${args[0]} --help`
    : undefined
  if (key === undefined) return undefined
  try {
    // help.json lies beside the bundle (dist/bin); a symlinked bin (npm, pnpm) resolves to it
    const file = Path.join(Path.dirname(Fs.realpathSync(process.argv[1])), "help.json")
    const texts = JSON.parse(Fs.readFileSync(file, "utf8")) as Record<string, string>
    return texts[key]
  } catch {
    return undefined
  }
}

const text = prerendered(process.argv.slice(2))
if (text === undefined) {
  void import("./main.js")
} else {
  process.stdout.write(plain(text, process.stdout))
}
