/**
 * Process lifecycle: once its last client is closed, nothing of ours keeps the event loop alive (a heartbeat
 * scheduler's sleep, a close handshake timer, a request expiry, a recorder flush…).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as path from "node:path"
import * as Testing from "../src/Testing.js"

const fixture = path.join(import.meta.dirname, "fixtures", "lastClient.ts")

/** Spawns the fixture (through tsx) and waits for it to exit; `undefined` when it still runs after `limitMs`. */
const runChild = (url: string, limitMs: number) =>
  Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string } | undefined>(
    (resume) => {
      const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", fixture, url], {
        cwd: path.join(import.meta.dirname, ".."),
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (d) => (stdout += d))
      child.stderr.on("data", (d) => (stderr += d))
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        resume(Effect.succeed(undefined))
      }, limitMs)
      child.on("exit", (code) => {
        clearTimeout(timer)
        resume(Effect.succeed({ code, stdout, stderr }))
      })
      return Effect.sync(() => {
        clearTimeout(timer)
        child.kill("SIGKILL")
      })
    }
  )

describe("process lifecycle", () => {
  it.scopedLive(
    "a process that closes its last client exits on its own (no stray timer keeps it alive)",
    () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        // generous: tsx compiles the sources first; the heartbeat's 60 s sleep kept the process alive on the old code
        const exit = yield* runChild(server.url, 40_000)
        assert.isDefined(exit, "the child still ran 40 s after it was started")
        assert.include(exit!.stdout, "closed", exit!.stderr)
        assert.strictEqual(exit!.code, 0, exit!.stderr)
        yield* server.assertMessageSent("bye")
      }),
    60_000
  )
})
