import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Client from "../src/Client.js"
import { startBlaster } from "./utils/blaster.js"

const total = 1_000_000
/** 64-byte payloads that carry their index: 66 MB in all, far more than the kernel's socket buffers hold */
const payload = (i: number) => String(i).padStart(64, "0")

describe("inbound backpressure at scale", () => {
  it.scopedLive(
    "a slow consumer still pauses the socket (bounded memory with 1 M frames queued against a consumer that sleeps)",
    () =>
      Effect.gen(function*() {
        const server = yield* startBlaster(total, payload)
        const bufferSize = 1024
        const client = yield* Client.connect(server.url, { inbound: { bufferSize, strategy: "suspend" } })
        let slow = true
        let taken = 0
        let inOrder = true
        let mostBuffered = 0
        const consumer = yield* Effect.fork(
          Stream.runForEachChunk(client.messages, (chunk) =>
            Effect.gen(function*() {
              for (const message of chunk) {
                if (message._tag !== "Text" || Number(message.data) !== taken) inOrder = false
                taken++
              }
              // the slow consumer: a sleep per chunk (a few hundred ms in all before it speeds up)
              if (!slow) return
              yield* Effect.sleep("20 millis")
              // what piled up while it slept (the most the client holds: the next take drains it)
              const { bufferedInbound } = yield* Client.getStateMetrics(client)
              mostBuffered = Math.max(mostBuffered, bufferedInbound)
            }))
        )
        const heapBefore = process.memoryUsage().heapUsed
        yield* Client.sendMessage(client, "go")
        yield* Client.getStateMetrics(client).pipe(
          Effect.repeat({ until: (m) => m.paused, schedule: Schedule.spaced("5 millis") }),
          Effect.timeout("10 seconds")
        )
        // the consumer keeps sleeping: each take lets the socket read up to the buffer again (it pauses and resumes
        // with every chunk), and the rest of the million waits at the server
        yield* Effect.sleep("300 millis")
        const stalled = yield* Client.getStateMetrics(client)
        const heapGrowth = process.memoryUsage().heapUsed - heapBefore
        // at most the buffer plus what ws had read from the socket when it paused (64 KiB reads, ~1 000 frames each)
        const bound = bufferSize + 8 * 1_000
        assert.isAtMost(mostBuffered, bound, "frames buffered in the client")
        assert.isAtMost(stalled.bufferedInbound, bound)
        assert.isBelow(stalled.inboundFrames, total / 4, "the client read only a fraction of the frames")
        assert.isBelow(server.sent(), total / 2, "most frames still queued at the server")
        // 1 M frames in memory would be > 100 MB (a Message and a 64-character string each)
        assert.isBelow(heapGrowth, 64 * 1024 * 1024, "heap growth while 1 M frames are queued")
        // the consumer speeds up: reading resumes, in order, nothing lost
        slow = false
        const goal = 100_000
        yield* Effect.sync(() => taken).pipe(
          Effect.repeat({ until: (n) => n >= goal, schedule: Schedule.spaced("5 millis") }),
          Effect.timeout("20 seconds")
        )
        assert.isTrue(inOrder, "every frame once, in order")
        assert.isAtLeast(taken, goal)
        yield* Fiber.interrupt(consumer)
      }),
    40_000
  )
})
