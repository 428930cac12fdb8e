/**
 * The interactive `zenws connect` under a real terminal: tmux (Debian's package) runs it in a pane, the test types
 * with `send-keys` and reads the screen with `capture-pane`. Skipped (saying why) when tmux is not installed.
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

/** A tmux server of our own (its own socket), killed when the scope closes. */
const tmux = Effect.acquireRelease(
  Effect.sync(() => {
    const socket = `zenws-test-${process.pid}-${Math.random().toString(36).slice(2)}`
    const run = (...args: Array<string>) =>
      Effect.sync(() => ChildProcess.execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" }))
    return { socket, run }
  }),
  ({ run }) => Effect.ignore(Effect.try(() => Effect.runSync(run("kill-server"))))
)

describe.runIf(tmuxReady)("zenws connect in a terminal (tmux)", () => {
  it.scopedLive(
    "typed lines go out, frames print above the prompt, Ctrl-C closes with 1000 and keeps the recording",
    () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        const recording = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-tmux-")), "session.jsonl")
        const { run } = yield* tmux
        const command =
          `${process.execPath} ${bin} connect ${server.url} --record ${recording}; echo "EXITED $?"; sleep 60`
        yield* run("new-session", "-d", "-s", "zenws", "-x", "150", "-y", "50", command)
        const screen = run("capture-pane", "-p", "-t", "zenws", "-S", "-200")
        /** the screen once it matches (polled every 50 ms, at most 10 s) */
        const until = (pattern: RegExp) =>
          screen.pipe(
            Effect.filterOrFail(
              (text) => pattern.test(text),
              (text) => new TmuxError({ message: `no ${pattern} on the screen:\n${text}` })
            ),
            Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("10 seconds")))
          )
        yield* until(/type a message and press Enter/)
        yield* until(/^>\s*$/m)

        yield* run("send-keys", "-t", "zenws", "-l", "hello from tmux")
        yield* run("send-keys", "-t", "zenws", "Enter")
        yield* until(/^< \d\d:\d\d:\d\d\.\d{3} echo: hello from tmux$/m)

        yield* run("send-keys", "-t", "zenws", "-l", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"public/test\"}")
        yield* run("send-keys", "-t", "zenws", "Enter")
        // the reply, pretty-printed on several lines
        yield* until(
          /^< [\d:.]+ \{\n {2}"jsonrpc": "2\.0",\n {2}"id": 1,\n {2}"result": \{\n {4}"version": "mock"\n {2}\}\n\}$/m
        )

        // a frame arriving while a line is half typed: printed above, the typed text stays at the prompt
        yield* run("send-keys", "-t", "zenws", "-l", "half typed")
        yield* until(/^> half typed$/m)
        yield* server.injectMessage("pushed while typing")
        const pushed = yield* until(/^< [\d:.]+ pushed while typing\n> half typed$/m)
        assert.include(pushed, "pushed while typing")

        yield* run("send-keys", "-t", "zenws", "C-c")
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
})
