/**
 * Child processes for the tests: the built `zenws` (dist/bin/zenws.js) and Debian's python3-websockets server. Each one is
 * scoped (killed when the test ends) and its output is read as it comes, so tests wait for lines, never for time.
 */
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"

export const bin = fileURLToPath(new URL("../../dist/bin/zenws.js", import.meta.url))
export const main = fileURLToPath(new URL("../../dist/bin/main.js", import.meta.url))

export class ProcessError extends Data.TaggedError("ProcessError")<{ readonly message: string }> {}

export interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface Running {
  readonly child: ChildProcess.ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** waits (at most `timeoutMs`) until stdout (or stderr) matches; succeeds with the match */
  readonly waitFor: (
    pattern: RegExp,
    options?: { readonly stream?: "stdout" | "stderr"; readonly timeoutMs?: number }
  ) => Effect.Effect<RegExpMatchArray, ProcessError>
  readonly write: (text: string) => Effect.Effect<void>
  readonly endInput: Effect.Effect<void>
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<void>
  /** waits (at most `timeoutMs`, default 15 s) for the exit */
  readonly exited: (timeoutMs?: number) => Effect.Effect<Exited, ProcessError>
}

export interface SpawnOptions {
  readonly env?: Record<string, string | undefined>
  readonly cwd?: string
}

/** Starts `command args` in the scope; it is killed (SIGKILL) when the scope closes if it is still running. */
export const spawn = (
  command: string,
  args: ReadonlyArray<string>,
  options: SpawnOptions = {}
): Effect.Effect<Running, never, Scope.Scope> =>
  Effect.gen(function*() {
    const done = yield* Deferred.make<{ code: number | null; signal: NodeJS.Signals | null }>()
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(command, args, {
          stdio: ["pipe", "pipe", "pipe"],
          env: { ...process.env, NO_COLOR: "1", ...options.env },
          cwd: options.cwd
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    let stdout = ""
    let stderr = ""
    const listeners = new Set<() => void>()
    const changed = () => listeners.forEach((l) => l())
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
      changed()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      changed()
    })
    child.stdin.on("error", () => {})
    child.once("exit", (code, signal) => {
      Deferred.unsafeDone(done, Effect.succeed({ code, signal }))
      changed()
    })
    const describe = () => `${command} ${args.join(" ")}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`
    const waitFor: Running["waitFor"] = (pattern, { stream = "stdout", timeoutMs = 10_000 } = {}) =>
      Effect.async<RegExpMatchArray, ProcessError>((resume) => {
        const check = () => {
          const match = (stream === "stdout" ? stdout : stderr).match(pattern)
          if (match !== null) {
            cleanup()
            resume(Effect.succeed(match))
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup()
            resume(Effect.fail(new ProcessError({ message: `exited before ${pattern} on ${stream}: ${describe()}` })))
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          resume(
            Effect.fail(new ProcessError({ message: `no ${pattern} on ${stream} in ${timeoutMs} ms: ${describe()}` }))
          )
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        check()
        return Effect.sync(cleanup)
      })
    return {
      child,
      stdout: () => stdout,
      stderr: () => stderr,
      waitFor,
      write: (text) => Effect.sync(() => child.stdin.write(text)),
      endInput: Effect.sync(() => child.stdin.end()),
      signal: (signal) => Effect.sync(() => child.kill(signal)),
      exited: (timeoutMs = 15_000) =>
        Deferred.await(done).pipe(
          Effect.map(({ code, signal }) => ({ code, signal, stdout, stderr })),
          Effect.timeoutFail({
            duration: timeoutMs,
            onTimeout: () => new ProcessError({ message: `did not exit in ${timeoutMs} ms: ${describe()}` })
          })
        )
    }
  })

/** The built `zenws`, running. */
export const zenws = (args: ReadonlyArray<string>, options?: SpawnOptions) =>
  spawn(process.execPath, [bin, ...args], options)

/** Runs `zenws` to its end with `input` on stdin (nothing: stdin closed at once). */
export const runZenws = (
  args: ReadonlyArray<string>,
  options: SpawnOptions & { readonly input?: string; readonly timeoutMs?: number } = {}
): Effect.Effect<Exited, ProcessError> =>
  Effect.scoped(Effect.gen(function*() {
    const running = yield* zenws(args, options)
    if (options.input !== undefined) yield* running.write(options.input)
    yield* running.endInput
    return yield* running.exited(options.timeoutMs)
  }))

/** `zenws serve …` running; succeeds with its URL (the first line it prints). */
export const serve = (args: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const running = yield* zenws(["serve", ...args])
    const [url] = yield* running.waitFor(/^wss?:\/\/\S+$/m)
    // the banner on stderr comes once the faults are set
    yield* running.waitFor(/serving /, { stream: "stderr" })
    return { url: url.trim(), running }
  })

// -------------------------------------------------------------------------------------------------------------------
// Debian's python3-websockets (the interop peer of packages/core)
// -------------------------------------------------------------------------------------------------------------------

export const python = "/usr/bin/python3"
const pythonServer = fileURLToPath(new URL("../../../core/test/interop/server.py", import.meta.url))
export const pythonReady = ChildProcess.spawnSync(python, ["-c", "import websockets"]).status === 0
/** As in packages/core: CI must have it (a missing package fails there); elsewhere the suite is skipped. */
export const runPython = pythonReady || process.env.CI !== undefined

/** The Python server, running; succeeds with `ws://127.0.0.1:<port>`. */
export const pythonWebsockets = Effect.gen(function*() {
  const running = yield* spawn(python, [pythonServer])
  const [, port] = yield* running.waitFor(/^PORT (\d+)$/m)
  return { origin: `ws://127.0.0.1:${port}`, running }
})
