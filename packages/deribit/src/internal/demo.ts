/**
 * The Deribit demo's program: a session on the embedded simulator (no internet) that authenticates, follows a ticker
 * and a maintained book (a live top-of-book line), places and cancels an order, lives through a simulator restart
 * (each step of the reconnect printed from what the simulator received), resyncs a forced change-id gap, and prints
 * the latency split into network and server time.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as DeribitClient from "../DeribitClient.js"
import * as DeribitSimulator from "../DeribitSimulator.js"
import * as OrderBook from "../OrderBook.js"

/** @internal */
export interface Options {
  /** where the lines go (e.g. `Console.log`) */
  readonly log: (line: string) => Effect.Effect<void>
  /** how long to watch the top of the book before and after the restart (default 2 s each) */
  readonly watch?: number | undefined
}

const instrument = "BTC-PERPETUAL"

const price = (n: number | undefined) =>
  n === undefined ? "-" : n.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 })

/** The book's state as the stream maintains it, and how many updates came. */
interface Watch {
  book: OrderBook.OrderBook | undefined
  updates: number
  resynced: Array<OrderBook.Event>
  mark: number | undefined
}

const topLine = (watch: Watch, perSecond: number) => {
  const book = watch.book
  if (book === undefined) return "  (no book yet)"
  const bid = Option.getOrUndefined(OrderBook.bestBid(book))
  const ask = Option.getOrUndefined(OrderBook.bestAsk(book))
  const spread = Option.getOrUndefined(OrderBook.spread(book))
  return `  ${instrument}  bid ${price(bid?.price)} × ${bid?.amount ?? "-"}  |  ask ${price(ask?.price)} × ${
    ask?.amount ?? "-"
  }  |  spread ${price(spread)}  |  ${perSecond} updates/s  |  mark ${price(watch.mark)}  (change_id ${book.changeId})`
}

/** Prints the top of the book every second for `seconds`. */
const watchFor = (watch: Watch, seconds: number, log: Options["log"]) =>
  Effect.gen(function*() {
    for (let i = 0; i < seconds; i++) {
      const before = watch.updates
      yield* Effect.sleep("1 second")
      yield* log(topLine(watch, watch.updates - before))
    }
  })

const methodsAfter = (sim: DeribitSimulator.DeribitSimulator, connectionId: number) =>
  Effect.map(sim.requests(connectionId), (requests) => requests.map((r) => r))

/** @internal */
export const run = (options: Options): Effect.Effect<void, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const { log } = options
    const seconds = Math.max(1, Math.round(options.watch ?? 2))
    yield* log("zen-websocket × Deribit: a session on the embedded Deribit simulator (127.0.0.1, no internet)")
    const sim = yield* DeribitSimulator.start({ tokenTtl: "10 minutes" })
    yield* log(
      `simulator on ${sim.url}: auth, heartbeats, cancel-on-disconnect, credits, 32 kB frames, a seeded market`
    )

    // 1. connect
    const session = yield* DeribitClient.connect({
      url: sim.url,
      credentials: { clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret },
      heartbeatInterval: 10,
      cancelOnDisconnect: "connection",
      retryDelay: 100,
      maxBackoff: 500
    })
    const first = yield* methodsAfter(sim, 1)
    yield* log(`\n1. connected and authenticated: ${first.map((r) => r.method).join(" → ")}`)

    // 2. ticker + maintained book
    const watch: Watch = { book: undefined, updates: 0, resynced: [], mark: undefined }
    const book = yield* OrderBook.stream(session, instrument, "100ms").pipe(
      Stream.runForEach((event) =>
        Effect.sync(() => {
          watch.book = event.book
          watch.updates++
          if (event._tag === "BookResynced") watch.resynced.push(event)
        })
      ),
      Effect.forkScoped
    )
    const ticker = yield* DeribitClient.ticker(session, instrument, "100ms").pipe(
      Stream.runForEach((t) => Effect.sync(() => (watch.mark = t.mark_price))),
      Effect.forkScoped
    )
    yield* log(`\n2. subscribed to ticker.${instrument}.100ms and book.${instrument}.100ms (maintained book):`)
    yield* watchFor(watch, seconds, log)

    // 3. an order
    const bid = Option.getOrUndefined(OrderBook.bestBid(watch.book!))
    const limit = Math.floor(((bid?.price ?? 50_000) * 0.95) / 0.5) * 0.5
    const placed = yield* DeribitClient.request(session, "private/buy", {
      instrument_name: instrument,
      amount: 10,
      type: "limit",
      price: limit,
      label: "demo"
    })
    yield* log(`\n3. order ${placed.order.order_id}: buy 10 @ ${price(limit)} → ${placed.order.order_state}`)
    const cancelled = yield* DeribitClient.request(session, "private/cancel", { order_id: placed.order.order_id })
    yield* log(`   cancelled → ${cancelled.order_state}`)
    const resting = yield* DeribitClient.request(session, "private/buy", {
      instrument_name: instrument,
      amount: 10,
      type: "limit",
      price: limit - 50,
      label: "demo-resting"
    })
    yield* log(`   another one left resting (${resting.order.order_id}): cancel-on-disconnect will take it`)

    // 4. the restart
    yield* log("\n4. the simulator restarts (every connection closed with 1001, then it listens again):")
    const events = yield* session.client.eventsScoped
    const printed = yield* events.pipe(
      Stream.takeUntil((e) => e._tag === "Connected"),
      Stream.runForEach((e) => {
        switch (e._tag) {
          case "Disconnected":
            return log(`   link lost (${e.code}${e.reason ? ` ${e.reason}` : ""})`)
          case "Reconnecting":
            return log(`   reconnecting in ${Math.round(e.delayMs)} ms (attempt ${e.attempt})`)
          case "SubscriptionsRestored":
            return log(
              `   resubscribed: ${e.restored.join(", ")}${
                e.rejected.length > 0 ? `; refused ${e.rejected.length}` : ""
              }`
            )
          case "Connected":
            return log("   connected again (only now: the book had its new snapshot)")
          default:
            return Effect.void
        }
      }),
      Effect.forkScoped
    )
    const before = yield* sim.totalConnections
    yield* sim.restart
    yield* Fiber.join(printed)
    const connection = (yield* sim.connections).at(-1)!
    const sequence = yield* methodsAfter(sim, connection.id)
    yield* log(`   what the simulator received on connection ${connection.id}, in order:`)
    for (const request of sequence) {
      const params = request.params as Record<string, unknown> | undefined
      const detail = request.method === "public/auth"
        ? ` (${String(params?.grant_type)}: a fresh token for this connection)`
        : request.method === "public/set_heartbeat"
        ? ` (${String(params?.interval)} s)`
        : request.method === "private/enable_cancel_on_disconnect"
        ? ` (scope ${String(params?.scope)})`
        : request.method.endsWith("subscribe")
        ? ` (${(params?.channels as Array<string> | undefined)?.join(", ")})`
        : ""
      yield* log(`     ${request.method}${detail}`)
    }
    const restingNow = (yield* sim.orders()).find((o) => o.order_id === resting.order.order_id)
    yield* log(
      `   book resynced (now at change_id ${watch.book?.changeId}); resting order ${restingNow?.order_state} (${
        restingNow?.cancel_reason ?? "-"
      }); connections ${before} → ${yield* sim.totalConnections}`
    )
    yield* watchFor(watch, seconds, log)

    // 5. a gap
    yield* log("\n5. the simulator skips a change_id (a lost notification):")
    const resyncsBefore = watch.resynced.length
    yield* sim.skipChangeId(instrument)
    yield* Effect.sleep("300 millis").pipe(Effect.repeat({ until: () => watch.resynced.length > resyncsBefore }))
    const resynced = watch.resynced.at(-1)!
    if (resynced._tag === "BookResynced") {
      yield* log(
        `   gap: expected prev_change_id ${resynced.gap.expected}, got ${resynced.gap.prevChangeId} → resubscribed → BookResynced at change_id ${resynced.book.changeId}`
      )
    }
    // the market keeps moving: compare at a moment the book caught up with the simulator's (a few tries)
    const compare = Effect.map(sim.book(instrument), (simBook) => {
      const current = watch.book!
      return {
        changeId: simBook.changeId,
        same: current.changeId === simBook.changeId &&
          OrderBook.sameLevels(current, OrderBook.make(instrument, simBook))
      }
    })
    let check = yield* compare
    for (let i = 0; i < 40 && !check.same; i++) {
      yield* Effect.sleep("25 millis")
      check = yield* compare
    }
    const { changeId, same } = check
    yield* log(`   maintained book equals the simulator's (change_id ${changeId}): ${same ? "yes" : "no"}`)

    // 6. latency
    for (let i = 0; i < 20; i++) yield* DeribitClient.request(session, "public/get_time", {})
    const { network, server } = yield* DeribitClient.latency(session)
    const fmt = (s: typeof network) =>
      Option.match(s, { onNone: () => "-", onSome: (x) => `p50 ${x.p50.toFixed(3)} ms, p99 ${x.p99.toFixed(3)} ms` })
    yield* log(`\n6. latency of ${Option.match(network, { onNone: () => 0, onSome: (x) => x.count })} requests:`)
    yield* log(`   network ${fmt(network)}`)
    yield* log(`   server  ${fmt(server)} (Deribit's usDiff)`)

    // 7. close
    yield* Fiber.interrupt(book)
    yield* Fiber.interrupt(ticker)
    yield* DeribitClient.close(session, { logout: true })
    yield* log("\n7. closed: private/logout (cancel-on-disconnect does not fire), then close 1000. Done.")
  })
