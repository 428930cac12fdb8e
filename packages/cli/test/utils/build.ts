/** Builds the `zenws` bundle once before the suite: the tests run the built executable, as users do. */
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"

export default function setup(): void {
  ChildProcess.execFileSync(process.execPath, [fileURLToPath(new URL("../../build.mjs", import.meta.url))], {
    stdio: "inherit"
  })
}
