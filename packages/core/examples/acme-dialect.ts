/**
 * Writing a dialect (docs/guides/dialects.md): "Acme", a made-up venue, with a small server that speaks it so the
 * dialect can be tested like the built-in ones. Acme subscribes with `{ op: "sub", id, topics }`, acks each topic in
 * one answer `{ id, ok: [...], failed: [{ topic, reason }] }` (or `{ id, error }` for the request as a whole), pushes
 * `{ topic, data }`, and takes at most 20 topics, 4 KB and 5 requests per second.
 * Run: pnpm --filter @zen-websocket/core example examples/acme-dialect.ts
 */
import { Client, type Dialect, ErrorHandler, Testing, WebSocketError } from "@zen-websocket/core"
import { Console, Effect, Predicate, Stream } from "effect"

const refusal = (message: unknown) => new WebSocketError.RpcError({ code: 0, message: String(message) })

/** The dialect: plain data and pure functions; the client keeps the state. */
export const acme = (): Dialect.Dialect => ({
  name: "acme",
  limits: { maxChannelsPerRequest: 20, maxFrameBytes: 4096, pacing: { burst: 5, perSecond: 5 } },
  subscribe: (topics, { ref }) => ({ op: "sub", id: ref, topics }),
  unsubscribe: (topics, { ref }) => ({ op: "unsub", id: ref, topics }),
  ack: (message) => {
    const json = message._tag === "Text" ? message.json : undefined
    if (!Predicate.isRecord(json) || typeof json.id !== "number" || "topic" in json) return undefined
    if (json.error !== undefined) return { ref: json.id, error: refusal(json.error) }
    const ok = Array.isArray(json.ok) ? json.ok.filter(Predicate.isString) : []
    const failed = Array.isArray(json.failed) ? json.failed.filter(Predicate.isRecord) : []
    return {
      ref: json.id,
      accepted: ok,
      rejected: failed.map((f) => ({ channel: String(f.topic), error: refusal(f.reason) })),
      final: true
    }
  },
  channelOf: (message) => {
    const json = message._tag === "Text" ? message.json : undefined
    return Predicate.isRecord(json) && typeof json.topic === "string" && "data" in json ? json.topic : undefined
  },
  // "busy" is worth another attempt; any other refusal is not; the rest (timeouts, lost links) as usual
  retryable: (error) =>
    Predicate.isTagged(error, "RpcError")
      ? (error as WebSocketError.RpcError).message === "busy"
      : ErrorHandler.isRecoverable(error)
})

/** A small Acme server: the mock server with a handler, plus what a test compares with (held topics, requests). */
export const acmeServer = Effect.gen(function*() {
  const held = new Map<number, Set<string>>()
  const connections = new Map<number, Testing.MockConnection>()
  const requests: Array<Testing.VenueRequest> = []
  const limits = { maxChannelsPerRequest: 20, maxFrameBytes: 4096 }
  const server = yield* Testing.startMockServer({
    handler: (frame, connection) => {
      if (frame._tag !== "Text") return undefined
      const { id, op, topics } = JSON.parse(frame.data) as { id: number; op: string; topics: Array<string> }
      const bytes = Buffer.byteLength(frame.data)
      requests.push({
        connectionId: connection.id,
        op: op === "sub" ? "subscribe" : "unsubscribe",
        channels: topics,
        bytes,
        at: Date.now()
      })
      if (bytes > limits.maxFrameBytes || topics.length > limits.maxChannelsPerRequest) {
        return JSON.stringify({ id, error: "request too large" })
      }
      connections.set(connection.id, connection)
      const mine = held.get(connection.id) ?? new Set()
      held.set(connection.id, mine)
      if (op === "unsub") {
        for (const topic of topics) mine.delete(topic)
        return JSON.stringify({ id, ok: topics })
      }
      const ok = topics.filter((t) => !t.startsWith("invalid"))
      for (const topic of ok) mine.add(topic)
      const failed = topics.filter((t) => t.startsWith("invalid")).map((topic) => ({ topic, reason: "unknown topic" }))
      return JSON.stringify({ id, ok, failed })
    }
  })
  const newest = () => held.get(Math.max(0, ...held.keys()))
  const forget = Effect.sync(() => held.clear())
  return {
    url: server.url,
    limits,
    holding: Effect.sync(() => [...(newest() ?? [])]),
    requests: Effect.sync(() => requests.slice()),
    publish: (topic: string, data?: unknown) =>
      Effect.sync(() => {
        let reached = 0
        for (const [id, topics] of held) {
          if (!topics.has(topic)) continue
          connections.get(id)?.send(JSON.stringify({ topic, data: data ?? {} }))
          reached++
        }
        return reached
      }),
    restart: Effect.zipRight(forget, server.restart),
    simulateDisconnect: (how: Testing.DisconnectMode, reason?: string) =>
      Effect.zipRight(forget, server.simulateDisconnect(how, reason)),
    injectMessage: server.injectMessage
  }
})

const program = Effect.gen(function*() {
  const server = yield* acmeServer
  const client = yield* Client.connect(server.url, { subscriptionProtocol: acme(), retryDelay: 50 })
  const failed = yield* Effect.flip(Client.subscribe(client, ["trades.BTC", "invalid.topic", "book.ETH"]))
  yield* Console.log(`refused: ${failed.message}; tracked: ${yield* Client.subscriptions(client)}`)
  const events = yield* client.eventsScoped
  yield* server.restart
  yield* events.pipe(
    Stream.takeUntil((event) => event._tag === "Connected"),
    Stream.runForEach((event) =>
      Console.log(
        event._tag === "SubscriptionsRestored" ? `  restored: ${event.restored.join(", ")}` : `  event: ${event._tag}`
      )
    )
  )
  yield* Console.log(`after a restart the server holds: ${yield* server.holding}`)
  yield* Client.close(client)
})

if (import.meta.url === `file://${process.argv[1]}`) Effect.runPromise(Effect.scoped(program))
