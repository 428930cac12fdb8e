/**
 * zen-websocket, used as its docs say: `Client.connect` in a scope, `client.messages` consumed chunk-wise
 * (`Stream.runForEachChunk`) or per element (`Stream.runForEach`), `Client.request` for correlated requests,
 * `heartbeatConfig: { type: "ping" }` for the heartbeat, `Client.subscribe` + `SubscriptionsRestored` for recovery.
 */
import * as Client from "@zen-websocket/core/Client"
import type * as ClientOptions from "@zen-websocket/core/ClientOptions"
import * as ClientSupervisor from "@zen-websocket/core/ClientSupervisor"
import type { Message } from "@zen-websocket/core/Message"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { consumeJson, consumeText } from "../common.js"
import type { Adapter, ZenSetup } from "./types.js"

const runScoped = (setup: ZenSetup | undefined, program: Effect.Effect<void, unknown, Scope.Scope>): Promise<void> =>
  Effect.runPromise(Effect.scoped(setup?.wrap === undefined ? program : setup.wrap(program)))

const optionsOf = (setup: ZenSetup | undefined, options: ClientOptions.Options = {}): ClientOptions.Options => ({
  ...options,
  ...setup?.options
})

const consumeMessage = (json: boolean) =>
  json
    ? (message: Message) => consumeJson(message._tag === "Text" ? message.json : undefined)
    : (message: Message) => consumeText(message._tag === "Text" ? message.data : "")

/** connections of the idle measurement (and the recovery client) live until the process exits */
const keepScope = Effect.runSync(Scope.make())

/** the one supervisor of the supervised idle rows (made at first use, in `keepScope`) */
let supervisorOnce: ClientSupervisor.ClientSupervisor | undefined
const supervisor = Effect.suspend(() =>
  supervisorOnce !== undefined
    ? Effect.succeed(supervisorOnce)
    : Effect.tap(Scope.extend(ClientSupervisor.make, keepScope), (made) => (supervisorOnce = made))
)

export const adapter: Adapter = {
  inbound: ({ consumer, frames, json, marks, setup, url, warmup }) =>
    runScoped(
      setup,
      Effect.gen(function*() {
        const client = yield* Client.connect(url, optionsOf(setup))
        const consume = consumeMessage(json)
        const onChunk = (chunk: Chunk.Chunk<Message>) =>
          Effect.sync(() => {
            for (const message of chunk) consume(message)
          })
        const onElement = (message: Message) => Effect.sync(() => consume(message))
        const round = (n: number, measured: boolean) =>
          Effect.scoped(Effect.gen(function*() {
            if (consumer === "callback") {
              const fiber = yield* Effect.fork(forEachChunkUntil(client, n, onChunk))
              yield* Effect.yieldNow()
              if (measured) marks.start()
              yield* client.sendMessage(String(n))
              yield* Fiber.join(fiber)
              if (measured) marks.end()
              return
            }
            const messages = Stream.take(yield* client.messagesScoped, n)
            if (measured) marks.start()
            yield* client.sendMessage(String(n))
            if (consumer === "chunk") yield* Stream.runForEachChunk(messages, onChunk)
            else yield* Stream.runForEach(messages, onElement)
            if (measured) marks.end()
          }))
        yield* round(warmup, false)
        yield* round(frames, true)
      })
    ),

  echo: ({ consumer, latenciesMs, marks, payload, setup, url, warmup }) =>
    runScoped(
      setup,
      Effect.gen(function*() {
        const client = yield* Client.connect(url, optionsOf(setup))
        const rounds = warmup + latenciesMs.length
        let i = -warmup
        let sentAt = performance.now()
        /** records one echo; the next send, or undefined after the last round */
        const onEcho = (message: Message): Effect.Effect<void, unknown> | undefined => {
          const now = performance.now()
          consumeText(message._tag === "Text" ? message.data : "")
          if (i >= 0) latenciesMs[i] = now - sentAt
          if (++i === latenciesMs.length) {
            marks.end()
            return undefined
          }
          if (i === 0) marks.start()
          sentAt = performance.now()
          return client.sendMessage(payload)
        }
        if (consumer === "callback") {
          const fiber = yield* Effect.fork(
            Client.forEachChunk(client, (chunk) =>
              Effect.suspend(() => {
                let next: Effect.Effect<void, unknown> | undefined = Effect.void
                for (const message of chunk) next = onEcho(message)
                return next ?? Effect.fail("done" as const)
              })).pipe(Effect.catchAll(() => Effect.void))
          )
          yield* Effect.yieldNow()
          sentAt = performance.now()
          yield* client.sendMessage(payload)
          return yield* Fiber.join(fiber)
        }
        const messages = yield* client.messagesScoped
        yield* client.sendMessage(payload)
        yield* messages.pipe(
          Stream.take(rounds),
          Stream.runForEach((message) => onEcho(message) ?? Effect.void)
        )
      })
    ),

  requests: ({ inflight, marks, setup, total, url, warmup }) =>
    runScoped(
      setup,
      Effect.gen(function*() {
        const client = yield* Client.connect(url, optionsOf(setup))
        const runMany = (count: number) =>
          Effect.forEach(
            Array.from({ length: count }, (_, i) => i),
            (i) => Client.request(client, { method: "public/test", params: { i } }),
            { concurrency: inflight, discard: true }
          )
        yield* runMany(warmup)
        marks.start()
        yield* runMany(total)
        marks.end()
      })
    ),

  idle: ({ concurrency, consume, consumer, count, pingIntervalMs, setup, supervised, url }) => {
    const options = optionsOf(
      setup,
      pingIntervalMs === undefined ? {} : { heartbeatConfig: { type: "ping", interval: pingIntervalMs } }
    )
    const onMessage = consumeMessage(false)
    const one = Effect.gen(function*() {
      const client = supervised
        ? yield* Effect.flatMap(supervisor, (s) => s.startClient(url, options))
        : yield* Client.connect(url, options)
      if (!consume) return
      yield* Effect.forkScoped(
        consumer === "callback"
          ? Client.forEachChunk(client, (chunk) => Effect.sync(() => Chunk.forEach(chunk, onMessage)))
          : Stream.runForEach(client.messages, (m) => Effect.sync(() => onMessage(m)))
      )
    })
    const program = Effect.forEach(Array.from({ length: count }), () => one, { concurrency, discard: true })
    return Effect.runPromise(Scope.extend(setup?.wrap === undefined ? program : setup.wrap(program), keepScope))
  },

  fanin: async ({ concurrency, consumer, count, pingIntervalMs, setup, sink, url }) => {
    const options = optionsOf(
      setup,
      pingIntervalMs === undefined ? {} : { heartbeatConfig: { type: "ping", interval: pingIntervalMs } }
    )
    const program = Effect.gen(function*() {
      const clients = yield* Effect.forEach(Array.from({ length: count }), () => Client.connect(url, options), {
        concurrency
      })
      const onChunk = (chunk: Chunk.Chunk<Message>) =>
        Effect.sync(() => {
          for (const message of chunk) if (message._tag === "Text") sink(message.data)
        })
      if (consumer === "callback") {
        for (const client of clients) yield* Effect.forkScoped(Client.forEachChunk(client, onChunk))
        return
      }
      // every connection's frames into one consumer
      yield* Effect.forkScoped(
        Stream.runForEachChunk(
          Stream.mergeAll(clients.map((client) => client.messages), { concurrency: "unbounded" }),
          onChunk
        )
      )
    })
    await Effect.runPromise(Scope.extend(setup?.wrap === undefined ? program : setup.wrap(program), keepScope))
  },

  recovery: async ({ channels, onRestored, retryDelayMs, setup, url }) => {
    const scope = Effect.runSync(Scope.make())
    const program = Effect.gen(function*() {
      const client = yield* Client.connect(
        url,
        optionsOf(setup, { retryDelay: retryDelayMs, maxBackoff: retryDelayMs, jitter: false, retryCount: Infinity })
      )
      const events = yield* client.eventsScoped
      yield* Effect.forkScoped(
        Stream.runForEach(
          events,
          (event) => event._tag === "SubscriptionsRestored" ? Effect.sync(onRestored) : Effect.void
        )
      )
      yield* Client.subscribe(client, channels)
    })
    await Effect.runPromise(Scope.extend(setup?.wrap === undefined ? program : setup.wrap(program), scope))
    return { stop: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
  }
}

/** `Client.forEachChunk` until `n` frames were handled (the handler stops the loop by failing with a marker). */
const forEachChunkUntil = (
  client: Client.Client,
  n: number,
  onChunk: (chunk: Chunk.Chunk<Message>) => Effect.Effect<void>
) => {
  let seen = 0
  return Client.forEachChunk(client, (chunk) =>
    Effect.zipRight(
      onChunk(chunk),
      (seen += Chunk.size(chunk)) >= n ? Effect.fail("enough" as const) : Effect.void
    )).pipe(Effect.catchAll(() => Effect.void))
}
