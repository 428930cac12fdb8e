import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as Client from "../../src/Client.js"
import * as Dialect from "../../src/Dialect.js"
import * as Message from "../../src/Message.js"
import * as Testing from "../../src/Testing.js"
import { conformance } from "../utils/conformance.js"
import { recordEvents } from "../utils/events.js"

conformance({
  venue: "ethSubscribe",
  server: Testing.startVenueServer("ethSubscribe"),
  dialect: () => Dialect.ethSubscribe(),
  channels: ["newHeads", "newPendingTransactions", "logs:{\"address\":\"0x00000000000000000000000000000000000000aa\"}"],
  bad: "invalidKind",
  many: (n) => `logs:{"address":"0x${n.toString(16).padStart(40, "0")}"}`
})

describe("eth_subscribe: the user's handle survives the server's new ids", () => {
  it.scopedLive("after a server restart that assigns new ids, notifications keep flowing to the same stream and no old id is used", () =>
    Effect.gen(function*() {
      const venue = yield* Testing.startVenueServer("ethSubscribe")
      const client = yield* Client.connect(venue.url, {
        subscriptionProtocol: Dialect.ethSubscribe(),
        retryDelay: 5,
        jitter: false,
        retryCount: Infinity
      })
      yield* Client.subscribe(client, ["newHeads", "newPendingTransactions"])
      const oldIds = yield* venue.serverIds
      assert.strictEqual(oldIds.length, 2)
      const received = yield* Ref.make(0)
      const heads = yield* Effect.forkScoped(
        Client.channel(client, "newHeads").pipe(
          Stream.tap(() => Ref.update(received, (n) => n + 1)),
          Stream.takeUntil((m) => m._tag === "Text" && m.data.includes("\"number\":\"0x2\"")),
          Stream.runCollect
        )
      )
      // the stream starts on its first pull: publish until it has one notification
      for (let i = 0; i < 200 && (yield* Ref.get(received)) === 0; i++) {
        yield* venue.publish("newHeads", { number: "0x1" })
        yield* Effect.sleep("5 millis")
      }
      const events = yield* recordEvents(client)
      yield* venue.clearReceived
      yield* venue.restart
      yield* Effect.timeout(events.next("Connected"), "3 seconds")
      const newIds = yield* venue.serverIds
      assert.strictEqual(newIds.length, 2)
      assert.isTrue(newIds.every((id) => !oldIds.includes(id)), "the server assigned new ids")
      for (let i = 0; i < 200 && heads.unsafePoll() === null; i++) {
        yield* venue.publish("newHeads", { number: "0x2" })
        yield* Effect.sleep("5 millis")
      }
      const got = Chunk.toReadonlyArray(yield* Fiber.join(heads)).map((m) => m._tag === "Text" ? m.data : "")
      // one stream: notifications under the old id before the restart, under a new one after it
      assert.isTrue(got.some((t) => t.includes("0x1") && oldIds.some((id) => t.includes(id))))
      assert.isTrue(got.some((t) => t.includes("0x2") && newIds.some((id) => t.includes(id))))
      // unsubscribing uses the current id; nothing the client sent since the restart names an old one
      yield* Client.unsubscribe(client, ["newHeads"])
      const sent = (yield* venue.receivedMessages).map((f) => f._tag === "Text" ? f.data : "")
      assert.isTrue(sent.some((t) => t.includes("eth_unsubscribe") && newIds.some((id) => t.includes(id))))
      assert.isFalse(sent.some((t) => oldIds.some((id) => t.includes(id))))
      assert.deepStrictEqual(yield* venue.holding, ["newPendingTransactions"])
      // a notification under an old id routes nowhere
      const stale = { jsonrpc: "2.0", method: "eth_subscription", params: { subscription: oldIds[0], result: {} } }
      assert.isUndefined(client.channelOf(Message.text(JSON.stringify(stale))))
    }))
})
