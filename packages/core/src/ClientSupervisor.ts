/**
 * Supervision (Pattern 2): a service that owns each client in its own scope, restarts the ones whose connection loop
 * ended for good (on a `Schedule`: exponential backoff from `retryDelay` capped at `maxBackoff`, jittered; with
 * bounded intensity, like OTP's 10 restarts in 60 s), runs lifecycle callbacks, and sends through the healthiest
 * client — its own, or ones found elsewhere through `clientDiscovery`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberMap from "effect/FiberMap"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as PubSub from "effect/PubSub"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Client from "./Client.js"
import * as ClientOptions from "./ClientOptions.js"
import { FeedsTag } from "./internal/feeds.js"
import { anyObject, decodeOptions, Millis } from "./internal/schemaRules.js"
import { SupervisedClient } from "./internal/supervisedClient.js"
import * as Reconnect from "./Reconnect.js"
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
  /** the client's loop ended: the supervisor restarts it after `delayMs` (its `restarts`-th restart) */
  ClientRestarted: { readonly id: string; readonly restarts: number; readonly delayMs: number }
  ClientStopped: { readonly id: string }
  /** the client stays down: `restarts` counted restarts within `withinMs`, or the restart schedule ended */
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
      const { maxRestarts, onConnect, onDisconnect, restartSchedule, window, ...clientOptions } = options ?? {}
      const policy = yield* validatePolicy({ restartSchedule, maxRestarts, window })
      const resolved = yield* ClientOptions.validate(clientOptions)
      const id = resolved.id ?? `supervised-${++supervisedCount}`
      const proxy = new SupervisedClient(id, resolved, stopClient(id))
      const started = yield* Deferred.make<void, ConnectError | InvalidOptions>()
      const incarnation = runIncarnation(proxy, url, { ...clientOptions, id }, started, onConnect, onDisconnect)
      clients.set(id, proxy)
      yield* FiberMap.run(
        fibers,
        id,
        supervise(proxy, incarnation, started, restartPolicy(policy, resolved), emit).pipe(
          Effect.ensuring(Effect.suspend(() => {
            clients.delete(id)
            return Effect.zipRight(proxy.end(), emit(SupervisorEvent.ClientStopped({ id })))
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

const MaxRestarts = Schema.Number.pipe(
  Schema.filter((n) => n === Infinity || (Number.isInteger(n) && n >= 0 && n <= 1_000_000), {
    message: () => "must be a non-negative integer, at most 1000000, or Infinity"
  })
)

const Policy = Schema.Struct({
  restartSchedule: Schema.optional(anyObject<Schedule.Schedule<unknown, unknown>>("must be a Schedule")),
  maxRestarts: Schema.optionalWith(MaxRestarts, { default: () => 10 }),
  window: Schema.optionalWith(Millis, { default: () => 60_000 })
})

const decodePolicy = decodeOptions(Policy)

const validatePolicy = (policy: {
  readonly restartSchedule: unknown
  readonly maxRestarts: unknown
  readonly window: unknown
}): Effect.Effect<typeof Policy.Type, InvalidOptions> =>
  Effect.suspend(() =>
    decodePolicy(Object.fromEntries(Object.entries(policy).filter(([, value]) => value !== undefined)))
  )

interface RestartPolicy {
  readonly schedule: Schedule.Schedule<unknown, unknown>
  readonly maxRestarts: number
  readonly windowMs: number
  /** an incarnation connected this long starts the schedule over */
  readonly stableMs: number
  /** whether a start failure is worth another try (the client's own reconnect rule) */
  readonly retryable: (error: unknown) => boolean
}

const restartPolicy = (policy: typeof Policy.Type, options: ClientOptions.Resolved): RestartPolicy => ({
  schedule: policy.restartSchedule ?? Reconnect.backoff(options),
  maxRestarts: policy.maxRestarts,
  windowMs: policy.window,
  stableMs: Math.max(options.retryDelay, 1_000) * 5,
  retryable: (error) => Reconnect.shouldReconnect(options, startFailure(error))
})

/** The error behind a start that gave up: the last attempt's (`max-attempts` wraps it). */
const startFailure = (error: unknown): unknown =>
  Predicate.isTagged(error, "ConnectError") && (error as ConnectError).reason === "max-attempts"
    ? (error as ConnectError).cause
    : error

/**
 * Restarts an incarnation whenever it ends, after the restart schedule's next delay, within the restart intensity.
 * A restart counts toward the intensity unless the incarnation before it never connected and failed with a retryable
 * error (the server is down: the schedule spaces the attempts, it is no crash loop).
 */
const supervise = (
  proxy: SupervisedClient,
  incarnation: Effect.Effect<void, ConnectError | InvalidOptions>,
  started: Deferred.Deferred<void, ConnectError | InvalidOptions>,
  policy: RestartPolicy,
  emit: (event: SupervisorEvent) => Effect.Effect<unknown>
) =>
  Effect.gen(function*() {
    const counted: Array<number> = []
    let restarts = 0
    const schedule = policy.schedule.pipe(
      Schedule.modifyDelayEffect((_, delay) =>
        Effect.as(
          emit(
            SupervisorEvent.ClientRestarted({ id: proxy.id, restarts: restarts + 1, delayMs: Duration.toMillis(delay) })
          ),
          delay
        )
      )
    )
    const driver = yield* Schedule.driver(schedule)
    const stayDown = (count: number) =>
      Effect.gen(function*() {
        proxy.down = true
        yield* proxy.detach()
        yield* Effect.annotateLogs(Effect.logWarning("restart limit reached: staying down"), "client_id", proxy.id)
        return yield* emit(
          SupervisorEvent.RestartLimitReached({ id: proxy.id, restarts: count, withinMs: policy.windowMs })
        )
      })
    while (true) {
      const exit = yield* Effect.exit(incarnation)
      if (exit._tag === "Failure" && !(yield* Deferred.isDone(started))) {
        return yield* Deferred.failCause(started, exit.cause)
      }
      const now = yield* Clock.currentTimeMillis
      const upMs = proxy.lastUpMs
      if (upMs !== undefined && upMs >= policy.stableMs) yield* driver.reset
      const outage = upMs === undefined && exit._tag === "Failure" &&
        Option.match(Cause.failureOption(exit.cause), { onNone: () => false, onSome: policy.retryable })
      while (counted.length > 0 && counted[0] <= now - policy.windowMs) counted.shift()
      if (!outage && counted.length >= policy.maxRestarts) return yield* stayDown(counted.length)
      if (Either.isLeft(yield* Effect.either(driver.next(undefined)))) return yield* stayDown(counted.length)
      if (!outage) counted.push(now)
      restarts++
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
    proxy.lastUpMs = undefined
    const ended = yield* Deferred.make<void>()
    proxy.feeds.ended = () => Deferred.unsafeDone(ended, Exit.void)
    // the runtime publishes into the handle's feeds: nothing is forwarded
    const client = yield* Effect.provideService(Client.connect(url, options), FeedsTag, proxy.feeds)
    const connectedAt = yield* Clock.currentTimeMillis
    yield* Effect.addFinalizer(() =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        proxy.lastUpMs = now - connectedAt
        return Effect.zipRight(runCallback(onDisconnect, proxy), proxy.detach())
      })
    )
    yield* proxy.attach(client)
    yield* runCallback(onConnect, proxy)
    yield* Deferred.succeed(started, undefined)
    yield* Deferred.await(ended)
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
