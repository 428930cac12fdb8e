/**
 * `@effect/platform` Socket: `Socket.makeWebSocket(url)` + `socket.runRaw(handler)`, with
 * `NodeSocket.layerWebSocketConstructor` (`ws` on Node 20). Used the way its docs suggest: a synchronous handler for
 * reading, an Effect returned from the handler (forked by the socket) when a frame must be answered.
 */
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as Socket from "@effect/platform/Socket"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import { consumeJson, consumeText } from "../common.js"
import type { Adapter } from "./types.js"

const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope | Socket.WebSocketConstructor>): Promise<A> =>
  Effect.runPromise(effect.pipe(Effect.scoped, Effect.provide(NodeSocket.layerWebSocketConstructor)))

const textOf = (data: string | Uint8Array): string => typeof data === "string" ? data : ""

/** idle connections live in this scope until the process exits */
const idleScope = Effect.runSync(Scope.make())

export const adapter: Adapter = {
  inbound: ({ frames, json, marks, url, warmup }) =>
    run(Effect.gen(function*() {
      const socket = yield* Socket.makeWebSocket(url)
      const write = yield* socket.writer
      const done = yield* Deferred.make<void>()
      let left = warmup
      let measuring = false
      const fiber = yield* Effect.forkScoped(socket.runRaw((data) => {
        const text = textOf(data)
        if (json) consumeJson(JSON.parse(text))
        else consumeText(text)
        if (--left === 0) {
          if (measuring) {
            marks.end()
            Deferred.unsafeDone(done, Exit.void)
            return
          }
          measuring = true
          left = frames
          marks.start()
          return write(String(frames))
        }
      }, { onOpen: Effect.ignore(write(String(warmup))) }))
      yield* Deferred.await(done)
      yield* Fiber.interrupt(fiber)
    })),

  echo: ({ latenciesMs, marks, payload, url, warmup }) =>
    run(Effect.gen(function*() {
      const socket = yield* Socket.makeWebSocket(url)
      const write = yield* socket.writer
      const done = yield* Deferred.make<void>()
      let i = -warmup
      let sentAt = 0
      const fiber = yield* Effect.forkScoped(socket.runRaw((data) => {
        const now = performance.now()
        consumeText(textOf(data))
        if (i >= 0) latenciesMs[i] = now - sentAt
        if (++i === latenciesMs.length) {
          marks.end()
          return Deferred.unsafeDone(done, Exit.void)
        }
        if (i === 0) marks.start()
        sentAt = performance.now()
        return write(payload)
      }, {
        onOpen: Effect.suspend(() => {
          sentAt = performance.now()
          return Effect.ignore(write(payload))
        })
      }))
      yield* Deferred.await(done)
      yield* Fiber.interrupt(fiber)
    })),

  requests: ({ inflight, marks, total, url, warmup }) =>
    run(Effect.gen(function*() {
      const socket = yield* Socket.makeWebSocket(url)
      const write = yield* socket.writer
      const opened = yield* Deferred.make<void>()
      const pending = new Map<number, Deferred.Deferred<unknown>>()
      let nextId = 0
      const fiber = yield* Effect.forkScoped(socket.runRaw((data) => {
        const json = JSON.parse(textOf(data)) as { id: number; result: unknown }
        const deferred = pending.get(json.id)
        if (deferred !== undefined) {
          pending.delete(json.id)
          Deferred.unsafeDone(deferred, Exit.succeed(json.result))
        }
      }, { onOpen: Deferred.succeed(opened, undefined) }))
      const request = (method: string, params: unknown) =>
        Effect.gen(function*() {
          const id = ++nextId
          const deferred = yield* Deferred.make<unknown>()
          pending.set(id, deferred)
          yield* write(JSON.stringify({ jsonrpc: "2.0", id, method, params }))
          return yield* Deferred.await(deferred)
        })
      const runMany = (count: number) =>
        Effect.forEach(Array.from({ length: count }, (_, i) => i), (i) => request("public/test", { i }), {
          concurrency: inflight,
          discard: true
        })
      yield* Deferred.await(opened)
      yield* runMany(warmup)
      marks.start()
      yield* runMany(total)
      marks.end()
      yield* Fiber.interrupt(fiber)
    })),

  idle: ({ concurrency, consume, count, url }) =>
    Effect.runPromise(
      Effect.forEach(Array.from({ length: count }), () =>
        Effect.gen(function*() {
          const socket = yield* Socket.makeWebSocket(url)
          const opened = yield* Deferred.make<void>()
          yield* Effect.forkIn(
            socket.runRaw(consume ? (data) => consumeText(textOf(data)) : () => {}, {
              onOpen: Deferred.succeed(opened, undefined)
            }),
            idleScope
          )
          yield* Deferred.await(opened)
        }), { concurrency, discard: true }).pipe(Effect.provide(NodeSocket.layerWebSocketConstructor))
    ),

  recovery: ({ channels, onRestored, retryDelayMs, url }) =>
    Effect.runPromise(
      Effect.gen(function*() {
        const socket = yield* Socket.makeWebSocket(url)
        const write = yield* Effect.provideService(socket.writer, Scope.Scope, idleScope)
        const confirmed = yield* Deferred.make<void>()
        let nextId = 0
        let subscribeId = -1
        let first = true
        const connection = socket.runRaw((data) => {
          const json = JSON.parse(textOf(data)) as { id?: number }
          if (json.id !== subscribeId) return
          if (first) {
            first = false
            Deferred.unsafeDone(confirmed, Exit.void)
          } else onRestored()
        }, {
          // resubscribed by hand on every open
          onOpen: Effect.suspend(() => {
            subscribeId = ++nextId
            return Effect.ignore(
              write(
                JSON.stringify({ jsonrpc: "2.0", id: subscribeId, method: "public/subscribe", params: { channels } })
              )
            )
          })
        })
        // reconnect loop: every end of a connection (or failed attempt) waits `retryDelayMs`, then dials again
        const fiber = yield* Effect.forkIn(
          connection.pipe(Effect.ignore, Effect.zipRight(Effect.sleep(retryDelayMs)), Effect.forever),
          idleScope
        )
        yield* Deferred.await(confirmed)
        return { stop: () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => {}) }
      }).pipe(Effect.provide(NodeSocket.layerWebSocketConstructor))
    )
}
