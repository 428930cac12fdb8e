import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { pipe } from "effect/Function"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Client from "../src/Client.js"
import * as ClientEvent from "../src/ClientEvent.js"
import * as Message from "../src/Message.js"
import * as Recorder from "../src/Recorder.js"
import * as Testing from "../src/Testing.js"

/** `pipe`, `toJSON`, `toString` and Node inspect come from the prototype: the instance owns none of them. */
const onPrototype = (value: object) => {
  for (const key of ["pipe", "toJSON", "toString"]) {
    assert.isFalse(Object.prototype.hasOwnProperty.call(value, key), key)
    assert.isFunction((value as any)[key], key)
  }
  assert.isFunction((value as any)[NodeInspectSymbol])
}

describe("data types are Pipeable and Inspectable, on a prototype", () => {
  it.scopedLive("Client: client.pipe(Client.sendMessage(msg)) sends, and the client shows its id and state", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url, { id: "shown" })
      yield* client.pipe(Client.sendMessage("piped"))
      yield* server.assertMessageSent("piped")
      onPrototype(client)
      assert.deepStrictEqual(client.toJSON(), { _id: "Client", id: "shown", state: "connected" })
      assert.include(String(client), "\"shown\"")
      assert.deepStrictEqual((client as any)[NodeInspectSymbol](), client.toJSON())
      assert.strictEqual(client.pipe((c) => c.id), "shown")
    }))

  it("Message: text and binary frames carry only their data", () => {
    const text = Message.text("{\"a\":1}")
    const binary = Message.binary(new Uint8Array([1, 2, 3]))
    onPrototype(text)
    onPrototype(binary)
    assert.deepStrictEqual(Object.keys(binary), ["data"])
    assert.deepStrictEqual(text.toJSON(), { _id: "Message", _tag: "Text", data: "{\"a\":1}" })
    assert.deepStrictEqual(binary.toJSON(), { _id: "Message", _tag: "Binary", byteLength: 3 })
    assert.strictEqual(pipe(text, Message.isText), true)
    assert.strictEqual(text.pipe((m) => m.json), text.json)
  })

  it("ClientEvent: tagged, structurally equal, pipeable and inspectable", () => {
    const event = ClientEvent.Reconnecting({ attempt: 2, delayMs: 2000 })
    onPrototype(event)
    assert.deepStrictEqual(event.toJSON(), { _tag: "Reconnecting", attempt: 2, delayMs: 2000 })
    assert.include(String(event), "\"Reconnecting\"")
    assert.isTrue(ClientEvent.ClientEvent.$is("Reconnecting")(event))
    assert.deepStrictEqual(event, ClientEvent.Reconnecting({ attempt: 2, delayMs: 2000 }))
    assert.strictEqual(event.pipe((e) => e._tag), "Reconnecting")
    onPrototype(ClientEvent.Closed())
  })

  it("Recorder.Entry: decoded entries show their wire form", () => {
    const line =
      "{\"ts\":\"2026-01-20T15:30:45.000001Z\",\"dir\":\"in\",\"type\":\"binary\",\"data\":\"AQID\",\"binary\":true}"
    const entry = Either.getOrThrow(Recorder.decodeLine(line))
    onPrototype(entry)
    assert.strictEqual(String(entry), line)
    assert.deepStrictEqual(entry.toJSON(), JSON.parse(line))
    assert.strictEqual(entry.pipe((e) => e.type), "binary")
  })
})
