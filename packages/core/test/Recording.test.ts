import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Client from "../src/Client.js"
import * as Recorder from "../src/Recorder.js"
import * as Testing from "../src/Testing.js"
import { texts } from "./utils/messages.js"

const tempFile = (name: string) => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "zenws-")), name)

const lines = (path: string) =>
  Fs.readFileSync(path, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l))

describe("recording a client session", () => {
  it.scopedLive("records every frame both ways (recordTo), and a replay through the mock server gives the same frames", () =>
    Effect.gen(function*() {
      const path = tempFile("session.jsonl")
      const server = yield* Testing.startMockServer({ handler: Testing.silentHandler })
      const seen = yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* Client.connect(server.url, { recordTo: path })
        const messages = yield* client.messagesScoped
        yield* Client.sendMessage(client, { method: "public/subscribe", params: { channels: ["t"] } })
        yield* server.injectMessage("tick 1")
        yield* server.injectMessage(new Uint8Array([1, 2, 3]))
        yield* server.injectMessage("tick 2")
        const got = yield* messages.pipe(Stream.take(3), Stream.runCollect)
        yield* Client.close(client)
        return texts(got)
      }))
      const entries = lines(path)
      assert.deepStrictEqual(entries.filter((e) => e.type !== "close").map((e) => [e.dir, e.type]), [
        ["out", "text"],
        ["in", "text"],
        ["in", "binary"],
        ["in", "text"]
      ])
      assert.isTrue(entries.some((e) => e.type === "close" && e.dir === "out" && e.code === 1000))
      assert.match(entries[0].ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
      const meta = yield* Recorder.metadata(path)
      assert.strictEqual(meta.outbound, entries.filter((e) => e.dir === "out").length)
      assert.strictEqual(meta.inbound, entries.filter((e) => e.dir === "in").length)
      assert.strictEqual(meta.count, entries.length)

      const replayServer = yield* Testing.startMockServer()
      const client = yield* Client.connect(replayServer.url, { reconnectOnError: false })
      const messages = yield* client.messagesScoped
      const played = yield* Testing.playRecording(replayServer, path, { speed: 100 })
      assert.isAtLeast(played, 3)
      const replayed = yield* messages.pipe(Stream.take(3), Stream.runCollect)
      assert.deepStrictEqual(texts(replayed), seen)
    }))

  it.scopedLive("a client interrupted mid-session leaves every frame it saw on disk", () =>
    Effect.gen(function*() {
      const path = tempFile("interrupted.jsonl")
      const server = yield* Testing.startMockServer()
      const sawAll = yield* Deferred.make<void>()
      const fiber = yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* Client.connect(server.url, { recordTo: path })
        const messages = yield* client.messagesScoped
        for (let i = 0; i < 50; i++) yield* server.injectMessage(`frame ${i}`)
        yield* messages.pipe(Stream.take(50), Stream.runDrain)
        yield* Deferred.succeed(sawAll, undefined)
        return yield* Effect.never
      })).pipe(Effect.fork)
      yield* Deferred.await(sawAll)
      yield* Fiber.interrupt(fiber)
      const inbound = lines(path).filter((e) => e.dir === "in" && e.type === "text").map((e) => e.data)
      assert.deepStrictEqual(inbound, Array.from({ length: 50 }, (_, i) => `frame ${i}`))
    }))

  it.scopedLive("a client whose scope fails leaves every frame on disk too", () =>
    Effect.gen(function*() {
      const path = tempFile("failed.jsonl")
      const server = yield* Testing.startMockServer()
      const exit = yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* Client.connect(server.url, { recordTo: path })
        const messages = yield* client.messagesScoped
        for (let i = 0; i < 20; i++) yield* server.injectMessage(`frame ${i}`)
        yield* messages.pipe(Stream.take(20), Stream.runDrain)
        return yield* Effect.fail("boom")
      })).pipe(Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(lines(path).filter((e) => e.dir === "in" && e.type === "text").length, 20)
    }))

  it.scopedLive("secrets are masked before they reach the disk", () =>
    Effect.gen(function*() {
      const path = tempFile("secrets.jsonl")
      const server = yield* Testing.startMockServer()
      yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* Client.connect(server.url, { recordTo: path })
        yield* Client.request(client, {
          method: "public/auth",
          params: { grant_type: "client_credentials", client_id: "id", client_secret: "s3cret-value" }
        })
      }))
      const content = Fs.readFileSync(path, "utf8")
      assert.notInclude(content, "s3cret-value")
      assert.include(content, "client_secret")
      assert.include(content, "***")
    }))

  it.scopedLive("a shared Recorder layer records several clients; recordTo that cannot be opened is InvalidOptions", () =>
    Effect.gen(function*() {
      const path = tempFile("shared.jsonl")
      const server = yield* Testing.startMockServer({ handler: Testing.echoHandler })
      yield* Effect.gen(function*() {
        const a = yield* Client.connect(server.url)
        const b = yield* Client.connect(server.url)
        yield* Client.sendMessage(a, "from a")
        yield* Client.sendMessage(b, "from b")
        yield* server.assertMessageSent("from b")
      }).pipe(Effect.scoped, Effect.provide(Recorder.layer(path)))
      const out = lines(path).filter((e) => e.dir === "out" && e.type === "text").map((e) => e.data)
      assert.deepStrictEqual(out.sort(), ["from a", "from b"])
      const error = yield* Effect.flip(
        Effect.scoped(Client.connect(server.url, { recordTo: "/nonexistent/dir/x.jsonl" }))
      )
      assert.strictEqual(error._tag === "InvalidOptions" && error.field, "recordTo")
    }))
})
