/**
 * The machinery of `ClientSupervisor`: the restart policy (validated like the client's options), and one `Supervised`
 * per client, which starts incarnations, restarts them on the policy's schedule and stops them.
 *
 * Memory: no fiber waits on a supervised client while it is up (a suspended fiber, its generators and a FiberMap
 * entry cost ~18 KB per client). Each incarnation lives in its own scope, a child of the supervisor's; its runtime
 * reports that it gave up through the handle's `Feeds`, which forks the restart. Lifecycle callbacks run on the
 * fibers that start and stop incarnations.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as EffectRuntime from "effect/Runtime"
import { runFork } from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Client from "../Client.js"
import type * as ClientOptions from "../ClientOptions.js"
import * as Reconnect from "../Reconnect.js"
import type { ConnectError, InvalidOptions } from "../WebSocketError.js"
import { FeedsTag } from "./feeds.js"
import * as LifecycleLog from "./lifecycleLog.js"
import { anyObject, decodeOptions, Millis } from "./schemaRules.js"
import type { SupervisedClient } from "./supervisedClient.js"

/** @internal */
export type SupervisorEvent = Data.TaggedEnum<{
  ClientStarted: { readonly id: string }
  ClientRestarted: { readonly id: string; readonly restarts: number; readonly delayMs: number }
  ClientStopped: { readonly id: string }
  RestartLimitReached: { readonly id: string; readonly restarts: number; readonly withinMs: number }
}>

/** @internal */
export const SupervisorEvent = Data.taggedEnum<SupervisorEvent>()

/** @internal */
export type LifecycleCallback = (client: Client.Client) => Effect.Effect<unknown, unknown>

// -------------------------------------------------------------------------------------------------------------------
// the restart policy
// -------------------------------------------------------------------------------------------------------------------

const MaxRestarts = Schema.Number.pipe(
  Schema.filter((n) => n === Infinity || (Number.isInteger(n) && n >= 0 && n <= 1_000_000), {
    message: () => "must be a non-negative integer, at most 1000000, or Infinity"
  })
)

const PolicyOptions = Schema.Struct({
  restartSchedule: Schema.optional(anyObject<Schedule.Schedule<unknown, unknown>>("must be a Schedule")),
  maxRestarts: Schema.optionalWith(MaxRestarts, { default: () => 10 }),
  window: Schema.optionalWith(Millis, { default: () => 60_000 })
})

const decodePolicy = decodeOptions(PolicyOptions)

/** @internal */
export interface Policy {
  readonly schedule: Schedule.Schedule<unknown, unknown>
  readonly maxRestarts: number
  readonly windowMs: number
  /** an incarnation connected this long starts the schedule over (the connection loop's rule) */
  readonly stableMs: number
  /** whether a start failure is worth another try (the client's own reconnect rule) */
  readonly retryable: (error: unknown) => boolean
}

/** Validates the restart options (`InvalidOptions` naming the field) and completes them from the client's options. */
export const policy = (
  given: { readonly restartSchedule: unknown; readonly maxRestarts: unknown; readonly window: unknown },
  options: ClientOptions.Resolved
): Effect.Effect<Policy, InvalidOptions> =>
  Effect.suspend(() =>
    Either.map(
      decodePolicy(Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined))),
      (decoded) => ({
        schedule: decoded.restartSchedule ?? Reconnect.backoff(options),
        maxRestarts: decoded.maxRestarts,
        windowMs: decoded.window,
        stableMs: Math.max(options.retryDelay, 1_000) * 5,
        retryable: (error: unknown) => Reconnect.shouldReconnect(options, startFailure(error))
      })
    )
  )

/** The error behind a start that gave up: the last attempt's (`max-attempts` wraps it). */
const startFailure = (error: unknown): unknown =>
  Predicate.isTagged(error, "ConnectError") && (error as ConnectError).reason === "max-attempts"
    ? (error as ConnectError).cause
    : error

// -------------------------------------------------------------------------------------------------------------------
// one supervised client
// -------------------------------------------------------------------------------------------------------------------

/** What a `Supervised` needs from its supervisor. */
export interface Owner {
  readonly scope: Scope.Scope
  readonly emit: (event: SupervisorEvent) => Effect.Effect<unknown>
  /** forgets a stopped client */
  readonly forget: (id: string) => void
}

type StartError = ConnectError | InvalidOptions

/** @internal */
export class Supervised {
  /** the scope of the current incarnation, while there is one */
  private scope: Scope.CloseableScope | undefined = undefined
  /** the fiber restarting the client, while one does */
  private restarting: Fiber.RuntimeFiber<void> | undefined = undefined
  private driver: Schedule.ScheduleDriver<unknown, unknown> | undefined = undefined
  /** Clock times of the restarts that count toward `maxRestarts` */
  private readonly counted: Array<number> = []
  private restarts = 0
  private stopped = false

  constructor(
    readonly proxy: SupervisedClient,
    readonly url: ClientOptions.UrlInput,
    readonly options: ClientOptions.Options,
    readonly policy: Policy,
    readonly onConnect: LifecycleCallback | undefined,
    readonly onDisconnect: LifecycleCallback | undefined,
    readonly owner: Owner,
    /** the context of `startClient` (its layers: a RateLimiter, a Recorder…), for the restarts too */
    readonly runtime: EffectRuntime.Runtime<never>
  ) {}

  /** The first incarnation: `startClient` fails as `Client.connect` would. */
  get start(): Effect.Effect<void, StartError> {
    return Effect.tapErrorCause(this.incarnate, () => this.stop)
  }

  /**
   * One incarnation: `Client.connect` in a fresh child scope of the supervisor's (its runtime publishes into the
   * handle's feeds), the handle attached, `onConnect`. Once up, the runtime's give-up calls `ended`.
   */
  private get incarnate(): Effect.Effect<void, StartError> {
    return Effect.gen(this, function*() {
      const proxy = this.proxy
      const scope = yield* Scope.fork(this.owner.scope, ExecutionStrategy.sequential)
      this.scope = scope
      proxy.lastUpMs = undefined
      const connected = yield* Effect.exit(
        Scope.extend(Effect.provideService(Client.connect(this.url, this.options), FeedsTag, proxy.feeds), scope)
      )
      if (Exit.isFailure(connected)) {
        this.scope = undefined
        yield* Scope.close(scope, Exit.void)
        return yield* connected
      }
      const connectedAt = yield* Clock.currentTimeMillis
      yield* Scope.addFinalizer(
        scope,
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          proxy.lastUpMs = now - connectedAt
          return Effect.zipRight(runCallback(this.onDisconnect, proxy), proxy.detach())
        })
      )
      proxy.feeds.ended = (settled) => this.ended(scope, settled)
      yield* proxy.attach(connected.value)
      yield* runCallback(this.onConnect, proxy)
    })
  }

  /** The incarnation of `scope` gave up: once its loop settled, a fiber restarts the client. */
  private ended(scope: Scope.CloseableScope, settled: Effect.Effect<void>): void {
    if (this.stopped || this.scope !== scope || this.restarting !== undefined) return
    this.proxy.feeds.ended = undefined
    const restart = Effect.zipRight(settled, this.restart(scope)).pipe(
      Effect.ensuring(Effect.sync(() => (this.restarting = undefined)))
    )
    this.restarting = runFork(this.runtime)(restart)
  }

  /**
   * Closes the ended incarnation, then starts new ones, each after the schedule's next delay, until one is up or the
   * policy says stop. A restart counts toward `maxRestarts` unless the incarnation before it never connected and
   * failed with a retryable error (the server is down: the schedule spaces the attempts, it is no crash loop).
   */
  private restart(ended: Scope.CloseableScope): Effect.Effect<void> {
    return Effect.gen(this, function*() {
      this.scope = undefined
      yield* Scope.close(ended, Exit.void)
      let failure: Cause.Cause<StartError> | undefined = undefined
      while (!this.stopped) {
        const now = yield* Clock.currentTimeMillis
        const upMs = this.proxy.lastUpMs
        const driver = yield* this.backoff
        if (upMs !== undefined && upMs >= this.policy.stableMs) yield* driver.reset
        const outage = upMs === undefined && failure !== undefined &&
          Option.match(Cause.failureOption(failure), { onNone: () => false, onSome: this.policy.retryable })
        const counted = this.counted
        while (counted.length > 0 && counted[0] <= now - this.policy.windowMs) counted.shift()
        if (!outage && counted.length >= this.policy.maxRestarts) return yield* this.stayDown
        if (Either.isLeft(yield* Effect.either(driver.next(undefined)))) return yield* this.stayDown
        if (!outage) counted.push(now)
        this.restarts++
        const started = yield* Effect.exit(this.incarnate)
        if (Exit.isSuccess(started)) return
        failure = started.cause
      }
    })
  }

  /** The restart schedule, each delay reported as `ClientRestarted`; made at the first restart. */
  private get backoff(): Effect.Effect<Schedule.ScheduleDriver<unknown, unknown>> {
    if (this.driver !== undefined) return Effect.succeed(this.driver)
    const schedule = this.policy.schedule.pipe(
      Schedule.modifyDelayEffect((_, delay) =>
        Effect.as(
          Effect.zipRight(
            this.owner.emit(SupervisorEvent.ClientRestarted({
              id: this.proxy.id,
              restarts: this.restarts + 1,
              delayMs: Duration.toMillis(delay)
            })),
            LifecycleLog.restarting(this.proxy.id, this.restarts + 1, Duration.toMillis(delay))
          ),
          delay
        )
      )
    )
    return Effect.tap(Schedule.driver(schedule), (driver) => (this.driver = driver))
  }

  private get stayDown(): Effect.Effect<void> {
    return Effect.gen(this, function*() {
      this.proxy.down = true
      yield* this.proxy.detach()
      yield* LifecycleLog.restartLimit(this.proxy.id, this.counted.length, this.policy.windowMs)
      yield* this.owner.emit(SupervisorEvent.RestartLimitReached({
        id: this.proxy.id,
        restarts: this.counted.length,
        withinMs: this.policy.windowMs
      }))
    })
  }

  /** Stops the client for good: no more restarts, the incarnation closed (`onDisconnect`), the handle ended. */
  get stop(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.stopped) return Effect.void
      this.stopped = true
      const restarting = this.restarting
      const scope = this.scope
      this.scope = undefined
      this.proxy.feeds.ended = undefined
      return Effect.gen(this, function*() {
        if (restarting !== undefined) yield* Fiber.interrupt(restarting)
        if (scope !== undefined) yield* Scope.close(scope, Exit.void)
        yield* this.proxy.end()
        this.owner.forget(this.proxy.id)
        yield* this.owner.emit(SupervisorEvent.ClientStopped({ id: this.proxy.id }))
      }).pipe(Effect.uninterruptible)
    })
  }
}

const runCallback = (callback: LifecycleCallback | undefined, proxy: SupervisedClient): Effect.Effect<void> =>
  callback === undefined ? Effect.void : Effect.suspend(() => callback(proxy.toClient())).pipe(
    Effect.catchAllCause((cause) => Effect.logWarning("Lifecycle callback error", cause)),
    Effect.asVoid
  )
