/**
 * Two processes, one pool: node B has no client of its own, yet its `sendBalanced` reaches the mock server through
 * node A's client, found in the shared registry.
 *
 * Run: pnpm --filter @zen-websocket/core example examples/distributed/main.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Testing from "@zen-websocket/core/Testing"
import { Console, Effect } from "effect"
import { spawnNode } from "./control.js"
import { serveRegistry } from "./registry.js"

const program = Effect.gen(function*() {
  const server = yield* Testing.startMockServer()
  const registryUrl = yield* serveRegistry
  yield* Console.log(`mock server ${server.url}, registry ${registryUrl}`)

  const [a, b] = yield* Effect.all([spawnNode("A", registryUrl), spawnNode("B", registryUrl)], {
    concurrency: "unbounded"
  })
  yield* Console.log("nodes A and B are up")

  const feed = yield* a.StartClient({ url: server.url, id: "A-feed" })
  yield* Console.log(`A started ${feed}; its onConnect registered it`)

  const via = yield* b.SendBalanced({ message: { method: "public/hello", params: { from: "B" } } })
  const frame = yield* server.assertMessageSent({ method: "public/hello" })
  yield* Console.log(
    `B's sendBalanced went out through ${via}; the server got ${frame._tag === "Text" ? frame.data : "?"}`
  )

  yield* a.StopClient({ id: feed })
  const error = yield* Effect.flip(b.SendBalanced({ message: "anyone?" }))
  yield* Console.log(`A stopped ${feed} (onDisconnect unregistered it); B's sendBalanced now fails with ${error._tag}`)
})

NodeRuntime.runMain(Effect.scoped(program))
