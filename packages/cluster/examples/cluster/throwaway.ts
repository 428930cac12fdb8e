/**
 * A throwaway Postgres, for the example and the tests on one machine: Debian's `postgresql` binaries
 * (`apt-get install postgresql`), a fresh database cluster in a temp directory, listening on a free loopback port,
 * stopped and removed when the scope closes. `initdb` and `pg_ctl` refuse to run as root, so as root they run as the
 * `postgres` user. Not for production: it trusts every local connection and does not sync to disk.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"

export class PostgresUnavailable extends Data.TaggedError("PostgresUnavailable")<{ readonly reason: string }> {}

export interface Postgres {
  readonly url: string
  readonly port: number
}

const binDir = (): string | undefined => {
  const root = "/usr/lib/postgresql"
  if (!Fs.existsSync(root)) return undefined
  const versions = Fs.readdirSync(root).filter((v) => Fs.existsSync(Path.join(root, v, "bin", "initdb")))
  versions.sort((a, b) => Number(b) - Number(a))
  return versions.length === 0 ? undefined : Path.join(root, versions[0], "bin")
}

const run = (asPostgres: boolean, file: string, args: ReadonlyArray<string>) =>
  Effect.async<string, PostgresUnavailable>((resume) => {
    const [command, argv] = asPostgres ? ["runuser", ["-u", "postgres", "--", file, ...args]] : [file, [...args]]
    execFile(command, argv, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) {
        resume(Effect.fail(new PostgresUnavailable({ reason: `${Path.basename(file)}: ${stderr || error.message}` })))
      } else resume(Effect.succeed(stdout))
    })
  })

export const startPostgres: Effect.Effect<Postgres, PostgresUnavailable, Scope.Scope> = Effect.gen(function*() {
  const bin = binDir()
  if (bin === undefined) {
    return yield* new PostgresUnavailable({
      reason: "no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)"
    })
  }
  const asPostgres = process.getuid?.() === 0
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "zen-cluster-pg-"))),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )
  if (asPostgres) {
    const { gid, uid } = yield* Effect.try({
      try: () => lookupUser("postgres"),
      catch: () => new PostgresUnavailable({ reason: "running as root and there is no `postgres` user" })
    })
    Fs.chownSync(dir, uid, gid)
  }
  const data = Path.join(dir, "data")
  yield* run(asPostgres, Path.join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync"
  ])
  const port = yield* freePort
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`
  yield* Effect.acquireRelease(
    run(asPostgres, Path.join(bin, "pg_ctl"), [
      "-D",
      data,
      "-l",
      Path.join(dir, "log"),
      "-o",
      options,
      "-w",
      "-t",
      "60",
      "start"
    ]),
    () => Effect.ignore(run(asPostgres, Path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]))
  )
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port }
})

const lookupUser = (name: string): { readonly uid: number; readonly gid: number } => {
  const line = Fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith(`${name}:`))
  if (line === undefined) throw new Error(`no user ${name}`)
  const [, , uid, gid] = line.split(":")
  return { uid: Number(uid), gid: Number(gid) }
}

/** a port nobody listens on right now (127.0.0.1) */
export const freePort: Effect.Effect<number> = Effect.async((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as Net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})
