/**
 * What an idle connected client keeps alive (bench target: ≤ 10 KB heap per connection with a ping heartbeat). These
 * are structural checks, not measurements: no fiber waits on a live link, heartbeats share one fiber, and nothing the
 * connect path created (its fibers) stays reachable from the socket once it is done.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import * as Client from "../src/Client.js"
import * as Testing from "../src/Testing.js"

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

/** Remembers every fiber started under it, weakly. */
class StartedFibers extends Supervisor.AbstractSupervisor<void> {
  readonly refs: Array<WeakRef<Fiber.RuntimeFiber<any, any>>> = []
  readonly value = Effect.void
  override onStart<A, E, R>(
    _context: Context.Context<R>,
    _effect: Effect.Effect<A, E, R>,
    _parent: Option.Option<Fiber.RuntimeFiber<any, any>>,
    fiber: Fiber.RuntimeFiber<A, E>
  ): void {
    this.refs.push(new WeakRef(fiber))
  }
}

const settle = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))

describe("an idle connected client", () => {
  it.scopedLive("has no fiber of its own: the link's end relaunches the loop, heartbeats share one fiber", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const supervisor = yield* Supervisor.track
      const clients = yield* Effect.forEach(
        Array.from({ length: 5 }),
        () => Client.connect(server.url, { heartbeatConfig: { type: "ping", interval: 60_000 } }),
        { concurrency: 5 }
      ).pipe(Effect.supervised(supervisor))
      yield* settle
      const running = (yield* supervisor.value).filter((fiber) => fiber.unsafePoll() === null)
      assert.isAtMost(running.length, 1, "at most the shared heartbeat scheduler runs")

      // the loop still works: a dropped link reconnects, from a fiber forked by the socket's close
      yield* server.simulateDisconnect(4001)
      yield* server.awaitConnections(5)
      for (const client of clients) {
        yield* client.stateChanges.pipe(Stream.filter((s) => s === "connected"), Stream.take(1), Stream.runDrain)
      }
    }))

  it.scopedLive("keeps none of the fibers that connected it (regression: a leftover upgrade listener did)", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const started = new StartedFibers()
      yield* Client.connect(server.url).pipe(Effect.supervised(started))
      yield* settle
      assert.isAbove(started.refs.length, 1, "connect ran on fibers")
      gc()
      gc()
      const retained = started.refs.map((ref) => ref.deref()).filter((fiber) => fiber !== undefined)
      // the fiber running this test may be among them; every other one must be collectable
      const others = retained.filter((fiber) => fiber.unsafePoll() !== null)
      assert.strictEqual(others.length, 0, "finished connect fibers are garbage once the link is up")
    }))

  it.scopedLive("stateChanges ends when the client closes", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const client = yield* Client.connect(server.url)
      const states = yield* Effect.fork(Stream.runCollect(client.stateChanges))
      yield* settle
      yield* client.close
      const seen = yield* Fiber.join(states)
      assert.deepStrictEqual([...seen], ["connected", "disconnected"])
    }))
})
