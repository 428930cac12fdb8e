/**
 * Heartbeats of many connections on one fiber per (Effect `Clock`, heartbeat period) instead of one fiber per
 * connection: a suspended fiber costs a few KB of heap, a registration here about 200 bytes (one small entry the
 * scheduler owns), and the target is 10 000 idle connections per process at ≤ 10 KB each.
 *
 * A scheduler keeps its registered beats in a min-heap by deadline (ties in registration order). Its fiber sleeps until
 * the earliest deadline, runs every due step on itself (uninterruptibly) and queues each heartbeat again at the delay
 * its step returned, then sleeps again; it ends when nothing is left, and the next registration starts a new one.
 * When the last heartbeat is dropped while the fiber sleeps, the fiber is interrupted at once: its timer would
 * otherwise keep the process alive for up to a period after the last client closed.
 *
 * The fiber never needs an early wake. Every wait of a heartbeat is at most its period and the first one is exactly
 * its period (`Heartbeat.Beat`), so every deadline in the heap was set at some time `s` as at most `s + period`, and
 * so is the one the fiber sleeps until; a heartbeat registered at a later `t` gets `t + period`, which is not earlier.
 * That is why a scheduler serves a single period. Deadlines are read on the Clock's `unsafeCurrentTimeNanos` (a
 * monotonic clock in production, the `TestClock`'s time in tests): a wall-clock jump neither stalls nor rushes it.
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type { HeartbeatTimeout } from "../WebSocketError.js"
import type { Beat } from "./heartbeat.js"

/**
 * Runs `heartbeat` on the scheduler of its Clock and period for the lifetime of the current scope; its beat starts
 * now. Closing the scope drops it: it never steps again, even when it is due in the wake under way. Register a
 * heartbeat at most once at a time: two registrations would step the same state.
 *
 * When a step fails, the heartbeat is dropped and `onDead` is called once, synchronously, on the scheduler fiber
 * (unless the scope closed during that step). A step that dies (a defect or an interruption, e.g. in a hook) is logged
 * with `Effect.logError` and dropped without `onDead`: a broken heartbeat proves nothing about the link, and the
 * connection keeps running as it did when such a defect ended its own heartbeat fiber. A throwing `onDead` is logged.
 *
 * The hooks and `onDead` run on the shared fiber, forked (as a daemon) with the context of the registration that
 * found no fiber running: keep them fast and free of fiber-local context.
 *
 * @internal
 */
export const register = (
  heartbeat: { readonly beat: Beat },
  onDead: (timeout: HeartbeatTimeout) => void
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.uninterruptible(Effect.scopeWith((scope) => Effect.suspend(() => enroll(heartbeat.beat, onDead, scope))))

/**
 * Test hook: how many scheduler fibers of `clock` are alive (one per period in use, plus, briefly, one that is ending).
 *
 * @internal
 */
export const fiberCount = (clock: Clock.Clock): number => registry.get(clock)?.fibers ?? 0

// -----------------------------------------------------------------------------
// internal
// -----------------------------------------------------------------------------

/** The schedulers of one Clock, by period. */
interface ClockSchedulers {
  readonly byPeriod: Map<number, Scheduler>
  fibers: number
}

const registry = new WeakMap<Clock.Clock, ClockSchedulers>()

/** @internal */
export class Scheduler {
  readonly queue = new DeadlineHeap()
  registrations = 0
  runs = 0
  /** the run (fiber) now in charge, 0 when none */
  runner = 0
  /** the fiber of the run in charge */
  fiber: Fiber.RuntimeFiber<unknown> | undefined = undefined

  constructor(readonly clock: Clock.Clock, readonly period: number, readonly owner: ClockSchedulers) {}
}

/**
 * A registration, owned by its scheduler: the beat, its `onDead` (set until the registration is dropped), its position
 * in the heap (-1 while stepping or once dropped), its next deadline and its registration order (the tie-breaker).
 */
class Entry {
  index = -1
  deadline = 0
  constructor(
    readonly beat: Beat,
    public onDead: ((timeout: HeartbeatTimeout) => void) | undefined,
    public scheduler: Scheduler | undefined,
    readonly order: number
  ) {}
}

/** Clock time in ms, monotonic in production. */
const millis = (clock: Clock.Clock): number => Number(clock.unsafeCurrentTimeNanos()) / 1_000_000

const schedulerOf = (clock: Clock.Clock, period: number): Scheduler => {
  let owner = registry.get(clock)
  if (owner === undefined) {
    owner = { byPeriod: new Map(), fibers: 0 }
    registry.set(clock, owner)
  }
  let scheduler = owner.byPeriod.get(period)
  if (scheduler === undefined) {
    scheduler = new Scheduler(clock, period, owner)
    owner.byPeriod.set(period, scheduler)
  }
  return scheduler
}

/**
 * Queues the beat and drops it when `scope` closes. Memory: the finalizer is a bare function added to the scope,
 * rather than an Effect built now or `Effect.acquireRelease`, which keeps the registering fiber's `FiberRefs` alive;
 * and it is `release` bound to the entry, half the size of a closure over it.
 */
const enroll = (
  beat: Beat,
  onDead: (timeout: HeartbeatTimeout) => void,
  scope: Scope.Scope
): Effect.Effect<void> => {
  const scheduler = schedulerOf(beat.clock, beat.period)
  beat.start()
  const entry = new Entry(beat, onDead, scheduler, scheduler.registrations++)
  entry.deadline = millis(beat.clock) + beat.first
  scheduler.queue.push(entry)
  const dropped = Scope.addFinalizerExit(scope, release.bind(entry))
  return scheduler.runner === 0 ? Effect.zipRight(dropped, launch(scheduler)) : dropped
}

function release(this: Entry): Effect.Effect<void> {
  return Effect.sync(() => drop(this))
}

/**
 * Unregisters the beat; it lets go of `onDead` (and so of whatever that holds, e.g. the connection). The last one
 * out stops the run: no timer of ours outlives the last heartbeat.
 */
const drop = (entry: Entry): void => {
  const scheduler = entry.scheduler
  if (entry.onDead === undefined || scheduler === undefined) return
  entry.onDead = undefined
  entry.scheduler = undefined
  if (entry.index >= 0) scheduler.queue.remove(entry)
  if (scheduler.queue.size === 0 && scheduler.runner !== 0) stop(scheduler)
}

/** Ends the run in charge: it steps nothing more, and its sleep (an interruptible region) is cut short. */
const stop = (scheduler: Scheduler): void => {
  const fiber = scheduler.fiber
  retire(scheduler, scheduler.runner)
  fiber?.unsafeInterruptAsFork(FiberId.none)
}

/** Forks the scheduler's fiber; a run that is no longer in charge never steps again. */
const launch = (scheduler: Scheduler): Effect.Effect<unknown> => {
  const runner = ++scheduler.runs
  scheduler.runner = runner
  scheduler.owner.fibers++
  const ended = Effect.sync(() => {
    scheduler.owner.fibers--
    retire(scheduler, runner)
  })
  return Effect.tap(
    Effect.forkDaemon(Effect.withClock(Effect.ensuring(cycle(scheduler, runner), ended), scheduler.clock)),
    (fiber) => {
      if (scheduler.runner === runner) scheduler.fiber = fiber
    }
  )
}

/**
 * The run is over: a later registration starts a new one (which picks up what is queued, should the fiber have been
 * interrupted). An empty scheduler leaves the registry.
 */
const retire = (scheduler: Scheduler, runner: number): void => {
  if (scheduler.runner !== runner) return
  scheduler.runner = 0
  scheduler.fiber = undefined
  const { byPeriod } = scheduler.owner
  if (scheduler.queue.size === 0 && byPeriod.get(scheduler.period) === scheduler) byPeriod.delete(scheduler.period)
}

/** Sleep until the earliest deadline, run what is due, again; end (synchronously with the check) when empty. */
const cycle = (scheduler: Scheduler, runner: number): Effect.Effect<void> => {
  const { clock, queue } = scheduler
  const next: Effect.Effect<void> = Effect.suspend(() => {
    const first = queue.peek()
    if (first === undefined || scheduler.runner !== runner) {
      retire(scheduler, runner)
      return Effect.void
    }
    return Effect.zipRight(Effect.interruptible(Effect.sleep(Math.max(0, first.deadline - millis(clock)))), wake)
  })
  const wake = Effect.zipRight(
    Effect.uninterruptible(Effect.suspend(() => runDue(scheduler, runner, millis(clock)))),
    next
  )
  return next
}

const runDue = (scheduler: Scheduler, runner: number, now: number): Effect.Effect<void> =>
  Effect.whileLoop({
    while: () => scheduler.runner === runner && scheduler.queue.dueAt(now),
    body: () => stepOf(scheduler, scheduler.queue.pop()),
    step: () => {}
  })

/** Runs a popped entry's step, unless it was dropped meanwhile (the fiber may yield between the pop and the step). */
const stepOf = (scheduler: Scheduler, entry: Entry): Effect.Effect<void> =>
  Effect.matchCauseEffect(Effect.suspend(() => entry.onDead !== undefined ? entry.beat.step() : skipped), {
    onSuccess: (delay) => Effect.sync(() => requeue(scheduler, entry, delay)),
    onFailure: (cause) => Effect.suspend(() => settle(entry, cause))
  })

const skipped = Effect.succeed(0)

const requeue = (scheduler: Scheduler, entry: Entry, delay: number): void => {
  if (entry.onDead === undefined) return
  entry.deadline = millis(scheduler.clock) + delay
  scheduler.queue.push(entry)
}

const settle = (entry: Entry, cause: Cause.Cause<HeartbeatTimeout>): Effect.Effect<void> => {
  const onDead = entry.onDead
  entry.onDead = undefined
  entry.scheduler = undefined
  const timeout = Cause.failureOption(cause)
  if (Option.isNone(timeout)) return Effect.logError("Heartbeat step died; the heartbeat is dropped", cause)
  return onDead !== undefined ? declareDead(onDead, timeout.value) : Effect.void
}

const declareDead = (
  onDead: (timeout: HeartbeatTimeout) => void,
  timeout: HeartbeatTimeout
): Effect.Effect<void> => {
  try {
    onDead(timeout)
    return Effect.void
  } catch (defect) {
    return Effect.logError("Heartbeat onDead threw", Cause.die(defect))
  }
}

/** A binary min-heap of entries by deadline, then registration order; entries know their index (O(log n) removal). */
class DeadlineHeap {
  private readonly items: Array<Entry> = []

  get size(): number {
    return this.items.length
  }

  peek(): Entry | undefined {
    return this.items[0]
  }

  dueAt(now: number): boolean {
    return this.items.length > 0 && this.items[0].deadline <= now
  }

  push(entry: Entry): void {
    this.items.push(entry)
    this.up(entry, this.items.length - 1)
  }

  /** Removes and returns the earliest entry (the heap must not be empty). */
  pop(): Entry {
    const first = this.items[0]
    this.remove(first)
    return first
  }

  remove(entry: Entry): void {
    const items = this.items
    const last = items.pop()!
    const index = entry.index
    entry.index = -1
    if (last === entry) return
    this.down(last, index)
    if (last.index === index) this.up(last, index)
  }

  /** Moves `entry`, to be placed at `index`, up to where it belongs. */
  private up(entry: Entry, index: number): void {
    const items = this.items
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!before(entry, items[parent])) break
      this.place(items[parent], index)
      index = parent
    }
    this.place(entry, index)
  }

  /** Moves `entry`, to be placed at `index`, down to where it belongs. */
  private down(entry: Entry, index: number): void {
    const items = this.items
    const size = items.length
    for (;;) {
      const left = 2 * index + 1
      if (left >= size) break
      const right = left + 1
      const child = right < size && before(items[right], items[left]) ? right : left
      if (!before(items[child], entry)) break
      this.place(items[child], index)
      index = child
    }
    this.place(entry, index)
  }

  private place(entry: Entry, index: number): void {
    this.items[index] = entry
    entry.index = index
  }
}

const before = (a: Entry, b: Entry): boolean =>
  a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order)
