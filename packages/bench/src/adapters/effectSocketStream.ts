/**
 * `@effect/platform` Socket through its `Stream` API, the way an Effect user who wants a `Stream` of frames would
 * write it: `Socket.toChannelString(socket)` fed by a `Stream` of outbound frames (`Stream.pipeThroughChannel`),
 * consumed with `Stream.runForEachChunk`. Only `inbound` is measured with it.
 */
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as Socket from "@effect/platform/Socket"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { consumeJson, consumeText } from "../common.js"
import type { Adapter } from "./types.js"

const notMeasured = (): Promise<never> => Promise.reject(new Error("only inbound is measured with this row"))

export const adapter: Adapter = {
  inbound: ({ frames, json, marks, url, warmup }) =>
    Effect.runPromise(
      Effect.gen(function*() {
        const socket = yield* Socket.makeWebSocket(url)
        const outbound = yield* Queue.unbounded<string>()
        yield* Queue.offer(outbound, String(warmup))
        let left = warmup
        let measuring = false
        yield* Stream.fromQueue(outbound).pipe(
          Stream.pipeThroughChannel(Socket.toChannelString(socket)),
          Stream.runForEachChunk((chunk) =>
            Effect.suspend(() => {
              for (const text of chunk) {
                if (json) consumeJson(JSON.parse(text))
                else consumeText(text)
                if (--left === 0) {
                  if (measuring) {
                    marks.end()
                    return Effect.fail("done" as const)
                  }
                  measuring = true
                  left = frames
                  marks.start()
                  return Queue.offer(outbound, String(frames))
                }
              }
              return Effect.void
            })
          ),
          Effect.catchAll(() => Effect.void)
        )
      }).pipe(Effect.scoped, Effect.provide(NodeSocket.layerWebSocketConstructor))
    ),
  echo: notMeasured,
  requests: notMeasured,
  idle: notMeasured,
  recovery: notMeasured
}
