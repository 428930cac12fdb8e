/**
 * CPU per recorded frame of the session recorder alone (no socket): `PER_TURN` 64 B JSON text frames recorded per
 * event-loop turn (what a busy feed's socket reads hand it), 100 turns, 3 rounds; "in all" is the process's CPU over the
 * round (the record calls, the flush fiber's formatting and redaction, the write) ÷ frames, "record calls" the part
 * spent in the synchronous `recordText` calls themselves (including the `Buffer.toString` that makes each frame's
 * string, as `ws` + the client would).
 *
 *   npx esbuild --bundle --platform=node --format=esm repro/recorder-cost.ts --outfile=/tmp/rc.mjs && node /tmp/rc.mjs
 *   (or `node --import tsx repro/recorder-cost.ts`, ~0.3 µs more per frame through tsx; PER_TURN=2000 by default)
 *
 * Measured 2026-12-03 on the loaded 2-core bench machine (load ~4–5), rounds 2–3: the strings formatter (a template
 * and `JSON.stringify` per line, `join`, `Buffer.from`) 1.9–2.8 µs per frame in all; the byte formatter
 * (`internal/recorder.ts` `Output`) 1.0–1.2 µs, of which ~0.2–0.27 µs in the record calls. Profile of the byte
 * formatter (`node --cpu-prof`): formatting ~0.47 µs per frame (the escape loop ~2–3 ns per character on this machine),
 * the timestamp ~0.08, the redaction's check ~0.05, the write ~0.05, GC ~6%.
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as Recorder from "../../core/src/Recorder.js"

const frame = Buffer.from(`{"method":"subscription","params":{"channel":"t","data":"xxxx"}}`)
const perTurn = Number(process.env.PER_TURN ?? 2000)
const turns = 100
const file = `${os.tmpdir()}/zen-recorder-cost-${process.pid}.jsonl`
const cpu = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) * 1000
}
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const recorder = yield* Recorder.make(file)
  for (let round = 1; round <= 3; round++) {
    const start = cpu()
    let calls = 0
    for (let t = 0; t < turns; t++) {
      yield* Effect.promise(turn)
      const before = cpu()
      for (let i = 0; i < perTurn; i++) recorder.recordText("in", frame.toString())
      calls += cpu() - before
    }
    yield* recorder.flush
    const n = turns * perTurn
    console.log(
      `round ${round}: ${((cpu() - start) / n).toFixed(0)} ns per frame in all, ${(calls / n).toFixed(0)} ns in the ` +
        `record calls; ${JSON.stringify(recorder.stats())}`
    )
  }
})))
fs.rmSync(file, { force: true })
