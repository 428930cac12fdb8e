/**
 * From the connection flags to `Client.connect`'s options, and the pieces every connected command shares: watching
 * the lifecycle, knowing when the client gave up.
 */
import * as Client from "@zen-websocket/core/Client"
import type * as ClientEvent from "@zen-websocket/core/ClientEvent"
import type * as ClientOptions from "@zen-websocket/core/ClientOptions"
import * as Recorder from "@zen-websocket/core/Recorder"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Dialects from "./dialects.js"
import { CliError, explain } from "./errors.js"
import type { Output } from "./output.js"
import * as Render from "./render.js"

/** The connection flags (see `flags.ts`). */
export interface Flags {
  readonly header: ReadonlyArray<readonly [string, string]>
  readonly subprotocol: ReadonlyArray<string>
  readonly ping: Option.Option<number>
  readonly retry: Option.Option<number>
  readonly noReconnect: boolean
  readonly insecure: boolean
  readonly ca: Option.Option<string>
}

/** @internal */
export interface Extra {
  /** attempts when `--retry` is absent (undefined: the core's default) */
  readonly defaultRetry?: number | undefined
  readonly timeout?: number | undefined
  readonly requestTimeout?: number | undefined
  readonly recordTo?: string | undefined
  readonly dialect?: string | undefined
}

const headers = (pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> => {
  const result: Record<string, string> = {}
  for (const [name, value] of pairs) {
    const key = Object.keys(result).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name
    result[key] = result[key] === undefined ? value : `${result[key]}, ${value}`
  }
  return result
}

const readCa = (path: string) =>
  Effect.try({
    try: () => Fs.readFileSync(path, "utf8"),
    catch: (cause) =>
      new CliError({
        reason: "input",
        message: `--ca ${path} cannot be read: ${(cause as Error).message}`,
        suggestion: "Pass a PEM file of certificate authorities (for `zenws serve --tls`, the path it prints)",
        cause
      })
  })

/** The options of `Client.connect` for these flags; `--insecure` is said out loud on stderr. */
export const options = (flags: Flags, extra: Extra, output: Output): Effect.Effect<ClientOptions.Options, CliError> =>
  Effect.gen(function*() {
    const ca = Option.isSome(flags.ca) ? yield* readCa(flags.ca.value) : undefined
    if (flags.insecure) {
      output.error(
        output.paint("yellow", "warning:") + " --insecure: TLS certificates are not verified; anyone between you and " +
          "the server can read and change this session"
      )
    }
    const tls = flags.insecure || ca !== undefined
      ? { ...(ca === undefined ? {} : { ca }), ...(flags.insecure ? { rejectUnauthorized: false } : {}) }
      : undefined
    const retryCount = Option.getOrElse(flags.retry, () => extra.defaultRetry)
    const dialect = extra.dialect === undefined ? undefined : Dialects.find(extra.dialect)
    return {
      headers: headers(flags.header),
      protocols: flags.subprotocol,
      heartbeatConfig: Option.match(flags.ping, {
        onNone: () => undefined,
        onSome: (interval) => ({ type: "ping", interval } as const)
      }),
      retryCount,
      reconnectOnError: !flags.noReconnect,
      tls,
      timeout: extra.timeout,
      requestTimeout: extra.requestTimeout,
      recordTo: extra.recordTo,
      subscriptionProtocol: dialect?.make()
    }
  })

/** Prints the lifecycle on stderr from now on; resolves `gaveUp` with the reason when the client stops for good. */
export const watch = (
  client: Client.Client,
  output: Output,
  print: boolean
): Effect.Effect<Deferred.Deferred<unknown>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const gaveUp = yield* Deferred.make<unknown>()
    const events = yield* client.eventsScoped
    const onEvent = (event: ClientEvent.ClientEvent) =>
      Effect.suspend(() => {
        const line = print ? Render.event(event) : undefined
        if (line !== undefined) output.error(output.paint("dim", `* ${line}`))
        return event._tag === "GaveUp" ? Deferred.succeed(gaveUp, event.cause) : Effect.void
      })
    yield* Effect.forkScoped(Stream.runForEach(events, onEvent))
    return gaveUp
  })

/** A close the server meant (1000 normal, 1001 going away): not a failure of the command. */
export const isNormalEnd = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && (cause as { _tag?: unknown })._tag === "Disconnected" &&
  [1000, 1001].includes((cause as { code: number }).code)

/** Closes the client now (1000 if the link is up) — before the scope's own finalizers — and says so. */
export const closeOnExit = (client: Client.Client, output: Output, say: boolean) =>
  Effect.addFinalizer(() =>
    Effect.flatMap(Client.getState(client), (state) =>
      Effect.zipRight(
        Client.close(client),
        Effect.sync(() => {
          if (say) output.error(output.paint("dim", state === "connected" ? "* closed (1000)" : "* closed"))
        })
      ))
  )

/** Once everything registered after it has closed (the client, so the recording is flushed): what the file holds. */
export const summariseOnExit = (path: string, output: Output, describe: (meta: Recorder.Metadata) => string) =>
  Effect.addFinalizer(() =>
    Recorder.metadata(path).pipe(
      Effect.match({
        onFailure: (error) => output.error(`${output.paint("red", "recording:")} ${explain(error).message}`),
        onSuccess: (meta) => output.error(output.paint("dim", `* ${describe(meta)}`))
      })
    )
  )
