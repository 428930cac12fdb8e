/**
 * The conformance test every dialect passes, against a server that speaks its venue (`Testing.startVenueServer`):
 * subscribe, ack, reject one channel, notification routing, restore after a reconnect, unsubscribe, the venue's
 * limits, and (where the venue has them) private channels behind a login that is made again on every connection.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Client from "../../src/Client.js"
import type * as ClientOptions from "../../src/ClientOptions.js"
import type * as Dialect from "../../src/Dialect.js"
import * as Message from "../../src/Message.js"
import type * as Testing from "../../src/Testing.js"
import { recordEvents } from "./events.js"

/** What the conformance test needs of a server: the venue simulators have it; a custom venue's test server too. */
export type Server = Pick<
  Testing.VenueServer,
  "url" | "limits" | "holding" | "requests" | "publish" | "restart" | "simulateDisconnect" | "injectMessage"
>

export interface Spec {
  /** a name for the test titles */
  readonly venue: string
  /** starts a server that speaks the venue (e.g. `Testing.startVenueServer("okx")`) */
  readonly server: Effect.Effect<Server, unknown, Scope.Scope>
  readonly dialect: () => Dialect.Dialect
  /** channels the venue has (at least two) */
  readonly channels: ReadonlyArray<string>
  /** a channel the venue refuses */
  readonly bad: string
  /** the n-th of many channels the venue has (for the limits) */
  readonly many: (n: number) => string
  /** a channel that needs a login, with the dialect and restore hooks that log in */
  readonly private?: {
    readonly channel: string
    readonly dialect?: (() => Dialect.Dialect) | undefined
    readonly restoreHooks?: ReadonlyArray<ClientOptions.RestoreHook> | undefined
  } | undefined
}

const sorted = (channels: ReadonlyArray<string>) => [...channels].sort()

const within = <A, E, R>(effect: Effect.Effect<A, E, R>, what: string) =>
  Effect.timeoutFail(effect, { duration: "3 seconds", onTimeout: () => new Error(`no ${what} within 3 s`) })

const connectTo = (venue: Server, spec: Spec, extra?: ClientOptions.Options) =>
  Client.connect(venue.url, {
    subscriptionProtocol: spec.dialect(),
    retryDelay: 5,
    maxBackoff: 20,
    jitter: false,
    retryCount: Infinity,
    requestTimeout: 2_000,
    ...extra
  })

const text = (message: Message.Message) => message._tag === "Text" ? message.data : ""

/**
 * Publishes each `[channel, data]` every few ms until every fiber is done: a stream starts on its first pull, so a
 * single publish could come before it.
 */
const publishUntil = (
  venue: Server,
  notifications: ReadonlyArray<readonly [string, unknown]>,
  fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>
) =>
  Effect.gen(function*() {
    for (let round = 0; round < 400; round++) {
      if (fibers.every((f) => f.unsafePoll() !== null)) return
      for (const [channel, data] of notifications) yield* venue.publish(channel, data)
      yield* venue.injectMessage("not a notification")
      yield* Effect.sleep("5 millis")
    }
    if (fibers.some((f) => f.unsafePoll() === null)) {
      return yield* Effect.die(new Error("the streams did not get their notifications"))
    }
  })

export const conformance = (spec: Spec) =>
  describe(`dialect ${spec.dialect().name} against a ${spec.venue} venue`, () => {
    const [first, second] = spec.channels as [string, string]

    it.scopedLive("subscribe: the venue acks, the channels are tracked and held", () =>
      Effect.gen(function*() {
        const venue = yield* spec.server
        const client = yield* connectTo(venue, spec)
        yield* Client.subscribe(client, spec.channels)
        assert.deepStrictEqual(sorted(yield* Client.subscriptions(client)), sorted(spec.channels))
        assert.deepStrictEqual(sorted(yield* venue.holding), sorted(spec.channels))
        // the venue read every channel from the dialect's frames (one request per group of the dialect)
        const requests = (yield* venue.requests).filter((r) => r.op === "subscribe")
        assert.deepStrictEqual(sorted(requests.flatMap((r) => r.channels)), sorted(spec.channels))
        const dialect = spec.dialect()
        const groups = new Map<string, number>()
        for (const c of spec.channels) {
          groups.set(dialect.groupOf?.(c) ?? "", (groups.get(dialect.groupOf?.(c) ?? "") ?? 0) + 1)
        }
        const fewest = [...groups.values()].reduce(
          (n, size) => n + Math.max(1, Math.ceil(size / dialect.limits.maxChannelsPerRequest)),
          0
        )
        assert.strictEqual(requests.length, fewest, "as few requests as the dialect's groups and limits allow")
        assert.deepStrictEqual((yield* client.getStateMetrics).pendingRequests, 0)
      }))

    it.scopedLive("reject one channel: the call fails with the venue's refusal, the others are tracked", () =>
      Effect.gen(function*() {
        const venue = yield* spec.server
        const client = yield* connectTo(venue, spec)
        const error = yield* Effect.flip(Client.subscribe(client, [...spec.channels, spec.bad]))
        assert.strictEqual(error._tag, "RpcError")
        assert.deepStrictEqual(sorted(yield* Client.subscriptions(client)), sorted(spec.channels))
        assert.deepStrictEqual(sorted(yield* venue.holding), sorted(spec.channels))
      }))

    it.scopedLive("notification routing: Client.channel is a stream of just that channel", () =>
      Effect.gen(function*() {
        const venue = yield* spec.server
        const client = yield* connectTo(venue, spec)
        yield* Client.subscribe(client, spec.channels)
        const firsts = yield* Effect.forkScoped(Client.channel(client, first).pipe(Stream.take(3), Stream.runCollect))
        const seconds = yield* Effect.forkScoped(Client.channel(client, second).pipe(Stream.take(3), Stream.runCollect))
        // the streams start on their first pull: publish until both have what they wait for
        yield* publishUntil(venue, [[first, { tag: "first" }], [second, { tag: "second" }]], [firsts, seconds])
        const a = Chunk.toReadonlyArray(yield* Fiber.join(firsts))
        const b = Chunk.toReadonlyArray(yield* Fiber.join(seconds))
        assert.isTrue(a.every((m) => client.channelOf(m) === first && text(m).includes("\"tag\":\"first\"")))
        assert.isTrue(b.every((m) => client.channelOf(m) === second && text(m).includes("\"tag\":\"second\"")))
        assert.isUndefined(client.channelOf(Message.text("not a notification")))
      }))

    it.scopedLive("restore after a reconnect: every channel comes back and the same stream carries on", () =>
      Effect.gen(function*() {
        const venue = yield* spec.server
        const client = yield* connectTo(venue, spec)
        yield* Client.subscribe(client, spec.channels)
        const events = yield* recordEvents(client)
        const before = yield* Effect.forkScoped(
          Client.channel(client, first).pipe(
            Stream.takeUntil((m) => text(m).includes("after")),
            Stream.runCollect
          )
        )
        yield* venue.publish(first, { ch: "first", when: "before" })
        yield* venue.restart
        const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
        yield* within(events.next("Connected"), "Connected")
        assert.deepStrictEqual(sorted(restored.restored), sorted(spec.channels))
        assert.deepStrictEqual(restored.rejected, [])
        assert.deepStrictEqual(sorted(yield* venue.holding), sorted(spec.channels))
        yield* publishUntil(venue, [[first, { ch: "first", when: "after" }]], [before])
        const got = Chunk.toReadonlyArray(yield* Fiber.join(before))
        assert.isTrue(got.every((m) => text(m).includes("\"ch\":\"first\"")), "only the channel's notifications")
        assert.include(text(got[got.length - 1]!), "after")
      }))

    it.scopedLive("unsubscribe: the venue no longer holds the channel and the client no longer tracks it", () =>
      Effect.gen(function*() {
        const venue = yield* spec.server
        const client = yield* connectTo(venue, spec)
        yield* Client.subscribe(client, spec.channels)
        yield* Client.unsubscribe(client, [first])
        assert.isFalse((yield* Client.subscriptions(client)).includes(first))
        assert.isFalse((yield* venue.holding).includes(first))
        assert.strictEqual(yield* venue.publish(first, {}), 0)
        assert.isTrue((yield* venue.holding).includes(second))
        const events = yield* recordEvents(client)
        yield* venue.simulateDisconnect("abnormal")
        const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
        assert.isFalse(restored.restored.includes(first), "an unsubscribed channel is not restored")
      }))

    it.scopedLive("limits: many channels go in requests the venue accepts (channels per request, frame size)", () =>
      Effect.gen(function*() {
        const venue = yield* spec.server
        const client = yield* connectTo(venue, spec)
        const channels = Array.from({ length: 40 }, (_, i) => spec.many(i))
        yield* Client.subscribe(client, channels)
        assert.deepStrictEqual(sorted(yield* venue.holding), sorted(channels))
        for (const request of yield* venue.requests) {
          assert.isAtMost(request.channels.length, venue.limits.maxChannelsPerRequest)
          assert.isAtMost(request.bytes, venue.limits.maxFrameBytes)
        }
      }))

    const privateSpec = spec.private
    if (privateSpec !== undefined) {
      it.scopedLive("a private channel: refused without a login; with one, held and restored (logged in again)", () =>
        Effect.gen(function*() {
          const venue = yield* spec.server
          const anonymous = yield* connectTo(venue, spec)
          const refused = yield* Effect.flip(Client.subscribe(anonymous, [privateSpec.channel]))
          assert.strictEqual(refused._tag, "RpcError")
          yield* Client.close(anonymous)
          const client = yield* connectTo(venue, { ...spec, dialect: privateSpec.dialect ?? spec.dialect }, {
            restoreHooks: privateSpec.restoreHooks ?? []
          })
          yield* Client.subscribe(client, [privateSpec.channel, first])
          assert.deepStrictEqual(sorted(yield* venue.holding), sorted([privateSpec.channel, first]))
          const events = yield* recordEvents(client)
          yield* venue.simulateDisconnect("abnormal")
          const restored = yield* within(events.next("SubscriptionsRestored"), "SubscriptionsRestored")
          assert.deepStrictEqual(restored.rejected, [])
          assert.deepStrictEqual(sorted(yield* venue.holding), sorted([privateSpec.channel, first]))
        }))
    }
  })
