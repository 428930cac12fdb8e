/**
 * Spans for `connect` and `request`, made only when a tracer other than Effect's built-in one is in use. The built-in
 * tracer exports nothing, and each of its spans costs more than the rest of a request's own work (two random hex ids
 * built char by char, a copy of the context, an `onExit`): measured ~13 µs of ~33 µs CPU per request.
 */
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

const builtInTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/** @internal */
export const withSpan = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  name: string,
  attributes: Record<string, unknown>
): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) =>
    tracer === builtInTracer ? self : Effect.withSpan(self, name, { attributes, captureStackTrace: false })
  )

/** `withSpan` for a tracer already at hand (e.g. read from the fiber with the rest of what a request needs). */
export const withSpanOf = <A, E, R>(
  tracer: Tracer.Tracer,
  self: Effect.Effect<A, E, R>,
  name: string,
  attributes: Record<string, unknown>
): Effect.Effect<A, E, R> =>
  tracer === builtInTracer ? self : Effect.withSpan(self, name, { attributes, captureStackTrace: false })
