/**
 * The connection loop: attempt → restore → run → end → decide → wait → attempt…
 *
 * A fiber runs the loop only while there is something to do: dialing, restoring, waiting out a backoff. While the link
 * is up no fiber waits for it to end (a suspended fiber costs a few KB per connection): the socket's listeners report
 * the end, which forks the next round of the loop. Each connection lives in its own scope, a child of the client's.
 * Our own close interrupts the loop and closes the connection scope.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Redacted from "effect/Redacted"
import * as EffectRuntime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import type WebSocket from "ws"
import * as ClientEvent from "../ClientEvent.js"
import * as ClientOptions from "../ClientOptions.js"
import * as Heartbeat from "../Heartbeat.js"
import * as Reconnect from "../Reconnect.js"
import type { InvalidOptions } from "../WebSocketError.js"
import { ConnectError, Disconnected, NotConnected } from "../WebSocketError.js"
import * as HeartbeatScheduler from "./heartbeatScheduler.js"
import * as LifecycleLog from "./lifecycleLog.js"
import { Link } from "./link.js"
import type { Runtime } from "./runtime.js"
import * as Session from "./session.js"
import * as Subscriptions from "./subscriptions.js"
import * as Tracing from "./tracing.js"
import * as Transport from "./transport.js"

/** How one connection ended. */
export type ConnectionEnd = ConnectError | Disconnected | InvalidOptions

/** What `connect` waits for: the first connection up, or the reason there will be none. */
export type Ready = Deferred.Deferred<void, ConnectError | InvalidOptions>

/** The link must stay up this long before the backoff starts over. */
const stableAfterMs = (runtime: Runtime) => Math.max(runtime.options.retryDelay, 1_000) * 5

/**
 * Starts the loop: the first connection, then every reconnection, until the client closes or gives up. Should the
 * loop die before the first connection is up, `connect` fails with that cause rather than waiting forever.
 */
export const run = (runtime: Runtime, url: ClientOptions.UrlInput, ready: Ready): Effect.Effect<void> =>
  Effect.suspend(() => {
    const loop = new Loop(runtime, url, ready)
    runtime.reconnectNow = loop.reconnect
    return reportDefects(runtime, Effect.onError(loop.connect, (cause) => loop.abandon(cause)))
  })

/** No fiber joins the loop's: a defect in it is logged rather than lost (interruption is our own close). */
const reportDefects = (runtime: Runtime, loop: Effect.Effect<void>): Effect.Effect<void> =>
  Effect.tapErrorCause(loop, (cause) =>
    Cause.isInterruptedOnly(cause)
      ? Effect.void
      : Effect.annotateLogs(
        Effect.logError("the connection loop died: no more reconnects", cause),
        "client_id",
        runtime.id
      ))

class Loop {
  /** attempts within the current outage */
  private attempt = 0
  private driver: Schedule.ScheduleDriver<unknown, ConnectionEnd> | undefined = undefined
  /** the live link, while one is up (and no fiber runs the loop) */
  private link: Link | undefined = undefined
  /** the link's end was asked for by `Client.reconnect`: reconnect at once, and it is no failure */
  private forced = false

  constructor(
    readonly runtime: Runtime,
    readonly url: ClientOptions.UrlInput,
    private ready: Ready | undefined
  ) {}

  /** Attempts connections until one is up (then returns: no fiber waits on a live link) or the retries ran out. */
  get connect(): Effect.Effect<void> {
    return Effect.gen(this, function*() {
      const runtime = this.runtime
      while (true) {
        this.attempt++
        yield* runtime.emit(ClientEvent.Connecting({ attempt: this.attempt }))
        runtime.connectedAt = undefined
        const scope = yield* Scope.fork(runtime.scope, ExecutionStrategy.sequential)
        runtime.connection = scope
        const connected = yield* Effect.either(Scope.extend(connectOnce(runtime, this.url), scope))
        let end: ConnectionEnd
        if (Either.isRight(connected)) {
          yield* this.connected()
          const early = connected.right.park((error) => this.relaunch(scope, error))
          if (early === undefined) {
            this.link = connected.right
            runtime.loop = undefined
            return
          }
          end = early
        } else {
          end = connected.left
        }
        yield* Scope.close(scope, Exit.void)
        if (!(yield* this.decide(end))) return
      }
    })
  }

  private get shownUrl(): string {
    return Effect.isEffect(this.url) ? "<effect>" : ClientOptions.showUrl(this.url)
  }

  /** The backoff, created at the first outage; each wait is reported as `Reconnecting`. */
  private get backoff(): Effect.Effect<Schedule.ScheduleDriver<unknown, ConnectionEnd>> {
    if (this.driver !== undefined) return Effect.succeed(this.driver)
    const options = this.runtime.options
    const schedule = Reconnect.schedule(options).pipe(
      Schedule.passthrough,
      Schedule.modifyDelayEffect((end, delay) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          // a server that said when to come back (HTTP 429/503 Retry-After) sets the delay, within maxBackoff
          const retryAfter = Reconnect.retryAfterMs(end, now)
          const next = retryAfter === undefined ? delay : Duration.millis(Math.min(retryAfter, options.maxBackoff))
          const delayMs = Duration.toMillis(next)
          return Effect.as(
            Effect.zipRight(
              this.runtime.emit(ClientEvent.Reconnecting({ attempt: this.attempt + 1, delayMs })),
              LifecycleLog.reconnecting(this.runtime.id, this.attempt + 1, delayMs, end)
            ),
            next
          )
        })
      )
    )
    return Effect.tap(Schedule.driver(schedule), (driver) => (this.driver = driver))
  }

  /** The loop died: whoever waits for the first connection learns why. */
  abandon(cause: Cause.Cause<unknown>): Effect.Effect<void> {
    const ready = this.ready
    this.ready = undefined
    return ready === undefined || Cause.isInterruptedOnly(cause)
      ? Effect.void
      : Deferred.failCause(ready, Cause.die(Cause.squash(cause)))
  }

  /**
   * `Client.reconnect`: a live link is closed (1000) and the next connection dialed at once, with the restore and the
   * offline queue as after any loss, without a backoff wait and without counting as a failed attempt. While the client
   * is reconnecting already, the attempt or backoff wait in progress is cut short and a new attempt starts now.
   * Succeeds once the new connection is `connected`; fails with `NotConnected` when the client is closed or gives up.
   */
  get reconnect(): Effect.Effect<void, NotConnected> {
    return Effect.suspend(() => {
      const runtime = this.runtime
      if (runtime.closed || runtime.currentState === "disconnected") {
        return Effect.fail(new NotConnected({ state: "disconnected" }))
      }
      const done = Deferred.unsafeMake<void, NotConnected>(FiberId.none)
      ;(runtime.reconnectWaiters ??= []).push(done)
      const link = this.link
      if (link !== undefined) {
        this.forced = true
        link.end(new Disconnected({ code: 1000, reason: "reconnect requested" }))
      } else {
        this.restartNow()
      }
      return Deferred.await(done)
    })
  }

  /** Stops the loop's fiber where it is (dialing, restoring, waiting out a backoff) and attempts again at once. */
  private restartNow(): void {
    const runtime = this.runtime
    const loop = runtime.loop
    // forked: a restore hook of this very loop may be the caller
    runtime.loop = EffectRuntime.runFork(runtime.effectRuntime)(reportDefects(
      runtime,
      Effect.suspend(() => {
        const stopped = loop === undefined ? Effect.void : Fiber.interrupt(loop)
        return Effect.zipRight(
          stopped,
          Effect.suspend(() => {
            this.forced = false
            const scope = runtime.connection
            return Effect.zipRight(
              scope === undefined ? Effect.void : Scope.close(scope, Exit.void),
              runtime.closed || runtime.currentState === "disconnected" ? Effect.void : this.connect
            )
          })
        )
      })
    ))
  }

  private connected() {
    return Effect.suspend(() => {
      this.runtime.settleReconnects()
      this.attempt = 0
      const ready = this.ready
      this.ready = undefined
      return ready === undefined ? Effect.void : Deferred.succeed(ready, undefined)
    })
  }

  /** The link ended while no fiber was waiting: a new fiber closes its scope and carries on with the loop. */
  private relaunch(scope: Scope.CloseableScope, error: Disconnected): void {
    const runtime = this.runtime
    this.link = undefined
    if (runtime.closed) return
    runtime.loop = EffectRuntime.runFork(runtime.effectRuntime)(reportDefects(
      runtime,
      Scope.close(scope, Exit.void).pipe(
        Effect.zipRight(this.decide(error)),
        Effect.flatMap((retry) => retry ? this.connect : Effect.void)
      )
    ))
  }

  /** After a connection ended: report it, then wait out the backoff (true) or give up (false). */
  private decide(end: ConnectionEnd): Effect.Effect<boolean> {
    return Effect.gen(this, function*() {
      const runtime = this.runtime
      const upMs = runtime.connectedAt === undefined ? 0 : (yield* Clock.currentTimeMillis) - runtime.connectedAt
      yield* runtime.setState("connecting")
      if (end._tag === "Disconnected") {
        if (Transport.isFrameTooLarge(end.cause)) {
          yield* runtime.emit(ClientEvent.FrameTooLarge({ maxPayload: runtime.options.maxPayload, cause: end.cause }))
        }
        yield* runtime.emit(ClientEvent.Disconnected({ code: end.code, reason: end.reason, cause: end.cause }))
      }
      const driver = yield* this.backoff
      if (end._tag === "Disconnected" && upMs >= stableAfterMs(runtime)) yield* driver.reset
      if (this.forced) {
        this.forced = false
        return true
      }
      const retry = Reconnect.shouldReconnect(runtime.options, end) &&
        Either.isRight(yield* Effect.either(driver.next(end)))
      if (!retry) yield* this.giveUp(end)
      return retry
    })
  }

  private giveUp(end: ConnectionEnd) {
    return Effect.gen(this, function*() {
      const runtime = this.runtime
      runtime.gaveUp()
      yield* runtime.setState("disconnected")
      yield* runtime.emit(ClientEvent.GaveUp({ attempts: this.attempt, cause: end }))
      yield* LifecycleLog.gaveUp(runtime.id, this.attempt, end)
      const ready = this.ready
      if (ready === undefined) return
      // the first connection never became usable (e.g. its link died during the restore)
      const failure = end._tag === "Disconnected"
        ? new ConnectError({ reason: this.attempt > 1 ? "max-attempts" : "network", url: this.shownUrl, cause: end })
        : this.attempt > 1 && end._tag === "ConnectError"
        ? new ConnectError({ reason: "max-attempts", url: end.url, cause: end })
        : end
      yield* Deferred.fail(ready, failure)
    })
  }
}

/** One connection, from dialing to `connected`; it succeeds with its link, which reports how it ends. */
const connectOnce = (runtime: Runtime, url: ClientOptions.UrlInput) =>
  Effect.gen(function*() {
    const { shown, target } = yield* resolveUrl(url)
    if (Effect.isEffect(url)) runtime.server = Tracing.server(shown, target)
    const headers = yield* resolveHeaders(runtime.options.headers)
    const link = new Link(runtime)
    const startedAt = performance.now()
    const socket = yield* Transport.open(
      {
        url: target,
        shownUrl: shown,
        timeout: runtime.options.timeout,
        closeTimeout: runtime.options.closeTimeout,
        headers,
        protocols: runtime.options.protocols,
        maxPayload: runtime.options.maxPayload,
        tls: runtime.options.tls
      },
      link
    )
    link.socket = socket
    runtime.attach(socket)
    yield* Scope.addFinalizer(yield* Effect.scope, Effect.sync(() => link.release()))
    const connectTimeMs = Math.round(performance.now() - startedAt)
    yield* armHeartbeat(runtime, link)
    // what goes out until the restore is done counts as `restore` in `message_sent`
    runtime.restoring = true
    yield* Effect.ensuring(
      Effect.zipRight(
        Effect.zipRight(runRestoreHooks(runtime, shown), restoreSubscriptions(runtime, shown)),
        runHooks(runtime, runtime.options.afterRestoreHooks, shown)
      ),
      Effect.sync(() => {
        runtime.restoring = false
      })
    )
    // "connected" means usable: only a link that is still live after its restore is published, once
    yield* openToUsers(runtime, link, socket)
    const reconnected = runtime.everConnected
    if (reconnected) runtime.reconnects++
    runtime.everConnected = true
    runtime.connectedAt = yield* Clock.currentTimeMillis
    yield* runtime.setState("connected")
    runtime.upgradedUrl = shown
    yield* runtime.emit(ClientEvent.Connected({ connectTimeMs }))
    if (reconnected) yield* LifecycleLog.reconnected(runtime.id, connectTimeMs)
    return link
  })

/**
 * Puts the connection's heartbeat on the shared scheduler for the connection's lifetime; a dead link is terminated
 * and ends the connection.
 */
const armHeartbeat = (runtime: Runtime, link: Link) =>
  Effect.gen(function*() {
    const config = runtime.options.heartbeatConfig
    if (config === undefined) return
    const heartbeat = yield* Heartbeat.make(config, link, link)
    runtime.heartbeat = heartbeat
    runtime.lastHeartbeat = heartbeat
    yield* HeartbeatScheduler.register(heartbeat, link.dead.bind(link))
  })

/** A failed restore step ends the attempt; the dialect's classifier (or the `retryable` option) says if it is retried. */
const restoreFailed = (runtime: Runtime, url: string) => (cause: unknown) =>
  new ConnectError({ reason: "restore", url, cause, retryable: runtime.retryable(cause) })

const runRestoreHooks = (runtime: Runtime, url: string) => runHooks(runtime, runtime.restoreHooks, url)

const runHooks = (runtime: Runtime, hooks: ReadonlyArray<ClientOptions.RestoreHook>, url: string) =>
  Effect.forEach(hooks, (hook) =>
    Effect.suspend(() => hook(Session.make(runtime))).pipe(
      Effect.mapError(restoreFailed(runtime, url))
    ), { discard: true })

/** Refused channels under `onRestoreRejected: "fail"` fail the attempt as a transient trouble: it is retried. */
const restoreSubscriptions = (runtime: Runtime, url: string) =>
  Subscriptions.restore(runtime, () => runtime.socket ?? runtime.sendable()).pipe(
    Effect.mapError((error) =>
      error._tag === "Rejected"
        ? new ConnectError({ reason: "restore", url, cause: error.first.error, retryable: true })
        : restoreFailed(runtime, url)(error)
    )
  )

/**
 * Flushes the offline queue (sends, requests and subscribes that waited, in order), then lets user operations use the
 * socket directly. The last emptiness check and `writable` happen in one step: nothing can slip into the queue after
 * its flush and wait there for the next outage.
 */
const openToUsers = (runtime: Runtime, link: Link, socket: WebSocket): Effect.Effect<void, Disconnected> =>
  Effect.suspend(() => {
    const ended = link.ended
    if (ended !== undefined) return Effect.fail(ended)
    const queue = runtime.offline
    if (queue !== undefined && queue.size > 0) {
      return Effect.zipRight(queue.flush(socket), openToUsers(runtime, link, socket))
    }
    runtime.writable = true
    return Effect.void
  })

/** The URL of one attempt: `target` for the socket only, `shown` (secrets masked) for everything else. */
const resolveUrl = (
  url: ClientOptions.UrlInput
): Effect.Effect<{ readonly target: string; readonly shown: string }, InvalidOptions> =>
  Effect.isEffect(url)
    ? Effect.flatMap(url, (u) => Effect.as(ClientOptions.validateUrl(u), resolved(u)))
    : Effect.succeed(resolved(url))

const resolved = (url: ClientOptions.Url) => ({ target: ClientOptions.urlText(url), shown: ClientOptions.showUrl(url) })

/**
 * The headers of one attempt, `Redacted` values unwrapped only here, for the upgrade request. Headers an Effect
 * produced are checked like static ones (`connect` checked those): a bad one fails the attempt with `InvalidOptions`.
 */
const resolveHeaders = (
  headers: ClientOptions.Resolved["headers"]
): Effect.Effect<Record<string, string>, InvalidOptions> =>
  Effect.isEffect(headers)
    ? Effect.map(Effect.flatMap(headers, ClientOptions.validateHeaders), unwrapHeaders)
    : Effect.succeed(unwrapHeaders(headers))

const unwrapHeaders = (headers: ClientOptions.Headers): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Redacted.isRedacted(value)
      ? Redacted.value(value)
      : value
  }
  return out
}
