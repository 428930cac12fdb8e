/**
 * A shared client registry for supervisors in several processes — the `:pg` of the Elixir original — over
 * `@effect/rpc` on HTTP:
 *
 * - `RegistryRpcs` (`Register`, `Unregister`, `Members`) is served by one process (`serveRegistry`);
 * - `PeerRpcs` (`Send`, `Health`) is served by every process that owns clients, so others can send through them;
 * - `makeMembership` gives a process its `onConnect` / `onDisconnect` callbacks (join / leave the pool) and a
 *   `clientDiscovery` that returns its own clients plus the other processes' clients as `remoteCandidate`s.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Rpc from "@effect/rpc/Rpc"
import * as RpcClient from "@effect/rpc/RpcClient"
import type { RpcClientError } from "@effect/rpc/RpcClientError"
import * as RpcGroup from "@effect/rpc/RpcGroup"
import * as RpcSerialization from "@effect/rpc/RpcSerialization"
import * as RpcServer from "@effect/rpc/RpcServer"
import * as Client from "@zen-websocket/core/Client"
import type * as ClientSupervisor from "@zen-websocket/core/ClientSupervisor"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as RcMap from "effect/RcMap"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"

// -------------------------------------------------------------------------------------------------------------------
// schemas
// -------------------------------------------------------------------------------------------------------------------

/** What `Client.sendMessage` accepts: a text frame, a binary frame, or an object sent as JSON. */
export const Outbound = Schema.Union(Schema.String, Schema.Uint8ArrayFromSelf, Schema.Object)

/** A client in the pool: its id, the process that owns it, and where that process serves `PeerRpcs`. */
export const Member = Schema.Struct({ clientId: Schema.String, node: Schema.String, url: Schema.String })
export type Member = typeof Member.Type

export const Health = Schema.Struct({
  connected: Schema.Boolean,
  pendingRequests: Schema.Number,
  p99Ms: Schema.optional(Schema.Number)
})

export class UnknownClient extends Schema.TaggedError<UnknownClient>()("UnknownClient", {
  clientId: Schema.String
}) {}

export class SendFailed extends Schema.TaggedError<SendFailed>()("SendFailed", {
  clientId: Schema.String,
  reason: Schema.String
}) {}

export class RegistryRpcs extends RpcGroup.make(
  Rpc.make("Register", { payload: Member.fields }),
  Rpc.make("Unregister", { payload: { clientId: Schema.String } }),
  Rpc.make("Members", { success: Schema.Array(Member) })
) {}

export class PeerRpcs extends RpcGroup.make(
  Rpc.make("Send", {
    payload: { clientId: Schema.String, message: Outbound },
    error: Schema.Union(UnknownClient, SendFailed)
  }),
  Rpc.make("Health", { payload: { clientId: Schema.String }, success: Health, error: UnknownClient })
) {}

// -------------------------------------------------------------------------------------------------------------------
// servers
// -------------------------------------------------------------------------------------------------------------------

/** msgpack keeps binary frames binary (JSON would not) */
const serialization = RpcSerialization.layerMsgPack

const rpcPath = "/rpc"

/** The RPC endpoint of the HTTP server in context. */
export const endpointUrl: Effect.Effect<string, never, HttpServer.HttpServer> = HttpServer.addressFormattedWith(
  (address) => Effect.succeed(`${address}${rpcPath}`)
)

/** An HTTP server on 127.0.0.1 at a free port. */
export const httpServer = NodeHttpServer.layer(createServer, { host: "127.0.0.1", port: 0 })

/** Serves an RPC group over HTTP (POST `/rpc`) on the `HttpServer` in context. */
export const serveRpcs = <Rpcs extends Rpc.Any, E, R>(
  group: RpcGroup.RpcGroup<Rpcs>,
  handlers: Layer.Layer<Rpc.ToHandler<Rpcs>, E, R>
) =>
  HttpLayerRouter.serve(RpcServer.layerHttpRouter({ group, path: rpcPath, protocol: "http" }), {
    disableLogger: true,
    disableListenLog: true
  }).pipe(Layer.provide(handlers), Layer.provide(serialization))

/** The registry's state: one process's memory, like a `:pg` scope. */
export const registryHandlers = RegistryRpcs.toLayer(Effect.sync(() => {
  const members = new Map<string, Member>()
  return {
    Register: (member) => Effect.sync(() => void members.set(member.clientId, member)),
    Unregister: ({ clientId }) => Effect.sync(() => void members.delete(clientId)),
    Members: () => Effect.sync(() => [...members.values()])
  }
}))

/** Serves the registry for as long as the scope; succeeds with its URL. */
export const serveRegistry: Effect.Effect<string, ServeError, Scope.Scope> = Effect.flatMap(
  Layer.build(serveRpcs(RegistryRpcs, registryHandlers).pipe(Layer.provideMerge(httpServer))),
  (context) => Effect.provide(endpointUrl, context)
)

/** `PeerRpcs` handlers: sends through, and reports on, this process's own clients. */
export const peerHandlers = (localClients: Effect.Effect<ReadonlyArray<Client.Client>>) => {
  const find = (clientId: string) =>
    Effect.flatMap(localClients, (clients) => {
      const client = clients.find((c) => c.id === clientId)
      return client === undefined ? Effect.fail(new UnknownClient({ clientId })) : Effect.succeed(client)
    })
  return PeerRpcs.toLayer({
    Send: ({ clientId, message }) =>
      find(clientId).pipe(
        Effect.flatMap((client) => Client.sendMessage(client, message)),
        Effect.catchIf(
          (error) => error._tag !== "UnknownClient",
          (error) => Effect.fail(new SendFailed({ clientId, reason: error.message }))
        )
      ),
    Health: ({ clientId }) =>
      Effect.flatMap(
        find(clientId),
        (client) =>
          Effect.zipWith(client.getStateMetrics, client.getLatencyStats, (metrics, latency) => ({
            connected: metrics.state === "connected",
            pendingRequests: metrics.pendingRequests,
            ...Option.match(latency, { onNone: () => ({}), onSome: (summary) => ({ p99Ms: summary.p99 }) })
          }))
      )
  })
}

// -------------------------------------------------------------------------------------------------------------------
// clients
// -------------------------------------------------------------------------------------------------------------------

/** An RPC client for `group` served at `url`, living as long as the scope. */
export const rpcClient = <Rpcs extends Rpc.Any>(
  group: RpcGroup.RpcGroup<Rpcs>,
  url: string
): Effect.Effect<RpcClient.RpcClient<Rpcs, RpcClientError>, never, Scope.Scope | HttpClient.HttpClient> =>
  Effect.flatMap(
    Layer.build(RpcClient.layerProtocolHttp({ url }).pipe(Layer.provide(serialization))),
    (context) => Effect.provide(RpcClient.make(group), context)
  )

const offline: typeof Health.Type = { connected: false, pendingRequests: 0 }

export type PeerClient = RpcClient.RpcClient<RpcGroup.Rpcs<typeof PeerRpcs>, RpcClientError>

/**
 * A client owned by another process, as a `sendBalanced` candidate: sends go through the owner's `Send` RPC; an owner
 * that does not answer `Health` in time ranks last.
 */
export const remoteCandidate = (
  member: Member,
  peers: RcMap.RcMap<string, PeerClient>
): ClientSupervisor.Candidate => {
  const withPeer = <A, E>(f: (peer: PeerClient) => Effect.Effect<A, E>) =>
    Effect.scoped(Effect.flatMap(RcMap.get(peers, member.url), f))
  return {
    id: member.clientId,
    sendMessage: (message) =>
      withPeer((peer) => peer.Send({ clientId: member.clientId, message })).pipe(
        Effect.timeoutFail({
          duration: "2 seconds",
          onTimeout: () => new SendFailed({ clientId: member.clientId, reason: `no answer from ${member.node}` })
        })
      ),
    health: withPeer((peer) => peer.Health({ clientId: member.clientId })).pipe(
      Effect.timeout("500 millis"),
      Effect.orElseSucceed(() => offline)
    )
  }
}

/**
 * One process's membership in the pool.
 *
 * - `join` / `leave`: the `onConnect` / `onDisconnect` callbacks (`:pg.join` / `:pg.leave`);
 * - `discovery(local)`: a `clientDiscovery` (`:pg.get_members`): the local clients as they are, the others as
 *   `remoteCandidate`s.
 */
export interface Membership {
  readonly join: (client: Client.Client) => Effect.Effect<void, unknown>
  readonly leave: (client: Client.Client) => Effect.Effect<void, unknown>
  readonly discovery: (
    local: Effect.Effect<ReadonlyArray<Client.Client>>
  ) => Effect.Effect<ReadonlyArray<Client.Client | ClientSupervisor.Candidate>>
}

export const makeMembership = (options: {
  /** the registry's URL (`serveRegistry`) */
  readonly registryUrl: string
  /** this process's name in the pool */
  readonly node: string
  /** where this process serves `PeerRpcs` */
  readonly url: string
}): Effect.Effect<Membership, never, Scope.Scope | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const registry = yield* rpcClient(RegistryRpcs, options.registryUrl)
    const peers = yield* RcMap.make({ lookup: (url: string) => rpcClient(PeerRpcs, url), idleTimeToLive: "1 minute" })
    const bounded = <A, E>(effect: Effect.Effect<A, E>) => Effect.timeout(effect, "2 seconds")

    return {
      join: (client) => bounded(registry.Register({ clientId: client.id, node: options.node, url: options.url })),
      leave: (client) => bounded(registry.Unregister({ clientId: client.id })),
      discovery: (local) =>
        Effect.gen(function*() {
          // an unreachable registry leaves the local clients
          const members = yield* bounded(registry.Members()).pipe(
            Effect.catchAll((error) => Effect.as(Effect.logWarning("client registry unreachable", error), []))
          )
          const remote = members
            .filter((member) => member.node !== options.node)
            .map((member) => remoteCandidate(member, peers))
          return [...(yield* local), ...remote]
        })
    }
  })
