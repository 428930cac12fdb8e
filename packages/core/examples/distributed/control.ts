/**
 * How the parent drives a node process: `@effect/rpc` over the child's IPC channel (`NodeWorker` forks it, the
 * child answers with `NodeWorkerRunner`). Closing the parent's scope asks the node to shut down and waits for it to
 * exit (SIGKILL after 5 s).
 */
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import type { WorkerError } from "@effect/platform/WorkerError"
import * as Rpc from "@effect/rpc/Rpc"
import * as RpcClient from "@effect/rpc/RpcClient"
import type { RpcClientError } from "@effect/rpc/RpcClientError"
import * as RpcGroup from "@effect/rpc/RpcGroup"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Outbound } from "./registry.js"

export class StartFailed extends Schema.TaggedError<StartFailed>()("StartFailed", { reason: Schema.String }) {}

export class NoConnections extends Schema.TaggedError<NoConnections>()("NoConnections", {
  candidates: Schema.Number
}) {}

export class SendBalancedFailed extends Schema.TaggedError<SendBalancedFailed>()("SendBalancedFailed", {
  reason: Schema.String
}) {}

export class ControlRpcs extends RpcGroup.make(
  /** starts a supervised client that joins the pool; succeeds with its id */
  Rpc.make("StartClient", {
    payload: { url: Schema.String, id: Schema.String },
    success: Schema.String,
    error: StartFailed
  }),
  /** stops a client (its `onDisconnect` leaves the pool before this returns) */
  Rpc.make("StopClient", { payload: { id: Schema.String } }),
  /** `sendBalanced` across the pool; succeeds with the id of the client that took the message */
  Rpc.make("SendBalanced", {
    payload: { message: Outbound },
    success: Schema.String,
    error: Schema.Union(NoConnections, SendBalancedFailed)
  })
) {}

export type NodeControl = RpcClient.RpcClient<RpcGroup.Rpcs<typeof ControlRpcs>, RpcClientError>

const nodeFile = fileURLToPath(new URL("./node.ts", import.meta.url))

/**
 * Forks `node.ts` as the pool member `name` and connects to its control RPCs; succeeds once the node is up.
 * `onSpawn` sees the child process (e.g. to check how it exited).
 */
export const spawnNode = (
  name: string,
  registryUrl: string,
  onSpawn?: (child: ChildProcess) => void
): Effect.Effect<NodeControl, WorkerError, Scope.Scope> => {
  const spawn = () => {
    // "advanced" (structured clone) IPC keeps binary messages binary; tsx runs node.ts, and in this workspace the
    // condition resolves @zen-websocket/core to its sources (an installed package needs neither)
    const child = fork(nodeFile, [name, registryUrl], {
      execArgv: ["--import", "tsx", "--conditions=@zen-websocket/source"],
      serialization: "advanced"
    })
    onSpawn?.(child)
    return child
  }
  return Effect.flatMap(
    Layer.build(
      RpcClient.layerProtocolWorker({ size: 1, concurrency: 16 }).pipe(
        Layer.provide(NodeWorker.layerPlatform(spawn))
      )
    ),
    (context) => Effect.provide(RpcClient.make(ControlRpcs), context)
  )
}
