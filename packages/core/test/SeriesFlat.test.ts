/**
 * The number of metric series stays flat as clients come and go (issue 13 item 4, "1 000 short-lived clients leave
 * the series count where it started"). Effect 3's metric registry has no unregister, so the rule is a bounded
 * label: an unnamed client's metrics carry no `client_id` tag, a named client's carry its `id`, which the user
 * chooses from a bounded set (a feed's name, not a connection's uuid). The last test shows the count does move when
 * the label is unbounded, so the flat counts are a measurement, not a constant.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Client from "../src/Client.js"
import * as Telemetry from "../src/Telemetry.js"
import * as Testing from "../src/Testing.js"

/** distinct name + tags pairs of the `zen_websocket_*` metrics in Effect's global registry */
const seriesCount = Effect.sync(() => {
  const keys = new Set<string>()
  for (const pair of Metric.unsafeSnapshot()) {
    const key = pair.metricKey
    if (!key.name.startsWith("zen_websocket_")) continue
    const tags = key.tags.map((t) => `${t.key}=${t.value}`).sort().join(",")
    keys.add(`${key.name}{${tags}}`)
  }
  return keys.size
})

/** series tagged with this `client_id` */
const seriesOf = (id: string) =>
  Effect.sync(() =>
    Metric.unsafeSnapshot().filter((p) =>
      p.metricKey.name.startsWith("zen_websocket_") &&
      p.metricKey.tags.some((t) => t.key === "client_id" && t.value === id)
    ).length
  )

/**
 * One short-lived client: connect, a plain send, a request, a subscribe, then close (every traffic counter and the
 * disconnect counter see it).
 */
const shortLived = (url: string, id: string | undefined) =>
  Effect.scoped(Effect.gen(function*() {
    const client = yield* Client.connect(url, id === undefined ? { retryCount: 0 } : { id, retryCount: 0 })
    yield* Client.sendMessage(client, "hi")
    yield* Client.request(client, { method: "public/test" })
    yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
    yield* Client.close(client)
  }))

/** `total` clients, `batch` at a time */
const churn = (total: number, batch: number, idOf: (i: number) => string | undefined, url: string) =>
  Effect.forEach(
    Array.from({ length: Math.ceil(total / batch) }, (_, b) => b),
    (b) =>
      Effect.forEach(
        Array.from({ length: Math.min(batch, total - b * batch) }, (_, j) => b * batch + j),
        (i) => shortLived(url, idOf(i)),
        { concurrency: batch, discard: true }
      ),
    { discard: true }
  )

/** a bounded set of names: what `id` is for (one per feed, reused when the feed's client is replaced) */
const feeds = ["deribit-ticker", "deribit-book", "okx-trades", "bybit-orders"] as const

describe("metric series stay flat as clients come and go", () => {
  it.scopedLive(
    "1 000 short-lived clients, unnamed and named (bounded ids), leave the series count where it started",
    () =>
      Effect.gen(function*() {
        const server = yield* Testing.startMockServer()
        // warm-up: one unnamed client, one client per feed name (their series exist from then on)
        yield* shortLived(server.url, undefined)
        yield* Effect.forEach(feeds, (id) => shortLived(server.url, id), { discard: true })
        const before = yield* seriesCount
        const sentBefore = (yield* Metric.value(Telemetry.messageSent.pipe(Metric.tagged("kind", "message")))).count

        yield* churn(500, 10, () => undefined, server.url)
        yield* churn(500, 10, (i) => feeds[i % feeds.length], server.url)

        assert.strictEqual(yield* seriesCount, before)
        // the clients did count (the unnamed ones in the untagged series)
        const sentAfter = (yield* Metric.value(Telemetry.messageSent.pipe(Metric.tagged("kind", "message")))).count
        assert.strictEqual(sentAfter - sentBefore, 500)
        for (const id of feeds) {
          const sent = yield* Metric.value(
            Telemetry.messageSent.pipe(Metric.tagged("client_id", id), Metric.tagged("kind", "message"))
          )
          assert.strictEqual(sent.count, 1 + 125, id)
        }
        assert.strictEqual(yield* server.totalConnections, 1 + feeds.length + 1000)
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("a Telemetry service of the user's own that wraps make's emit sees every event, and unnamed clients add no series through it", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      const inner = yield* Telemetry.make()
      let seen = 0
      // a user's service: counts the events, then hands them to the library's service (which records the metrics)
      const own: Telemetry.Telemetry = {
        ...inner,
        emit: (event) => Effect.suspend(() => (seen++, inner.emit(event)))
      }
      const run = (n: number) =>
        churn(n, 10, () => undefined, server.url).pipe(Effect.provideService(Telemetry.Telemetry, own))
      yield* run(1)
      const before = yield* seriesCount
      const seenBefore = seen
      yield* run(50)
      // its emit is the one called (a copy of make's service is not make's service) …
      assert.isAtLeast(seen - seenBefore, 50 * 6) // upgrade, 3 frames sent, request, received, disconnect
      // … and it records with the client's rule: no client_id tag for an unnamed client
      assert.strictEqual(yield* seriesCount, before)
    }))

  it.scopedLive("an unbounded id (one per client) does add series: the count above is able to move", () =>
    Effect.gen(function*() {
      const server = yield* Testing.startMockServer()
      yield* shortLived(server.url, undefined)
      const before = yield* seriesCount
      const ids = Array.from({ length: 20 }, (_, i) => `leak-${i}-${Math.random().toString(36).slice(2, 8)}`)
      yield* churn(ids.length, 10, (i) => ids[i], server.url)
      const perClient = yield* seriesOf(ids[0]!)
      // message_sent and bytes_sent by kind (message, request, subscribe), message_received, bytes_received,
      // request_total, disconnects
      assert.isAtLeast(perClient, 6)
      assert.strictEqual((yield* seriesCount) - before, perClient * ids.length)
    }))
})
