/**
 * The floor of an Effect program's requests: raw `ws` and a hand-written id → `Effect.async` resume map, driven the
 * way an Effect user drives zen's `Client.request` (`Effect.forEach` with `concurrency`). Whatever zen adds to a
 * request is above this row; the gap between this row and raw `ws` is Effect's own (a fiber per request, its
 * scheduler), which no Effect-based client can avoid. Only `requests` is measured with it.
 */
import * as Effect from "effect/Effect"
import WebSocket from "ws"
import type { Adapter } from "./types.js"

const notMeasured = (): Promise<never> => Promise.reject(new Error("the Effect floor only measures requests"))

export const adapter: Adapter = {
  inbound: notMeasured,
  echo: notMeasured,
  idle: notMeasured,
  recovery: notMeasured,
  requests: async ({ inflight, marks, total, url, warmup }) => {
    const ws = new WebSocket(url)
    const pending = new Map<number, (effect: Effect.Effect<unknown>) => void>()
    let nextId = 0
    ws.on("message", (data: Buffer) => {
      const json = JSON.parse(data.toString()) as { id: number; result: unknown }
      const resume = pending.get(json.id)
      if (resume !== undefined) {
        pending.delete(json.id)
        resume(Effect.succeed(json.result))
      }
    })
    const request = (method: string, params: unknown) =>
      Effect.async<unknown>((resume) => {
        const id = ++nextId
        pending.set(id, resume)
        ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }))
      })
    const run = (count: number) =>
      Effect.forEach(
        Array.from({ length: count }, (_, i) => i),
        (i) => request("public/test", { i }),
        { concurrency: inflight, discard: true }
      )
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve())
      ws.once("error", reject)
    })
    await Effect.runPromise(run(warmup))
    marks.start()
    await Effect.runPromise(run(total))
    marks.end()
    ws.close()
  }
}
