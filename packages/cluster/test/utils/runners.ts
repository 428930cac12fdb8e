/**
 * Runner processes for the cluster tests: each a forked Node process running fixtures/runner.ts (with tsx), driven
 * over its IPC channel. `spawnRunner` succeeds once its modules are loaded; `start` then builds its cluster layers. Closing the scope stops every runner still alive (SIGTERM, as a deployment would; SIGKILL
 * after 10 s).
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { HookCall } from "./feeds.js"
import type { Command, RemoteError, RunnerConfig, ToParent } from "./protocol.js"

const fixture = fileURLToPath(new URL("../fixtures/runner.ts", import.meta.url))

/** what a cluster test drives: a runner process, or the in-process cluster of ClusterFeeds.test.ts */
export interface Driver {
  readonly name: string
  /** `host:port`, as `FeedState.runner` reports it */
  readonly address: string
  readonly call: <A = unknown>(command: Command) => Effect.Effect<A, RemoteError>
  readonly hooks: ReadonlyArray<HookCall>
}

export interface RunnerProcess extends Driver {
  readonly config: RunnerConfig
  /** builds its cluster layers; succeeds once they are up */
  readonly start: Effect.Effect<void, RemoteError>
  /** SIGKILL, and wait until the process is gone */
  readonly kill: Effect.Effect<void>
  /** SIGTERM (a clean shutdown), and wait until it has exited; its exit code */
  readonly stop: Effect.Effect<number | null>
  readonly output: () => string
}

export const spawnRunner = (
  name: string,
  config: RunnerConfig
): Effect.Effect<RunnerProcess, RemoteError, Scope.Scope> =>
  Effect.gen(function*() {
    const loaded = yield* Deferred.make<void, RemoteError>()
    const ready = yield* Deferred.make<void, RemoteError>()
    const exited = yield* Deferred.make<{ readonly code: number | null; readonly signal: string | null }>()
    const pending = new Map<number, Deferred.Deferred<unknown, RemoteError>>()
    const hooks: Array<HookCall> = []
    let output = ""
    let nextId = 0

    const child: ChildProcess = yield* Effect.acquireRelease(
      Effect.sync(() =>
        fork(fixture, [], {
          execArgv: ["--conditions=@zen-websocket/source", "--import", "tsx"],
          env: { ...process.env, ZEN_CLUSTER_RUNNER: JSON.stringify(config) },
          serialization: "advanced",
          stdio: ["ignore", "pipe", "pipe", "ipc"]
        })
      ),
      (child) =>
        Effect.gen(function*() {
          if (yield* Deferred.isDone(exited)) return
          child.kill("SIGTERM")
          // (finalizers run uninterruptibly: the wait must be made interruptible for the timeout to cut it)
          const clean = yield* Deferred.await(exited).pipe(
            Effect.interruptible,
            Effect.timeout("10 seconds"),
            Effect.option
          )
          if (clean._tag === "None") {
            process.stderr.write(`--- ${name} did not stop within 10 s; its output ---\n${output}\n`)
            child.kill("SIGKILL")
            yield* Deferred.await(exited)
          }
        })
    )
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000)
    }
    child.stdout?.on("data", keep)
    child.stderr?.on("data", keep)
    child.on("message", (message: ToParent) => {
      switch (message._tag) {
        case "Loaded":
          return Deferred.unsafeDone(loaded, Exit.void)
        case "Ready":
          return Deferred.unsafeDone(ready, Exit.void)
        case "Hook":
          return hooks.push({ hook: message.hook, feed: message.feed, at: Date.now() })
        case "Reply": {
          const deferred = pending.get(message.id)
          pending.delete(message.id)
          if (deferred !== undefined) {
            Deferred.unsafeDone(deferred, message.ok ? Exit.succeed(message.value) : Exit.fail(message.error))
          }
        }
      }
    })
    child.on("exit", (code, signal) => {
      const gone: RemoteError = { _tag: "RunnerExited", message: `${name} exited (${signal ?? code})` }
      Deferred.unsafeDone(loaded, Exit.fail(gone))
      Deferred.unsafeDone(ready, Exit.fail(gone))
      for (const deferred of pending.values()) Deferred.unsafeDone(deferred, Exit.fail(gone))
      pending.clear()
      Deferred.unsafeDone(exited, Exit.succeed({ code, signal }))
    })

    const awaiting = (deferred: Deferred.Deferred<void, RemoteError>, what: string) =>
      Deferred.await(deferred).pipe(
        Effect.timeoutFail({
          duration: "90 seconds",
          onTimeout: (): RemoteError => ({ _tag: "RunnerTimeout", message: `${name} not ${what} after 90 s` })
        }),
        Effect.tapError(() => Effect.sync(() => process.stderr.write(`--- ${name} output ---\n${output}\n`)))
      )
    yield* awaiting(loaded, "loaded")

    const call = <A>(command: Command) =>
      Effect.gen(function*() {
        if (!child.connected) {
          return yield* Effect.fail<RemoteError>({ _tag: "RunnerExited", message: `${name} is not running` })
        }
        const id = nextId++
        const deferred = yield* Deferred.make<unknown, RemoteError>()
        pending.set(id, deferred)
        child.send({ id, command })
        return (yield* Deferred.await(deferred)) as A
      })

    return {
      start: Effect.suspend(() => {
        child.send("start")
        return awaiting(ready, "ready")
      }),
      name,
      address: `127.0.0.1:${config.port}`,
      config,
      call,
      hooks,
      kill: Effect.suspend(() => {
        child.kill("SIGKILL")
        return Effect.asVoid(Deferred.await(exited))
      }),
      stop: Effect.suspend(() => {
        child.kill("SIGTERM")
        return Effect.map(Deferred.await(exited), (exit) => exit.code)
      }),
      output: () => output
    }
  })
