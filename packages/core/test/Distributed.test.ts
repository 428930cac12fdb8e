import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { ChildProcess } from "node:child_process"
import { spawnNode } from "../examples/distributed/control.js"
import { RegistryRpcs, rpcClient, serveRegistry } from "../examples/distributed/registry.js"
import * as Testing from "../src/Testing.js"

describe("Distributed (examples/distributed)", () => {
  it.live(
    "a node without clients sends through another process's client while it is in the pool",
    () =>
      Effect.gen(function*() {
        const children: Array<ChildProcess> = []
        yield* Effect.gen(function*() {
          yield* Effect.addFinalizer(() =>
            Effect.sync(() => {
              for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
            })
          )
          const server = yield* Testing.startMockServer()
          const registryUrl = yield* serveRegistry
          const registry = yield* rpcClient(RegistryRpcs, registryUrl).pipe(Effect.provide(FetchHttpClient.layer))
          const [a, b] = yield* Effect.all([
            spawnNode("A", registryUrl, (child) => children.push(child)),
            spawnNode("B", registryUrl, (child) => children.push(child))
          ], { concurrency: "unbounded" })

          // A's onConnect joins the pool before StartClient returns
          assert.strictEqual(yield* a.StartClient({ url: server.url, id: "A-feed" }), "A-feed")
          assert.deepStrictEqual((yield* registry.Members()).map((m) => [m.clientId, m.node]), [["A-feed", "A"]])

          assert.strictEqual(
            yield* b.SendBalanced({ message: { method: "public/hello", params: { from: "B" } } }),
            "A-feed"
          )
          const text = yield* server.assertMessageSent({ method: "public/hello", params: { from: "B" } }, 2_000)
          const bytes = new Uint8Array([0, 1, 2, 255])
          assert.strictEqual(yield* b.SendBalanced({ message: bytes }), "A-feed")
          const binary = yield* server.assertMessageSent(bytes, 2_000)
          // A's client holds the only connection the server ever accepted
          assert.strictEqual(yield* server.totalConnections, 1)
          assert.deepStrictEqual([text.connectionId, binary.connectionId], [1, 1])

          // A's onDisconnect leaves the pool before StopClient returns
          yield* a.StopClient({ id: "A-feed" })
          assert.deepStrictEqual(yield* registry.Members(), [])
          const error = yield* Effect.flip(b.SendBalanced({ message: "anyone?" }))
          assert.deepStrictEqual([error._tag, "candidates" in error && error.candidates], ["NoConnections", 0])

          // with a client of its own, B sends through it
          yield* b.StartClient({ url: server.url, id: "B-feed" })
          assert.strictEqual(yield* b.SendBalanced({ message: "local" }), "B-feed")
          assert.strictEqual((yield* server.assertMessageSent("local", 2_000)).connectionId, 2)
        }).pipe(Effect.scoped)

        // closing the scope asked each node to stop; each exited on its own, cleanly
        assert.deepStrictEqual(children.map((child) => [child.exitCode, child.signalCode]), [[0, null], [0, null]])
      }),
    // two child processes compile and start the example with tsx: ~15 s on a loaded 2-core machine, so a margin
    60_000
  )
})
