/**
 * One pool member: a `ClientSupervisor` whose clients join the shared registry, served `PeerRpcs` so other members
 * can send through its clients, and control RPCs for the parent (see control.ts).
 *
 * Started by `spawnNode(name, registryUrl)` as `node.ts <name> <registryUrl>`.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeWorkerRunner from "@effect/platform-node/NodeWorkerRunner"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as WorkerRunner from "@effect/platform/WorkerRunner"
import * as RpcServer from "@effect/rpc/RpcServer"
import * as ClientSupervisor from "@zen-websocket/core/ClientSupervisor"
import * as WebSocketError from "@zen-websocket/core/WebSocketError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { ControlRpcs, NoConnections, SendBalancedFailed, StartFailed } from "./control.js"
import * as Registry from "./registry.js"

const [name, registryUrl] = process.argv.slice(2)

class Member extends Context.Tag("distributed/Member")<Member, {
  readonly supervisor: ClientSupervisor.ClientSupervisor
  readonly membership: Registry.Membership
}>() {}

const MemberLive = Layer.scoped(
  Member,
  Effect.gen(function*() {
    const membership = yield* Registry.makeMembership({ registryUrl, node: name, url: yield* Registry.endpointUrl })
    // made after the membership so that, at shutdown, its clients' onDisconnect can still leave the pool
    const supervisor = yield* ClientSupervisor.make
    return { supervisor, membership }
  })
)

const PeerLive = Layer.unwrapEffect(
  Effect.map(
    Member,
    ({ supervisor }) => Registry.serveRpcs(Registry.PeerRpcs, Registry.peerHandlers(supervisor.listClients))
  )
)

const ControlHandlers = ControlRpcs.toLayer(Effect.gen(function*() {
  const { membership, supervisor } = yield* Member
  return {
    StartClient: ({ id, url }) =>
      supervisor.startClient(url, { id, onConnect: membership.join, onDisconnect: membership.leave }).pipe(
        Effect.map((client) => client.id),
        Effect.mapError((error) => new StartFailed({ reason: error.message }))
      ),
    StopClient: ({ id }) => supervisor.stopClient(id),
    SendBalanced: ({ message }) =>
      supervisor.sendBalanced(message, { clientDiscovery: membership.discovery(supervisor.listClients) }).pipe(
        Effect.mapError((error) =>
          error instanceof WebSocketError.NoConnections
            ? new NoConnections({ candidates: error.candidates })
            : new SendBalancedFailed({ reason: String(error) })
        )
      )
  }
}))

const ControlLive = RpcServer.layer(ControlRpcs).pipe(
  Layer.provide(ControlHandlers),
  Layer.provide(RpcServer.layerProtocolWorkerRunner),
  Layer.provide(NodeWorkerRunner.layer)
)

/** A node whose parent died without closing it shuts down as if closed, rather than live on as an orphan. */
const ExitWithParent = Layer.scopedDiscard(Effect.gen(function*() {
  const closeLatch = yield* WorkerRunner.CloseLatch
  const onDisconnect = () => Deferred.unsafeDone(closeLatch, Exit.void)
  process.once("disconnect", onDisconnect)
  yield* Effect.addFinalizer(() => Effect.sync(() => process.off("disconnect", onDisconnect)))
}))

const MainLive = Layer.mergeAll(PeerLive, ControlLive, ExitWithParent).pipe(
  Layer.provide(MemberLive),
  Layer.provide(Registry.httpServer),
  Layer.provide(FetchHttpClient.layer)
)

NodeWorkerRunner.launch(MainLive).pipe(NodeRuntime.runMain)
