import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { FeedStoreError } from "../FeedError.js"

/** @internal */
export const makeMemory = () => {
  const owners = new Map<string, string>()
  const channels = new Map<string, Set<string>>()
  const channelsOf = (feed: string) => {
    let set = channels.get(feed)
    if (set === undefined) channels.set(feed, set = new Set())
    return set
  }
  return {
    claim: (feed: string, owner: string) =>
      Effect.sync(() => {
        const previous = Option.fromNullable(owners.get(feed))
        owners.set(feed, owner)
        return previous
      }),
    release: (feed: string, owner: string) =>
      Effect.sync(() => {
        if (owners.get(feed) === owner) owners.delete(feed)
      }),
    channels: (feed: string) => Effect.sync((): ReadonlyArray<string> => [...channelsOf(feed)]),
    addChannels: (feed: string, added: ReadonlyArray<string>) =>
      Effect.sync(() => {
        const set = channelsOf(feed)
        for (const channel of added) set.add(channel)
      }),
    removeChannels: (feed: string, removed: ReadonlyArray<string>) =>
      Effect.sync(() => {
        const set = channelsOf(feed)
        for (const channel of removed) set.delete(channel)
      })
  }
}

/** @internal */
export const makeSql = Effect.fnUntraced(function*(prefix: string) {
  const sql = yield* SqlClient.SqlClient
  const owners = sql(`${prefix}_feed_owners`)
  const channels = sql(`${prefix}_feed_channels`)

  // runners start together: serialise the table creation (Postgres' CREATE TABLE IF NOT EXISTS is not safe against a
  // concurrent one)
  const lock = sql.onDialectOrElse({
    pg: () => sql`SELECT pg_advisory_xact_lock(${hashPrefix(prefix)})`,
    orElse: () => Effect.void
  })
  yield* Effect.gen(function*() {
    yield* lock
    yield* sql`CREATE TABLE IF NOT EXISTS ${owners} (
      feed TEXT PRIMARY KEY,
      owner TEXT,
      since BIGINT NOT NULL
    )`
    yield* sql`CREATE TABLE IF NOT EXISTS ${channels} (
      feed TEXT NOT NULL,
      channel TEXT NOT NULL,
      added_at BIGINT NOT NULL,
      PRIMARY KEY (feed, channel)
    )`
  }).pipe(sql.withTransaction)

  const fail = (operation: FeedStoreError["operation"], feed: string) => (cause: unknown) =>
    new FeedStoreError({ operation, feed, cause })

  return {
    claim: (feed: string, owner: string) =>
      Effect.gen(function*() {
        const rows = yield* sql<{ owner: string | null }>`SELECT owner FROM ${owners} WHERE feed = ${feed}`
        yield* sql`INSERT INTO ${owners} (feed, owner, since) VALUES (${feed}, ${owner}, ${Date.now()})
          ON CONFLICT (feed) DO UPDATE SET owner = EXCLUDED.owner, since = EXCLUDED.since`
        return Option.fromNullable(rows[0]?.owner)
      }).pipe(sql.withTransaction, Effect.mapError(fail("claim", feed))),
    release: (feed: string, owner: string) =>
      sql`UPDATE ${owners} SET owner = NULL WHERE feed = ${feed} AND owner = ${owner}`.pipe(
        Effect.asVoid,
        Effect.mapError(fail("release", feed))
      ),
    channels: (feed: string) =>
      sql<{ channel: string }>`SELECT channel FROM ${channels} WHERE feed = ${feed} ORDER BY added_at, channel`.pipe(
        Effect.map((rows) => rows.map((row) => row.channel)),
        Effect.mapError(fail("channels", feed))
      ),
    addChannels: (feed: string, added: ReadonlyArray<string>) => {
      if (added.length === 0) return Effect.void
      const now = Date.now()
      return sql`INSERT INTO ${channels} ${sql.insert(added.map((channel) => ({ feed, channel, added_at: now })))}
        ON CONFLICT (feed, channel) DO NOTHING`.pipe(Effect.asVoid, Effect.mapError(fail("addChannels", feed)))
    },
    removeChannels: (feed: string, removed: ReadonlyArray<string>) => {
      if (removed.length === 0) return Effect.void
      return sql`DELETE FROM ${channels} WHERE feed = ${feed} AND ${sql.in("channel", removed)}`.pipe(
        Effect.asVoid,
        Effect.mapError(fail("removeChannels", feed))
      )
    }
  }
})

/** a stable 31-bit key for the table-creation lock */
const hashPrefix = (prefix: string): number => {
  let hash = 0
  for (const char of `zen-websocket/${prefix}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0
  return hash & 0x7fffffff
}
