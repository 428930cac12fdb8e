/**
 * Spans for `connect` and `request`, made only when a tracer other than Effect's built-in one is in use. The built-in
 * tracer exports nothing, and each of its spans costs more than the rest of a request's own work (two random hex ids
 * built char by char, a copy of the context, an `onExit`): measured ~13 µs of ~33 µs CPU per request. The attributes
 * are a thunk, so that nothing of them is built under the built-in tracer either.
 *
 * Every span is of kind `client` with the OpenTelemetry semantic-convention attributes of the server it talks to
 * (`url.full` with its secrets masked, `server.address`, `server.port`, `url.scheme`, `network.protocol.name`); a
 * request's span adds the JSON-RPC ones (`rpc.system`, `rpc.method`, `rpc.jsonrpc.version`,
 * `rpc.jsonrpc.request_id`).
 */
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

const builtInTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/** @internal */
export type Attributes = Readonly<Record<string, unknown>>

/** @internal */
export const withSpan = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  name: string,
  attributes: () => Attributes,
  late?: () => Attributes | undefined
): Effect.Effect<A, E, R> => Effect.tracerWith((tracer) => withSpanOf(tracer, self, name, attributes, late))

/**
 * `withSpan` for a tracer already at hand (e.g. read from the fiber with the rest of what a request needs). `late`:
 * attributes known only once `self` ended (the server of a URL given as an Effect), set on the span then.
 */
export const withSpanOf = <A, E, R>(
  tracer: Tracer.Tracer,
  self: Effect.Effect<A, E, R>,
  name: string,
  attributes: () => Attributes,
  late?: () => Attributes | undefined
): Effect.Effect<A, E, R> =>
  tracer === builtInTracer
    ? self
    : Effect.withSpan(late === undefined ? self : Effect.ensuring(self, annotateLate(late)), name, {
      attributes: attributes(),
      kind: "client",
      captureStackTrace: false
    })

const annotateLate = (late: () => Attributes | undefined): Effect.Effect<void> =>
  Effect.suspend(() => {
    const attributes = late()
    return attributes === undefined ? Effect.void : Effect.annotateCurrentSpan(attributes)
  })

const defaultPorts: Readonly<Record<string, number>> = { "ws:": 80, "wss:": 443 }

/** What every span says of the protocol, also before the server is known (an Effect URL not yet evaluated). */
export const protocolAttributes: Attributes = { "network.protocol.name": "websocket" }

/**
 * The server a client dials, for span attributes: `shown` is the URL as every output shows it (secrets masked, or
 * `<redacted>` for a `Redacted` URL); the raw URL is read only for its host and port, inside the closure, and is not
 * kept (nor shown by an inspection of the runtime). The attributes are built at the first span that needs them.
 *
 * @internal
 */
export interface Server {
  readonly attributes: () => Attributes
}

/** @internal */
export const server = (shown: string, url: string): Server => {
  let attributes: Attributes | undefined
  let raw: string | undefined = url
  return {
    attributes: () => {
      if (attributes === undefined) {
        attributes = serverAttributes(shown, raw!)
        raw = undefined
      }
      return attributes
    }
  }
}

/**
 * `url.full` (as shown), `url.scheme`, `server.address` (an IPv6 address without its brackets), `server.port` (the
 * scheme's default when the URL names none) and `network.protocol.name`.
 */
const serverAttributes = (shown: string, url: string): Attributes => {
  const out: Record<string, unknown> = { "url.full": shown }
  try {
    const parsed = new URL(url)
    out["url.scheme"] = parsed.protocol.slice(0, -1)
    out["server.address"] = parsed.hostname.replace(/^\[(.*)\]$/, "$1")
    const port = parsed.port === "" ? defaultPorts[parsed.protocol] : Number(parsed.port)
    if (port !== undefined) out["server.port"] = port
  } catch {
    // a URL the socket refused: only what is shown
  }
  out["network.protocol.name"] = "websocket"
  return out
}
