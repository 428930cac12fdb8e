/**
 * Ticker notifications per second and CPU per frame, decoded through `DeribitClient.ticker` vs raw `ws` +
 * `JSON.parse` on the same frames (the simulator's own ticker frames, replayed by a server in another process, so the
 * CPU measured is the client's). Target: `DeribitClient.ticker` ≤ 1.5× the CPU per frame of raw `ws` + `JSON.parse`.
 *
 *   pnpm --filter @zen-websocket/deribit bench:ticker      (or: tsx --conditions=@zen-websocket/source bench/ticker.ts [frames] [rounds])
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import WebSocket from "ws"
import { DeribitClient, DeribitSimulator } from "../src/index.js"

const total = Number(process.argv[2] ?? 200_000)
const rounds = Number(process.argv[3] ?? 5)
const instrument = "BTC-PERPETUAL"
const channel = `ticker.${instrument}.100ms`

/** 100 distinct ticker frames exactly as the simulator sends them. */
const sample = Effect.scoped(Effect.gen(function*() {
  const sim = yield* DeribitSimulator.start({ credits: false })
  const frames: Array<string> = []
  yield* Effect.async<void>((resume) => {
    const ws = new WebSocket(sim.url)
    ws.on(
      "open",
      () =>
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "public/subscribe", params: { channels: [channel] } }))
    )
    ws.on("message", (data) => {
      const text = data.toString()
      if (text.includes("\"subscription\"")) frames.push(text)
      if (frames.length >= 100) {
        ws.close()
        resume(Effect.void)
      }
    })
  }).pipe(Effect.race(Effect.forever(sim.tick(10))))
  return frames
}))

/** A blaster process: `repeat` × the frames after a subscribe. */
const blaster = (frames: ReadonlyArray<string>, repeat: number) =>
  Effect.acquireRelease(
    Effect.async<{ port: number; kill: () => void }>((resume) => {
      const child = spawn(process.execPath, [fileURLToPath(new URL("./tickerServer.mjs", import.meta.url))], {
        stdio: ["pipe", "pipe", "inherit"]
      })
      child.stdout.once("data", (d) =>
        resume(Effect.succeed({ port: Number(String(d).trim()), kill: () => child.kill() })))
      child.stdin.end(JSON.stringify({ frames, repeat }))
    }),
    (b) =>
      Effect.sync(b.kill)
  )

interface Run {
  readonly frames: number
  readonly ms: number
  readonly cpuUs: number
}

const cpuNow = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** Raw `ws` + `JSON.parse` of every frame. */
const rawRun = (port: number, expected: number) =>
  Effect.async<Run>((resume) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`)
    let count = 0
    let sink = 0
    let cpu0 = 0
    let t0 = 0
    ws.on("open", () => {
      cpu0 = cpuNow()
      t0 = performance.now()
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "public/subscribe", params: { channels: [channel] } }))
    })
    ws.on("message", (data) => {
      const json = JSON.parse(data.toString())
      if (json.method !== "subscription") return
      if (json.params.channel === "done") {
        const run = { frames: count, ms: performance.now() - t0, cpuUs: cpuNow() - cpu0 }
        ws.terminate()
        if (count !== expected || sink === 0) throw new Error(`raw: ${count} of ${expected}`)
        return resume(Effect.succeed(run))
      }
      if (json.params.data.mark_price > 0) sink++
      count++
    })
  })

/** `DeribitClient.ticker`: the session's post-connect sequence, then decoded tickers a chunk at a time. */
const clientRun = (port: number, expected: number) =>
  Effect.scoped(Effect.gen(function*() {
    const session = yield* DeribitClient.connect({ url: `ws://127.0.0.1:${port}`, credits: false })
    const cpu0 = cpuNow()
    const t0 = performance.now()
    let count = 0
    let sink = 0
    yield* DeribitClient.ticker(session, instrument, "100ms").pipe(
      Stream.mapChunks((chunk) => {
        for (const t of chunk) if (t.mark_price > 0) sink++
        count += Chunk.size(chunk)
        return Chunk.of(count)
      }),
      Stream.takeUntil((n) => n >= expected),
      Stream.runDrain
    )
    if (sink === 0) throw new Error("client: nothing decoded")
    return { frames: count, ms: performance.now() - t0, cpuUs: cpuNow() - cpu0 }
  }))

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const main = Effect.gen(function*() {
  const frames = yield* sample
  const repeat = Math.ceil(total / frames.length)
  const expected = repeat * frames.length
  const raw: Array<Run> = []
  const client: Array<Run> = []
  for (let r = 0; r < rounds; r++) {
    yield* Effect.scoped(
      Effect.flatMap(blaster(frames, repeat), (b) => Effect.map(rawRun(b.port, expected), (x) => raw.push(x)))
    )
    yield* Effect.scoped(
      Effect.flatMap(blaster(frames, repeat), (b) => Effect.map(clientRun(b.port, expected), (x) => client.push(x)))
    )
  }
  const row = (name: string, runs: ReadonlyArray<Run>) => {
    const perSecond = median(runs.map((x) => (x.frames / x.ms) * 1000))
    const cpuPerFrame = median(runs.map((x) => (x.cpuUs * 1000) / x.frames))
    return { name, perSecond, cpuPerFrame }
  }
  const a = row("raw ws + JSON.parse", raw)
  const b = row("DeribitClient.ticker (decoded)", client)
  console.log(`ticker notifications, ${expected} frames × ${rounds} rounds (median), client process CPU only:`)
  for (const x of [a, b]) {
    console.log(
      `  ${x.name.padEnd(32)} ${Math.round(x.perSecond).toLocaleString("en-US").padStart(10)} /s   ${
        Math.round(x.cpuPerFrame).toLocaleString("en-US").padStart(6)
      } ns CPU/frame`
    )
  }
  const ratio = b.cpuPerFrame / a.cpuPerFrame
  console.log(`  CPU per frame: ${ratio.toFixed(2)}× raw (target ≤ 1.5×) ${ratio <= 1.5 ? "ok" : "ABOVE TARGET"}`)
})

Effect.runPromise(main).then(() => process.exit(0), (e) => {
  console.error(e)
  process.exit(1)
})
