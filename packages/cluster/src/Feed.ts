/**
 * A feed: one upstream WebSocket connection the cluster keeps open on exactly one runner at a time.
 *
 * @since 0.1.0
 */
import type { Client, ClientSupervisor } from "@zen-websocket/core"
import { ClientOptions, WebSocketError } from "@zen-websocket/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"

/**
 * - `name`: unique in the cluster; it addresses the feed (`ClusterFeeds.send(name, …)`), names its singleton and is
 *   the client's `id`;
 * - `url`, `options`: as for `ClientSupervisor.startClient`, so `onConnect` / `onDisconnect` run on the runner that
 *   owns the feed, on every start and stop there, and their failures are caught and logged;
 * - `run`: the code that consumes the connection (write to a database, republish…). It runs on the owner once the
 *   client is connected and its stored subscriptions are restored, in a scope that closes when the runner gives the
 *   feed up. Subscriptions it makes come back with it on the next owner. If it fails it is logged and run again
 *   (`ClusterFeeds.Options.runRetry`: backing off from 1 s to 30 s); the connection stays up meanwhile.
 *
 * @example
 * ```ts
 * import { Feed } from "@zen-websocket/cluster"
 * import { Client } from "@zen-websocket/core"
 * import { Effect } from "effect"
 *
 * const ticker = Feed.make({
 *   name: "btc-ticker",
 *   url: "wss://test.deribit.com/ws/api/v2",
 *   options: { heartbeatConfig: { type: "ping", interval: 30_000 }, onConnect: (c) => Effect.log(`${c.id} up`) },
 *   run: (client) =>
 *     Effect.gen(function*() {
 *       yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
 *       yield* Client.forEachChunk(client, (frames) => Effect.log(`${frames.length} frames`))
 *     })
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Feed<E = never, R = never> {
  readonly name: string
  /** a `ws://` / `wss://` URL, `Redacted` when it carries a secret, or an Effect evaluated on every attempt */
  readonly url: ClientOptions.UrlInput
  readonly options?: Omit<ClientSupervisor.StartOptions, "id"> | undefined
  readonly run?: ((client: Client.Client) => Effect.Effect<unknown, E, R>) | undefined
}

/**
 * The services the feeds' `run` functions need (a `Scope` is provided).
 *
 * @since 0.1.0
 * @category models
 */
export type Context<F> = F extends Feed<infer _E, infer R> ? Exclude<R, Scope.Scope> : never

/**
 * Builds a feed, inferring the types of its `run`.
 *
 * @example
 * ```ts
 * import { Feed } from "@zen-websocket/cluster"
 * import { Client } from "@zen-websocket/core"
 *
 * const eth = Feed.make({
 *   name: "eth-ticker",
 *   url: "wss://test.deribit.com/ws/api/v2",
 *   run: (client) => Client.subscribe(client, ["ticker.ETH-PERPETUAL.100ms"])
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <E = never, R = never>(feed: Feed<E, R>): Feed<E, R> => feed

/**
 * Checks a set of feeds before anything connects: names non-empty and unique, URLs (other than Effects) `ws://` /
 * `wss://`, client options valid. Fails with an `InvalidOptions` for the first bad feed, its fields prefixed with the
 * feed's name.
 *
 * @example
 * ```ts
 * import { Feed } from "@zen-websocket/cluster"
 * import { Effect } from "effect"
 *
 * // InvalidOptions: "btc.url" must be a ws:// or wss:// URL …
 * const checked = Feed.validate([Feed.make({ name: "btc", url: "https://feed.example" })]).pipe(Effect.either)
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (
  feeds: ReadonlyArray<Feed<unknown, unknown>>
): Effect.Effect<void, WebSocketError.InvalidOptions> =>
  Effect.forEach(feeds, (feed, index) =>
    Effect.gen(function*() {
      if (typeof feed.name !== "string" || feed.name.length === 0) {
        return yield* invalid(`feeds[${index}].name`, feed.name, "must be a non-empty string")
      }
      if (feeds.findIndex((other) => other.name === feed.name) !== index) {
        return yield* invalid(`feeds[${index}].name`, feed.name, "must be unique: another feed has this name")
      }
      if (typeof feed.url === "string" || Redacted.isRedacted(feed.url)) {
        yield* ClientOptions.validateUrl(feed.url).pipe(Effect.mapError(within(feed.name)))
      }
      const {
        maxRestarts: _m,
        onConnect: _c,
        onDisconnect: _d,
        restartSchedule: _s,
        window: _w,
        ...options
      } = feed.options ?? {}
      yield* ClientOptions.validate(options).pipe(Effect.mapError(within(feed.name)))
    }), { discard: true })

const invalid = (field: string, value: unknown, rule: string) =>
  Effect.fail(new WebSocketError.InvalidOptions({ field, value, rule }))

const within = (name: string) => (error: WebSocketError.InvalidOptions) =>
  new WebSocketError.InvalidOptions({
    field: `${name}.${error.field}`,
    value: error.value,
    rule: error.rule,
    issues: error.issues.map((issue) => ({ ...issue, field: `${name}.${issue.field}` }))
  })
