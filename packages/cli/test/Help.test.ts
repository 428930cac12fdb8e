/**
 * `--help`, `--version`, shell completion and bad input, from the built executable; the pre-rendered help of
 * dist/bin/zenws.js is @effect/cli's own rendering (dist/bin/main.js).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as ExitCode from "../src/ExitCode.js"
import { main, runZenws, spawn } from "./utils/process.js"

const commands = ["connect", "send", "request", "record", "replay", "inspect", "serve", "demo"]

const live = (args: ReadonlyArray<string>) =>
  Effect.scoped(Effect.flatMap(spawn(process.execPath, [main, ...args]), (running) => running.exited()))

describe("zenws --help", () => {
  it.scopedLive("lists every command with examples; the fast path prints exactly @effect/cli's help", () =>
    Effect.gen(function*() {
      const help = yield* runZenws(["--help"])
      assert.strictEqual(help.code, 0)
      for (const command of commands) assert.match(help.stdout, new RegExp(`^ {2}- ${command} `, "m"))
      assert.match(help.stdout, /^Examples:$/m)
      assert.notInclude(help.stdout, "\u001b[", "no ANSI styles on a pipe")
      assert.strictEqual(help.stdout, (yield* live(["--help"])).stdout)
    }))

  it.scopedLive("every command's --help has its flags and examples (and matches the live rendering)", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.forEach(commands, (command) => runZenws([command, "--help"]), { concurrency: 4 })
      runs.forEach((run, i) => {
        assert.strictEqual(run.code, 0, commands[i])
        assert.match(run.stdout, /^Examples:$/m, commands[i])
        assert.match(run.stdout, new RegExp(`^\\$ zenws ${commands[i]}`, "m"), commands[i])
      })
      assert.match(runs[0].stdout, /--no-reconnect/)
      assert.match(runs[0].stdout, /--dialect jsonrpc/)
      assert.match(runs[6].stdout, /--half-open-after ms/)
      assert.strictEqual(runs[2].stdout, (yield* live(["request", "--help"])).stdout)
    }))

  it.scopedLive("--version is the package's; --completions prints a shell script", () =>
    Effect.gen(function*() {
      const pkg = JSON.parse(Fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
        version: string
      }
      const version = yield* runZenws(["--version"])
      assert.strictEqual(version.stdout.trim(), pkg.version)
      assert.strictEqual((yield* live(["--version"])).stdout.trim(), pkg.version)
      const bash = yield* runZenws(["--completions", "bash"])
      assert.strictEqual(bash.code, 0)
      assert.match(bash.stdout, /complete -F _zenws_bash_completions/)
      assert.match(bash.stdout, /connect/)
      const zsh = yield* runZenws(["--completions", "zsh"])
      assert.match(zsh.stdout, /#compdef zenws/)
    }))

  it.scopedLive("bad input exits 4 with the reason: unknown dialect (listing the known ones), bad header, bad retry", () =>
    Effect.gen(function*() {
      const dialect = yield* runZenws(["connect", "ws://127.0.0.1:1/ws", "--dialect", "okx"])
      assert.strictEqual(dialect.code, 4)
      assert.match(dialect.stderr, /--dialect okx is not a known subscription dialect; available: jsonrpc/)
      const header = yield* runZenws(["connect", "ws://127.0.0.1:1/ws", "-H", "no colon"])
      assert.strictEqual(header.code, 4)
      assert.match(header.stderr, /-H\/--header expects 'Name: value', got 'no colon'/)
      const retry = yield* runZenws(["send", "ws://127.0.0.1:1/ws", "x", "--retry", "-1"])
      assert.strictEqual(retry.code, 4)
      assert.match(retry.stderr, /--retry expects a number of attempts or 'inf'/)
      const missing = yield* runZenws(["replay", "/nonexistent/file.jsonl"])
      assert.strictEqual(missing.code, 4)
      const unknown = yield* runZenws(["frobnicate"])
      assert.strictEqual(unknown.code, 4)
      assert.match(unknown.stderr, /connect/)
    }))
})

describe("ExitCode", () => {
  it("maps errors to the documented codes", () => {
    const of = (u: unknown) => ExitCode.fromError(u)
    assert.strictEqual(of({ _tag: "RpcError", code: 1, message: "x" }), 1)
    assert.strictEqual(of({ _tag: "ConnectError", reason: "refused" }), 2)
    assert.strictEqual(of({ _tag: "Disconnected", code: 1006 }), 2)
    assert.strictEqual(of({ _tag: "RequestTimeout" }), 3)
    assert.strictEqual(of({ _tag: "InvalidOptions" }), 4)
    assert.strictEqual(of({ _tag: "RecorderError", reason: "read" }), 4)
    assert.strictEqual(of({ _tag: "RecorderError", reason: "write" }), 5)
    assert.strictEqual(of(new Error("?")), 5)
    assert.deepStrictEqual(ExitCode.table.map((row) => row.code), [0, 1, 2, 3, 4, 5, 130])
  })
})

describe("zenws demo", () => {
  it.scopedLive(
    "runs the Deribit demo: auth, book, restart with each step, gap resync, latency",
    () =>
      Effect.gen(function*() {
        const run = yield* runZenws(["demo"], { timeoutMs: 40_000 })
        assert.strictEqual(run.code, 0, run.stderr)
        assert.include(run.stdout, "public/auth → public/set_heartbeat → private/enable_cancel_on_disconnect")
        assert.match(run.stdout, /resting order cancelled \(cancel_on_disconnect\)/)
        assert.match(run.stdout, /maintained book equals the simulator's \(change_id \d+\): yes/)
        assert.match(run.stdout, /^7\. closed: private\/logout/m)
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("--core runs core's demo: subscribe, stream, request, restart with the subscription restored, recording", () =>
    Effect.gen(function*() {
      const run = yield* runZenws(["demo", "--core"], { timeoutMs: 30_000 })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.match(run.stdout, /^mock exchange listening on ws:\/\/127\.0\.0\.1:\d+\/ws$/m)
      assert.match(run.stdout, /^request public\/test -> \{"version":"mock"\}$/m)
      assert.match(run.stdout, /^state: connected, subscriptions: ticker\.BTC-PERPETUAL\.100ms$/m)
      assert.match(run.stdout, /^ {2}event: SubscriptionsRestored$/m)
      assert.match(run.stdout, /^recorded \d+ frames \(\d+ in, \d+ out\) to \S+session\.jsonl$/m)
    }))
})
