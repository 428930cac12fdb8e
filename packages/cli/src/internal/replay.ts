/**
 * `zenws replay <file.jsonl>`: the entries of a recording, as a listing or as JSONL, at once or in real time. A
 * progress bar on a terminal for long files; malformed lines are counted and reported, never fatal.
 */
import * as Recorder from "@zen-websocket/core/Recorder"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ReplayConfig } from "./flags.js"
import type { Output } from "./output.js"
import * as Render from "./render.js"

/** Files with more entries than this get a progress bar (on a terminal); real-time replays always do. */
const longFile = 1_000

const barWidth = 30

const bar = (done: number, total: number): string => {
  const share = total === 0 ? 1 : Math.min(1, done / total)
  const filled = Math.round(share * barWidth)
  return `[${"=".repeat(filled)}${" ".repeat(barWidth - filled)}] ${Math.floor(share * 100)}% ${done}/${total}`
}

/** @internal */
export const run = (config: ReplayConfig, output: Output) =>
  Effect.gen(function*() {
    const dir = Option.getOrUndefined(config.dir)
    const malformed: Array<Recorder.Malformed> = []
    const style: Render.Style = { pretty: output.tty, color: output.color, binary: "base64" }
    const meta = output.errTty ? yield* Recorder.metadata(config.file) : undefined
    const total = meta === undefined ? 0 : dir === undefined ? meta.count : dir === "in" ? meta.inbound : meta.outbound
    const progress = meta !== undefined && (config.realtime || total > longFile)
    let done = 0
    let drawnAt = 0
    const entries = Recorder.replay(config.file, {
      realtime: config.realtime,
      speed: config.speed,
      dir,
      onMalformed: (line) => Effect.sync(() => malformed.push(line))
    })
    if (progress) yield* Effect.addFinalizer(() => Effect.sync(() => output.status(undefined)))
    yield* Stream.runForEach(entries, (entry) =>
      Effect.sync(() => {
        output.line(config.json ? Recorder.encodeLine(entry) : Render.entry(entry, style))
        done++
        const now = Date.now()
        if (progress && (now - drawnAt >= 100 || done === total)) {
          drawnAt = now
          output.status(output.paint("dim", bar(done, total)))
        }
      }))
    if (malformed.length > 0) {
      const shown = malformed.slice(0, 3).map((m) => `line ${m.lineNumber}: ${truncate(m.line, 60)}`)
      output.error(
        output.paint("yellow", "warning:") +
          ` ${malformed.length} malformed line${malformed.length === 1 ? "" : "s"} skipped (${shown.join("; ")}` +
          `${malformed.length > shown.length ? "; …" : ""})`
      )
    }
  })

const truncate = (text: string, max: number): string =>
  JSON.stringify(text.length <= max ? text : `${text.slice(0, max)}…`)
