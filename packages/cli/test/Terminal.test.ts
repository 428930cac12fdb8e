/**
 * `zenws` under a real terminal: tmux (Debian's package) runs it in a pane, the test types with `send-keys` and reads
 * the screen with `capture-pane`. The interactive `connect`, `record`'s status line, `replay`'s progress bar. Skipped
 * (saying why) when tmux is not installed.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Recorder from "@zen-websocket/core/Recorder"
import * as Testing from "@zen-websocket/core/Testing"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { bin } from "./utils/process.js"

const tmuxReady = ChildProcess.spawnSync("tmux", ["-V"]).status === 0
if (!tmuxReady) console.warn("Terminal tests skipped: install tmux (`apt-get install -y tmux`)")

class TmuxError extends Data.TaggedError("TmuxError")<{ readonly message: string }> {}

/**
 * `zenws <args>` in a pane of a tmux server of our own (its own socket, killed when the scope closes). `until` waits
 * for the screen to match (polled every 50 ms, at most 10 s); `keys` types.
 */
const pane = (args: string) =>
  Effect.gen(function*() {
    const socket = `zenws-test-${process.pid}-${Math.random().toString(36).slice(2)}`
    const run = (...argv: Array<string>) =>
      Effect.sync(() => ChildProcess.execFileSync("tmux", ["-L", socket, ...argv], { encoding: "utf8" }))
    const command = `${process.execPath} ${bin} ${args}; echo "EXITED $?"; sleep 60`
    yield* Effect.acquireRelease(
      run("new-session", "-d", "-s", "zenws", "-x", "150", "-y", "50", command),
      () => Effect.ignore(Effect.try(() => Effect.runSync(run("kill-server"))))
    )
    const screen = run("capture-pane", "-p", "-t", "zenws", "-S", "-200")
    const until = (pattern: RegExp) =>
      screen.pipe(
        Effect.filterOrFail(
          (text) => pattern.test(text),
          (text) => new TmuxError({ message: `no ${pattern} on the screen:\n${text}` })
        ),
        Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("10 seconds")))
      )
    const keys = (...keys: Array<string>) => run("send-keys", "-t", "zenws", ...keys)
    return { until, keys }
  })

const tempFile = (name: string) => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-tmux-")), name)

describe.runIf(tmuxReady)("zenws in a terminal (tmux)", () => {
  it.scopedLive(
    "connect: typed lines go out, frames print above the prompt, Ctrl-C closes with 1000 and keeps the recording",
    () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const recording = tempFile("session.jsonl")
        const { keys, until } = yield* pane(`connect ${server.url} --record ${recording}`)
        yield* until(/type a message and press Enter/)
        yield* until(/^>\s*$/m)

        yield* keys("-l", "hello from tmux")
        yield* keys("Enter")
        yield* until(/^< \d\d:\d\d:\d\d\.\d{3} echo: hello from tmux$/m)

        yield* keys("-l", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"public/test\"}")
        yield* keys("Enter")
        // the reply, pretty-printed on several lines
        yield* until(
          /^< [\d:.]+ \{\n {2}"jsonrpc": "2\.0",\n {2}"id": 1,\n {2}"result": \{\n {4}"version": "mock"\n {2}\}\n\}$/m
        )

        // a frame arriving while a line is half typed: printed above, the typed text stays at the prompt
        yield* keys("-l", "half typed")
        yield* until(/^> half typed$/m)
        yield* server.injectMessage("pushed while typing")
        yield* until(/^< [\d:.]+ pushed while typing\n> half typed$/m)

        yield* keys("C-c")
        const ended = yield* until(/^EXITED \d+$/m)
        assert.match(ended, /^\* closed \(1000\)$/m)
        assert.match(ended, /^EXITED 0$/m)
        assert.match(ended, /^\* recorded 7 frames \(4 in, 3 out\)/m)

        const entries = Chunk.toReadonlyArray(yield* Stream.runCollect(Recorder.replay(recording)))
        const frames = entries.map((e) =>
          e.type === "close" ? `${e.dir} close ${e.code}` : `${e.dir} ${String(e.data)}`
        )
        assert.deepStrictEqual(frames.slice(0, 5), [
          "out hello from tmux",
          "in echo: hello from tmux",
          "out {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"public/test\"}",
          "in {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"version\":\"mock\"}}",
          "in pushed while typing"
        ])
        assert.deepStrictEqual(frames.slice(5).sort(), ["in close 1000", "out close 1000"])
      }).pipe(Effect.timeout("40 seconds")),
    60_000
  )

  it.scopedLive(
    "record: frames, bytes, rate and time on a status line, cleared at the end",
    () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
        const { until } = yield* pane(`record ${server.url} -o ${tempFile("status.jsonl")} --count 3`)
        yield* until(/^in 0 · out 0 · 0 B received · 0\.0 frames\/s · [\d.]+ m?s$/m)
        yield* server.injectMessage("12345")
        yield* until(/^in 1 · out 0 · 5 B received · /m)
        yield* server.injectMessage("a")
        yield* server.injectMessage("b")
        const ended = yield* until(/^EXITED \d+$/m)
        assert.match(ended, /^EXITED 0$/m)
        assert.notMatch(ended, /^in \d+ · /m, "the status line is gone")
        assert.match(ended, /status\.jsonl: 5 frames \(4 in, 1 out\)/)
      }).pipe(Effect.timeout("40 seconds")),
    60_000
  )

  it.scopedLive("replay --realtime: a progress bar while it plays, cleared at the end", () =>
    Effect.gen(function*() {
      const file = tempFile("slow.jsonl")
      const ts = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString().replace("Z", "000Z")
      const entries = Array.from({ length: 10 }, (_, i): Recorder.Entry => ({
        ts: ts(i * 300),
        dir: "in",
        type: "text",
        data: `frame ${i}`
      }))
      Fs.writeFileSync(file, entries.map((e) => Recorder.encodeLine(e) + "\n").join(""))
      const { until } = yield* pane(`replay ${file} --realtime`)
      const playing = yield* until(/^\[=* *\] \d+% \d+\/10$/m)
      assert.match(playing, /frame 0/)
      const ended = yield* until(/^EXITED \d+$/m)
      assert.match(ended, /^EXITED 0$/m)
      assert.match(ended, /frame 9/)
      assert.notMatch(ended, /^\[=* *\] \d+%/m, "the bar is gone")
    }).pipe(Effect.timeout("40 seconds")), 60_000)
})
