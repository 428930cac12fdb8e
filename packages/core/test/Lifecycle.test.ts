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

/**
 * Spawns the fixture (through tsx) and waits for it to exit; `undefined` when it still runs `limitMs` after it
 * printed "closed" (or 90 s after it started: tsx compiles the sources first, slowly on a loaded machine).
 */
const runChild = (url: string, limitMs: number) =>
  Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string } | undefined>(
    (resume) => {
      const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", fixture, url], {
        cwd: path.join(import.meta.dirname, ".."),
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      const giveUp = () => {
        child.kill("SIGKILL")
        resume(Effect.succeed(undefined))
      }
      let timer = setTimeout(giveUp, 90_000)
      child.stdout.on("data", (d) => {
        stdout += d
        if (stdout.includes("closed")) {
          clearTimeout(timer)
          timer = setTimeout(giveUp, limitMs)
        }
      })
      child.stderr.on("data", (d) => (stderr += d))
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
        // generous (it exits within 1 s); the heartbeat scheduler's 60 s sleep kept it alive on the old code
        const exit = yield* runChild(server.url, 20_000)
        assert.isDefined(exit, "the child still ran 20 s after it closed its last client")
        assert.include(exit!.stdout, "closed", exit!.stderr)
        assert.strictEqual(exit!.code, 0, exit!.stderr)
        yield* server.assertMessageSent("bye")
      }),
    120_000
  )
})
