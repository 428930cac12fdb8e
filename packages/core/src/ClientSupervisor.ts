/**
 * Supervision (Pattern 2): a service that owns each client in its own scope, restarts the ones whose connection loop
 * ended for good (on a `Schedule`: exponential backoff from `retryDelay` capped at `maxBackoff`, jittered; with
 * bounded intensity, like OTP's 10 restarts in 60 s), runs lifecycle callbacks, and sends through the healthiest
 * client — its own, or ones found elsewhere through `clientDiscovery`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Client from "./Client.js"
import * as ClientOptions from "./ClientOptions.js"
import type * as internalBalancer from "./internal/balancer.js"
import { Balancer, uniqueById } from "./internal/balancer.js"
import { SupervisedClient } from "./internal/supervisedClient.js"
import * as internal from "./internal/supervision.js"
import type { ConnectError, InvalidOptions } from "./WebSocketError.js"

/**
 * A lifecycle callback. Its failures and defects are caught and logged (`Lifecycle callback error: …`); they never stop
 * the client.
 *
 * @since 0.1.0
 * @category models
 */
export type LifecycleCallback = internal.LifecycleCallback

/**
 * `Client.Options` plus what supervision adds.
 *
 * @since 0.1.0
 * @category models
 */
export interface StartOptions extends ClientOptions.Options {
  /** run on every start and restart, once the client is connected */
  readonly onConnect?: LifecycleCallback | undefined
  /** run on every stop: `stopClient`, the supervisor's scope closing, or the client giving up */
  readonly onDisconnect?: LifecycleCallback | undefined
  /**
   * The delays between restarts: a restart waits for the schedule's next delay, and when the schedule ends the client
   * stays down (`RestartLimitReached`). Default: `Reconnect.backoff` of the client's options (exponential from
   * `retryDelay`, capped at `maxBackoff`, jittered), unbounded. It starts over once an incarnation stayed connected
   * for 5 × `retryDelay` (at least 5 s).
   */
  readonly restartSchedule?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * At most `maxRestarts` counted restarts within `window` (default 10 within 60 s, like OTP's intensity; `Infinity`
   * allowed); past it the client stays down. A restart counts when the incarnation before it had connected (a client
   * that connects and dies over and over), or failed to start for a reason a retry cannot fix; restarts during an
   * outage (every start refused by a retryable error) are spaced by `restartSchedule` alone.
   */
  readonly maxRestarts?: number | undefined
  /** the window of `maxRestarts` (default 60 s) */
  readonly window?: Duration.DurationInput | undefined
}

/**
 * Something `sendBalanced` can send through: a local `Client`, or a handle to a client elsewhere (another process,
 * another node) returned by `clientDiscovery`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Candidate extends internalBalancer.Candidate {
  readonly id: string
  readonly sendMessage: (message: Client.Outbound) => Effect.Effect<void, unknown>
  /** how busy it is; candidates without one count as connected and idle, one not answering within 1 s as down */
  readonly health?: Effect.Effect<Health> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Health {
  readonly connected: boolean
  readonly pendingRequests: number
  readonly p99Ms?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SendBalancedOptions {
  /** where to find candidates (default: this supervisor's clients) */
  readonly clientDiscovery?: Effect.Effect<ReadonlyArray<Client.Client | Candidate>, unknown> | undefined
  /** how many candidates to try before giving up (default 3) */
  readonly maxAttempts?: number | undefined
}

/**
 * What the supervisor reports on `events`:
 *
 * - `ClientStarted`: `startClient` succeeded;
 * - `ClientRestarted{ restarts, delayMs }`: the client's loop ended, the supervisor starts it again after `delayMs`
 *   (the restart schedule's delay; `restarts` counts them);
 * - `ClientStopped`: `stopClient`, the client's `close` or the supervisor's scope ended it;
 * - `RestartLimitReached{ restarts, withinMs }`: the client stays down (`restarts` counted restarts within `withinMs`,
 *   or the restart schedule ended).
 *
 * @since 0.1.0
 * @category models
 */
export type SupervisorEvent = internal.SupervisorEvent

/**
 * @since 0.1.0
 * @category constructors
 */
export const SupervisorEvent: Data.TaggedEnum.Constructor<SupervisorEvent> = internal.SupervisorEvent

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientSupervisor {
  /** starts a supervised client; resolves once it is connected (or fails like `Client.connect`) */
  readonly startClient: (
    url: ClientOptions.UrlInput,
    options?: StartOptions
  ) => Effect.Effect<Client.Client, ConnectError | InvalidOptions>
  /** stops a client: closes it, runs `onDisconnect`, forgets it. Idempotent. */
  readonly stopClient: (client: Client.Client | string) => Effect.Effect<void>
  readonly listClients: Effect.Effect<ReadonlyArray<Client.Client>>
  /** sends through the healthiest candidate, failing over on error; succeeds with the id of the one that took it */
  readonly sendBalanced: (
    message: Client.Outbound,
    options?: SendBalancedOptions
  ) => Effect.Effect<string, unknown>
  readonly events: Stream.Stream<SupervisorEvent>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const ClientSupervisor: Context.Tag<ClientSupervisor, ClientSupervisor> = Context.GenericTag<ClientSupervisor>(
  "@zen-websocket/core/ClientSupervisor"
)

let supervisedCount = 0

/**
 * Makes a supervisor owned by the current scope: closing the scope stops every client.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as ClientSupervisor from "@zen-websocket/core/ClientSupervisor"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const supervisor = yield* ClientSupervisor.make
 *   yield* supervisor.startClient("wss://feed.example/ws", { id: "feed-1" })
 *   const id = yield* supervisor.sendBalanced({ method: "public/test" })
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<ClientSupervisor, never, Scope.Scope> = Effect.gen(function*() {
  const clients = new Map<string, internal.Supervised>()
  const events = yield* PubSub.unbounded<SupervisorEvent>()
  const balancer = new Balancer()
  const emit = (event: SupervisorEvent) => PubSub.publish(events, event)
  // the parent of every incarnation's scope; closed once every client is stopped, when the supervisor's scope ends
  const incarnations = yield* Scope.make()
  const owner: internal.Owner = {
    scope: incarnations,
    emit,
    forget: (id) => clients.delete(id)
  }
  yield* Effect.addFinalizer(() =>
    Effect.zipRight(
      Effect.forEach([...clients.values()], (client) => client.stop, { concurrency: "unbounded", discard: true }),
      Scope.close(incarnations, Exit.void)
    )
  )

  const stopClient = (client: Client.Client | string) =>
    Effect.suspend(() => clients.get(typeof client === "string" ? client : client.id)?.stop ?? Effect.void)

  const startClient = (url: ClientOptions.UrlInput, options?: StartOptions) =>
    Effect.gen(function*() {
      const { maxRestarts, onConnect, onDisconnect, restartSchedule, window, ...clientOptions } = options ?? {}
      const resolved = yield* ClientOptions.validate(clientOptions)
      const policy = yield* internal.policy({ restartSchedule, maxRestarts, window }, resolved)
      const id = resolved.id ?? `supervised-${++supervisedCount}`
      yield* stopClient(id)
      const proxy = new SupervisedClient(id, resolved, stopClient(id))
      const runtime = yield* Effect.runtime<never>()
      const client = new internal.Supervised(
        proxy,
        url,
        { ...clientOptions, id },
        policy,
        onConnect,
        onDisconnect,
        owner,
        runtime
      )
      clients.set(id, client)
      yield* client.start
      yield* emit(SupervisorEvent.ClientStarted({ id }))
      return proxy.toClient()
    })

  const listClients = Effect.sync(() => [...clients.values()].map((c) => c.proxy.toClient()))

  const sendBalanced = (message: Client.Outbound, options?: SendBalancedOptions) =>
    Effect.gen(function*() {
      const found = options?.clientDiscovery === undefined ? yield* listClients : yield* options.clientDiscovery
      return yield* balancer.send(uniqueById(found.map(toCandidate)), message, options?.maxAttempts ?? 3)
    })

  return ClientSupervisor.of({
    startClient,
    stopClient,
    listClients,
    sendBalanced,
    events: Stream.fromPubSub(events)
  })
})

/**
 * The supervisor as a layer: clients live as long as the layer.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as ClientSupervisor from "@zen-websocket/core/ClientSupervisor"
 *
 * const program = Effect.gen(function*() {
 *   const supervisor = yield* ClientSupervisor.ClientSupervisor
 *   const clients = yield* supervisor.listClients
 * }).pipe(Effect.provide(ClientSupervisor.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ClientSupervisor> = Layer.scoped(ClientSupervisor, make)

/**
 * A local client as a `sendBalanced` candidate.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Client from "@zen-websocket/core/Client"
 * import * as ClientSupervisor from "@zen-websocket/core/ClientSupervisor"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* Client.connect("wss://feed.example/ws")
 *   const candidate = ClientSupervisor.toCandidate(client)
 *   yield* candidate.sendMessage("hello")
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const toCandidate = (client: Client.Client | Candidate): Candidate =>
  Client.isClient(client)
    ? {
      id: client.id,
      sendMessage: client.sendMessage,
      health: Effect.zipWith(client.getStateMetrics, client.getLatencyStats, (metrics, latency) => ({
        connected: metrics.state === "connected",
        pendingRequests: metrics.pendingRequests,
        p99Ms: Option.getOrUndefined(Option.map(latency, (l) => l.p99))
      }))
    }
    : client
