/**
 * Echo round trips in consecutive windows, from the first one after connecting: p50 and client CPU per round trip of
 * each window, to see how long a client takes to reach its steady state (why the `echo` scenario warms up 5 000 round
 * trips). One 64 B frame in flight, against the bench server; pin it to one CPU as the bench does.
 *
 *   taskset -a -c 1 node --import tsx --conditions=@zen-websocket/source src/tools/echoWindows.ts raw|callback|stream [window=5000] [windows=6]
 */
import * as Client from "@zen-websocket/core/Client"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { spawnSync } from "node:child_process"
import { cpus } from "node:os"
import { join } from "node:path"
import WebSocket from "ws"
import { echoPayload, median } from "../common.js"
import * as ServerProcess from "../serverProcess.js"

if (import.meta.url.endsWith(".ts")) {
  const Bundle = await import("../bundle.js")
  const bundle = await Bundle.make([new URL(import.meta.url).pathname])
  const script = join(bundle.dir, "echoWindows.mjs")
  const cpu = String(cpus().length - 1)
  const run = spawnSync("taskset", ["-a", "-c", cpu, process.execPath, script, ...process.argv.slice(2)], {
    stdio: "inherit"
  })
  process.exit(run.status ?? 1)
}

const [variant = "callback", windowArg = "5000", windowsArg = "6"] = process.argv.slice(2)
const size = Number(windowArg)
const rounds = size * Number(windowsArg)
const payload = echoPayload()
const latenciesMs = new Float64Array(rounds)
const cpuAtWindowStart: Array<NodeJS.CpuUsage> = []
let done = 0
let sentAt = 0

/** records one echo; false after the last round */
const onEcho = (): boolean => {
  latenciesMs[done++] = performance.now() - sentAt
  if (done % size === 0) cpuAtWindowStart.push(process.cpuUsage())
  if (done === rounds) return false
  sentAt = performance.now()
  return true
}

const start = () => {
  cpuAtWindowStart.push(process.cpuUsage())
  sentAt = performance.now()
}

const raw = (url: string) =>
  new Promise<void>((resolve) => {
    const ws = new WebSocket(url)
    ws.on("message", (data: Buffer) => {
      data.toString()
      if (onEcho()) ws.send(payload)
      else resolve(ws.close())
    })
    ws.once("open", () => {
      start()
      ws.send(payload)
    })
  })

const zen = (url: string) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const client = yield* Client.connect(url)
    const next = (): Effect.Effect<void, unknown> => onEcho() ? client.sendMessage(payload) : Effect.fail("done")
    const consumer = variant === "stream"
      ? Stream.runForEach(yield* client.messagesScoped, next)
      : client.forEachChunk((chunk) =>
        Effect.suspend(() => {
          let reply: Effect.Effect<void, unknown> = Effect.void
          for (let i = 0; i < chunk.length; i++) reply = next()
          return reply
        })
      )
    const fiber = yield* Effect.fork(Effect.ignore(consumer))
    yield* Effect.yieldNow()
    start()
    yield* client.sendMessage(payload)
    yield* fiber.await
  })))

const server = await ServerProcess.start("ws")
await (variant === "raw" ? raw(server.url) : zen(server.url))
server.kill()

const windows: Array<string> = []
for (let w = 0; w + 1 < cpuAtWindowStart.length; w++) {
  const from = cpuAtWindowStart[w]
  const to = cpuAtWindowStart[w + 1]
  const cpuUs = (to.user + to.system - from.user - from.system) / size
  const p50Us = median(latenciesMs.subarray(w * size, (w + 1) * size)) * 1000
  windows.push(`${p50Us.toFixed(1)}/${cpuUs.toFixed(1)}`)
}
console.log(`${variant}: p50/CPU µs per round trip, windows of ${size}: ${windows.join("  ")}`)
process.exit(0)
