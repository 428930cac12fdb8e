/**
 * Starts `server.ts` in its own process (so its CPU is not the client's) and talks to it over IPC.
 */
import { fork } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { within } from "./common.js"

export interface ServerProcess {
  readonly pid: number
  readonly port: number
  readonly url: string
  /** terminates every connection and closes the listener (`ws` mode) */
  readonly down: () => Promise<void>
  /** listens again on the same port; resolves once it accepts connections (`ws` mode) */
  readonly up: () => Promise<void>
  readonly kill: () => void
}

/** from source under tsx (`server.ts`), or next to the bundled child (`server.mjs`, see `bundle.ts`) */
const fromSource = import.meta.url.endsWith(".ts")
const serverPath = new URL(fromSource ? "./server.ts" : "./server.mjs", import.meta.url).pathname

const next = (child: ChildProcess, type: string): Promise<any> =>
  new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message.type !== type) return
      cleanup()
      resolve(message)
    }
    const onExit = (code: number | null) => {
      cleanup()
      reject(new Error(`bench server exited (${code}) while waiting for ${type}`))
    }
    const cleanup = () => {
      child.off("message", onMessage)
      child.off("exit", onExit)
    }
    child.on("message", onMessage)
    child.once("exit", onExit)
  })

export const start = async (mode: "blast" | "feed" | "deflate" | "ws"): Promise<ServerProcess> => {
  const child = fork(serverPath, [mode], {
    // every row's server runs on the runner's Node, also for a child running on another one (the Node 22 rows)
    execPath: process.env.BENCH_SERVER_NODE ?? process.execPath,
    execArgv: [
      ...(fromSource ? ["--import", "tsx", "--conditions=@zen-websocket/source"] : []),
      "--max-old-space-size=2048"
    ],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
  process.once("exit", kill)
  const { port } = await within(next(child, "listening"), 20_000, `${mode} server start`)
  return {
    pid: child.pid ?? 0,
    port,
    url: `ws://127.0.0.1:${port}/`,
    down: async () => {
      const done = next(child, "down")
      child.send({ type: "down" })
      await within(done, 5_000, "server down")
    },
    up: async () => {
      const done = next(child, "up")
      child.send({ type: "up" })
      await within(done, 5_000, "server up")
    },
    kill
  }
}
