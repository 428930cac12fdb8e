/**
 * Supervision (Pattern 2): a service that owns each client in its own scope, restarts the ones whose connection loop
 * ended for good (with bounded intensity, like OTP's 10 restarts in 60 s), runs lifecycle callbacks, and sends through
 * the healthiest client — its own, or ones found elsewhere through `clientDiscovery`.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as Client from "./Client.js"
import type * as ClientEvent from "./ClientEvent.js"
import * as ClientOptions from "./ClientOptions.js"
import { SupervisedClient } from "./internal/supervisedClient.js"
import type * as Message from "./Message.js"
import type { ConnectError, InvalidOptions } from "./WebSocketError.js"
import { NoConnections } from "./WebSocketError.js"

/**
 * A lifecycle callback. Its failures and defects are caught and logged (`Lifecycle callback error: …`); they never stop
 * the client.
 *
 * @since 0.1.0
 * @category models
 */
export type LifecycleCallback = (client: Client.Client) => Effect.Effect<unknown, unknown>

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
  /** at most `maxRestarts` restarts within `withinMs` (default 10 in 60 000 ms); then the client stays down */
  readonly restartIntensity?: { readonly maxRestarts: number; readonly withinMs: number } | undefined
}

/**
 * Something `sendBalanced` can send through: a local `Client`, or a handle to a client elsewhere (another process,
 * another node) returned by `clientDiscovery`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Candidate {
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
 * @since 0.1.0
 * @category models
 */
export type SupervisorEvent = Data.TaggedEnum<{
  ClientStarted: { readonly id: string }
  ClientRestarted: { readonly id: string; readonly restarts: number }
  ClientStopped: { readonly id: string }
  RestartLimitReached: { readonly id: string; readonly restarts: number; readonly withinMs: number }
}>

/**
 * @since 0.1.0
 * @category constructors
 */
export const SupervisorEvent = Data.taggedEnum<SupervisorEvent>()

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
  const fibers = yield* FiberMap.make<string>()
  const clients = new Map<string, SupervisedClient>()
  const events = yield* PubSub.unbounded<SupervisorEvent>()
  const balancer = new Balancer()
  const emit = (event: SupervisorEvent) => PubSub.publish(events, event)

  const stopClient = (client: Client.Client | string) =>
    Effect.suspend(() => FiberMap.remove(fibers, typeof client === "string" ? client : client.id))

  const startClient = (url: ClientOptions.UrlInput, options?: StartOptions) =>
    Effect.gen(function*() {
      const { onConnect, onDisconnect, restartIntensity, ...clientOptions } = options ?? {}
      const resolved = yield* ClientOptions.validate(clientOptions)
      const id = resolved.id ?? `supervised-${++supervisedCount}`
      const proxy = new SupervisedClient(
        id,
        resolved,
        stopClient(id),
        yield* PubSub.bounded<Message.Message>(resolved.inbound.bufferSize),
        yield* PubSub.unbounded<ClientEvent.ClientEvent>(),
        yield* SubscriptionRef.make<Client.State>("connecting")
      )
      const started = yield* Deferred.make<void, ConnectError | InvalidOptions>()
      const incarnation = runIncarnation(proxy, url, { ...clientOptions, id }, started, onConnect, onDisconnect)
      const intensity = restartIntensity ?? { maxRestarts: 10, withinMs: 60_000 }
      clients.set(id, proxy)
      yield* FiberMap.run(
        fibers,
        id,
        supervise(proxy, incarnation, started, intensity, emit).pipe(
          Effect.ensuring(Effect.suspend(() => {
            clients.delete(id)
            return emit(SupervisorEvent.ClientStopped({ id }))
          }))
        )
      )
      yield* Deferred.await(started)
      yield* emit(SupervisorEvent.ClientStarted({ id }))
      return proxy.toClient()
    })

  const listClients = Effect.sync(() => [...clients.values()].map((c) => c.toClient()))

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

/** Restarts an incarnation whenever it ends, within the restart intensity. */
const supervise = (
  proxy: SupervisedClient,
  incarnation: Effect.Effect<void, ConnectError | InvalidOptions>,
  started: Deferred.Deferred<void, ConnectError | InvalidOptions>,
  intensity: { readonly maxRestarts: number; readonly withinMs: number },
  emit: (event: SupervisorEvent) => Effect.Effect<unknown>
) =>
  Effect.gen(function*() {
    const restarts: Array<number> = []
    while (true) {
      const exit = yield* Effect.exit(incarnation)
      if (exit._tag === "Failure" && !(yield* Deferred.isDone(started))) {
        return yield* Deferred.failCause(started, exit.cause)
      }
      const now = yield* Clock.currentTimeMillis
      while (restarts.length > 0 && restarts[0] <= now - intensity.withinMs) restarts.shift()
      if (restarts.length >= intensity.maxRestarts) {
        proxy.down = true
        yield* proxy.detach()
        yield* Effect.annotateLogs(Effect.logWarning("restart limit reached: staying down"), "client_id", proxy.id)
        return yield* emit(
          SupervisorEvent.RestartLimitReached({ id: proxy.id, ...intensity, restarts: restarts.length })
        )
      }
      restarts.push(now)
      yield* emit(SupervisorEvent.ClientRestarted({ id: proxy.id, restarts: restarts.length }))
    }
  })

/** One client from connect to give-up (or interruption), with its callbacks. */
const runIncarnation = (
  proxy: SupervisedClient,
  url: ClientOptions.UrlInput,
  options: ClientOptions.Options,
  started: Deferred.Deferred<void, ConnectError | InvalidOptions>,
  onConnect: LifecycleCallback | undefined,
  onDisconnect: LifecycleCallback | undefined
): Effect.Effect<void, ConnectError | InvalidOptions> =>
  Effect.scoped(Effect.gen(function*() {
    const client = yield* Client.connect(url, options)
    yield* Effect.addFinalizer(() => Effect.zipRight(runCallback(onDisconnect, proxy), proxy.detach()))
    yield* proxy.attach(client)
    yield* runCallback(onConnect, proxy)
    yield* Deferred.succeed(started, undefined)
    yield* client.stateChanges.pipe(Stream.filter((state) => state === "disconnected"), Stream.take(1), Stream.runDrain)
  }))

const runCallback = (callback: LifecycleCallback | undefined, proxy: SupervisedClient): Effect.Effect<void> =>
  callback === undefined ? Effect.void : Effect.suspend(() => callback(proxy.toClient())).pipe(
    Effect.catchAllCause((cause) => Effect.logWarning("Lifecycle callback error", cause)),
    Effect.asVoid
  )

const uniqueById = (candidates: ReadonlyArray<Candidate>): ReadonlyArray<Candidate> => {
  const seen = new Set<string>()
  return candidates.filter((c) => !seen.has(c.id) && seen.add(c.id))
}

const idle: Health = { connected: true, pendingRequests: 0 }
const unreachable: Health = { connected: false, pendingRequests: 0 }

/** A candidate's health; one that does not answer within a second ranks as disconnected. */
const healthOf = (candidate: Candidate): Effect.Effect<Health> =>
  candidate.health === undefined ? Effect.succeed(idle) : candidate.health.pipe(
    Effect.timeoutTo({ duration: "1 second", onTimeout: () => unreachable, onSuccess: (health) => health })
  )

/** Picks candidates by health; ties rotate; recent errors weigh in and fade (half-life 10 s). */
class Balancer {
  private turn = 0
  private readonly errors = new Map<string, { readonly weight: number; readonly at: number }>()

  send(candidates: ReadonlyArray<Candidate>, message: Client.Outbound, maxAttempts: number) {
    return Effect.gen(this, function*() {
      if (candidates.length === 0) return yield* Effect.fail(new NoConnections({ candidates: 0 }))
      const now = yield* Clock.currentTimeMillis
      const ranked = yield* this.rank(candidates, now)
      let lastError: unknown = new NoConnections({ candidates: candidates.length })
      for (const candidate of ranked.slice(0, Math.max(1, maxAttempts))) {
        const result = yield* Effect.either(Effect.suspend(() => candidate.sendMessage(message)))
        if (result._tag === "Right") return candidate.id
        lastError = result.left
        this.recordError(candidate.id, now)
      }
      return yield* Effect.fail(lastError)
    })
  }

  private rank(candidates: ReadonlyArray<Candidate>, now: number) {
    return Effect.map(
      Effect.forEach(
        candidates,
        (candidate) =>
          Effect.map(healthOf(candidate), (health) => ({ candidate, score: this.score(candidate.id, health, now) })),
        {
          concurrency: "unbounded"
        }
      ),
      (scored) => {
        const offset = this.turn++
        return scored
          .map((s, i) => ({ ...s, tie: (i - offset % scored.length + scored.length) % scored.length }))
          .sort((a, b) => a.score - b.score || a.tie - b.tie)
          .map((s) => s.candidate)
      }
    )
  }

  private score(id: string, health: Health, now: number): number {
    if (!health.connected) return Number.MAX_SAFE_INTEGER
    return health.pendingRequests + (health.p99Ms ?? 0) / 100 + 10 * this.recentErrors(id, now)
  }

  private recentErrors(id: string, now: number): number {
    const entry = this.errors.get(id)
    return entry === undefined ? 0 : entry.weight * Math.pow(0.5, (now - entry.at) / 10_000)
  }

  private recordError(id: string, now: number): void {
    this.errors.set(id, { weight: this.recentErrors(id, now) + 1, at: now })
  }
}
