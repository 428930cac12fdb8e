/**
 * What runs on the Effect `Clock`: each connection's heartbeat (`public/set_heartbeat`) and the market's 100 ms tick
 * (generator step, then the `100ms` / `agg2` flushes). Under `TestClock` both advance only when the test moves time.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as io from "./io.js"
import { commit, generate } from "./market.js"
import * as notify from "./notify.js"
import type { Outcome } from "./outcome.js"
import { invalidParam, ok } from "./outcome.js"
import type { Connection, HeartbeatState, State } from "./state.js"

/** Deribit's minimum heartbeat interval, in seconds. @internal */
export const minimumHeartbeat = 10

const heartbeatFrame = (type: "heartbeat" | "test_request"): string =>
  JSON.stringify({ jsonrpc: "2.0", method: "heartbeat", params: { type } })

/**
 * One heartbeat tick: an unanswered `test_request` closes the connection; otherwise a `test_request` when the client
 * was silent during the interval, a `heartbeat` when it was not. `false` ends the loop.
 */
const beat = (state: State, connection: Connection, hb: HeartbeatState): boolean => {
  if (!connection.open || connection.heartbeat !== hb) return false
  if (hb.awaitingTest) {
    io.close(state, connection, 1000, "heartbeat: test_request not answered")
    return false
  }
  const quiet = !hb.heard
  hb.heard = false
  hb.awaitingTest = quiet
  io.write(state, connection, heartbeatFrame(quiet ? "test_request" : "heartbeat"))
  return true
}

/** @internal */
export const stopHeartbeat = (connection: Connection): void => {
  const hb = connection.heartbeat
  connection.heartbeat = undefined
  hb?.fiber?.unsafeInterruptAsFork(FiberId.none)
}

/** `public/set_heartbeat`. @internal */
export const setHeartbeat = (state: State, connection: Connection, seconds: number): Outcome => {
  if (!(seconds >= minimumHeartbeat)) return invalidParam("interval", `must be at least ${minimumHeartbeat}`)
  stopHeartbeat(connection)
  const intervalMs = seconds * 1000
  const hb: HeartbeatState = { intervalMs, awaitingTest: false, heard: false, fiber: undefined }
  const loop: Effect.Effect<void> = Effect.sleep(intervalMs).pipe(
    Effect.andThen(Effect.sync(() => beat(state, connection, hb))),
    Effect.repeat({ while: (go) => go }),
    Effect.asVoid
  )
  connection.heartbeat = hb
  hb.fiber = state.runFork(loop)
  return ok("ok")
}

/** Every inbound frame counts as traffic; `public/test` also answers a pending `test_request`. @internal */
export const heard = (connection: Connection, method: string | undefined): void => {
  const hb = connection.heartbeat
  if (hb === undefined) return
  hb.heard = true
  if (method === "public/test") hb.awaitingTest = false
}

/** One market tick: a generator step per instrument (when on, or `force`), then the interval flushes. @internal */
export const marketTick = (state: State, force: boolean): void => {
  state.ticks += 1
  if (force || state.options.market.generate) {
    for (const instrument of state.instruments.values()) {
      const prints = generate(state, instrument)
      const batch = commit(state, instrument)
      if (batch !== undefined) notify.batch(state, batch)
      notify.trades(state, instrument, prints)
    }
  }
  notify.interval(state)
  io.flush(state)
}

/** Whether any subscription needs the tick: a market channel, or an aggregated interval to flush. */
const needsTicks = (state: State): boolean => {
  for (const connection of state.connections.values()) {
    for (const sub of connection.subscriptions.values()) {
      const tag = sub.channel._tag
      if (tag === "Ticker" || tag === "Book" || tag === "Trades") return true
      if ("interval" in sub.channel && sub.channel.interval !== "raw") return true
    }
  }
  return false
}

/**
 * The market's clock: a tick every `tickMs` while some subscription needs it; idle (no timer, so `TestClock` spans
 * stay cheap) otherwise, until a subscription is added.
 *
 * @internal
 */
export const marketLoop = (state: State): Effect.Effect<never> => {
  const idle = Effect.suspend(() => {
    if (needsTicks(state)) return Effect.void
    state.wake.unsafeClose()
    return state.wake.await
  })
  const tick = Effect.sleep(state.options.market.tickMs).pipe(
    Effect.andThen(Effect.sync(() => marketTick(state, false)))
  )
  return Effect.forever(Effect.zipRight(idle, tick))
}
