/**
 * Decode cost per ticker notification: the simulator's own ticker frames, decoded in a loop four ways —
 * `JSON.parse` alone (the baseline), `JSON.parse` + the hand-written fast path, `JSON.parse` + the compiled Schema
 * decoder of the data, `JSON.parse` + the compiled Schema decoder of the whole notification. Prints ns per frame
 * (median of the rounds) and each as a ratio to `JSON.parse`.
 *
 *   pnpm --filter @zen-websocket/deribit bench:decode      (or: tsx bench/decode.ts [frames] [rounds])
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import WebSocket from "ws"
import { DeribitChannels, DeribitSimulator } from "../src/index.js"

const frameCount = Number(process.argv[2] ?? 2_000)
const rounds = Number(process.argv[3] ?? 15)

/** Ticker frames exactly as the simulator sends them, `frameCount` of them. */
const collect = Effect.scoped(
  Effect.gen(function*() {
    const sim = yield* DeribitSimulator.start({ credits: false, market: { generate: true } })
    const frames: Array<string> = []
    yield* Effect.async<void>((resume) => {
      const ws = new WebSocket(sim.url)
      ws.on("open", () =>
        ws.send(JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "public/subscribe",
          params: { channels: ["ticker.BTC-PERPETUAL.100ms"] }
        })))
      ws.on("message", (data) => {
        const text = data.toString()
        if (text.includes(`"subscription"`)) frames.push(text)
        if (frames.length >= frameCount) {
          ws.close()
          resume(Effect.void)
        }
      })
    }).pipe(Effect.race(Effect.forever(sim.tick(50))))
    return frames.slice(0, frameCount)
  })
)

const decodeNotification = Schema.decodeUnknownSync(DeribitChannels.Notification(DeribitChannels.Ticker))

const ways: ReadonlyArray<readonly [string, (frame: string) => unknown]> = [
  ["JSON.parse", (f) => JSON.parse(f)],
  ["JSON.parse + decodeTickerFast", (f) => {
    const data = DeribitChannels.decodeTickerFast(JSON.parse(f).params.data)
    if (data === undefined) throw new Error("fast path rejected a simulator frame")
    return data
  }],
  ["JSON.parse + decodeTicker (Schema)", (f) => DeribitChannels.decodeTicker(JSON.parse(f).params.data)],
  ["JSON.parse + Notification(Ticker) (Schema)", (f) => decodeNotification(JSON.parse(f))]
]

const measure = <A>(frames: ReadonlyArray<A>, f: (frame: A) => unknown): number => {
  let sink = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < frames.length; i++) if (f(frames[i]) !== undefined) sink++
  const ns = Number(process.hrtime.bigint() - start) / frames.length
  if (sink !== frames.length) throw new Error("lost a frame")
  return ns
}

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

// the decoders alone, on data already parsed
const alone: ReadonlyArray<readonly [string, (data: unknown) => unknown]> = [
  ["decodeTickerFast alone", (d) => DeribitChannels.decodeTickerFast(d)],
  ["decodeTicker (Schema) alone", (d) => DeribitChannels.decodeTicker(d)]
]

const main = async () => {
  const frames = await Effect.runPromise(collect)
  const parsed = frames.map((f) => JSON.parse(f).params.data as unknown)
  const bytes = frames.reduce((n, f) => n + f.length, 0) / frames.length
  const all = [
    ...ways.map(([name, f]) => [name, () => measure(frames, f)] as const),
    ...alone.map(([name, f]) => [name, () => measure(parsed, f)] as const)
  ]
  for (const [, run] of all) for (let i = 0; i < 3; i++) run() // warm-up
  const results = new Map<string, Array<number>>(all.map(([name]) => [name, []]))
  for (let r = 0; r < rounds; r++) for (const [name, run] of all) results.get(name)!.push(run())
  const base = median(results.get("JSON.parse")!)
  console.log(`${frames.length} ticker frames (${bytes.toFixed(0)} B each on average), ${rounds} rounds; median (min)`)
  for (const [name] of all) {
    const xs = results.get(name)!
    const ns = median(xs)
    console.log(
      `${name.padEnd(44)} ${ns.toFixed(0).padStart(6)} (${Math.min(...xs).toFixed(0).padStart(6)}) ns/frame  ${
        (ns / base).toFixed(2)
      }× JSON.parse`
    )
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
