import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type * as Client from "../../src/Client.js"
import type * as ClientEvent from "../../src/ClientEvent.js"

export type Tag = ClientEvent.ClientEvent["_tag"]
export type EventOf<T extends Tag> = Extract<ClientEvent.ClientEvent, { _tag: T }>

/** Records a client's events from now on; `next(tag)` waits for the next event with that tag. */
export const recordEvents = (client: Client.Client) =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<ClientEvent.ClientEvent>()
    const all = yield* Ref.make<Array<ClientEvent.ClientEvent>>([])
    const events = yield* client.eventsScoped
    yield* events.pipe(
      Stream.runForEach((e) => Effect.zipRight(Ref.update(all, (a) => [...a, e]), Queue.offer(queue, e))),
      Effect.forkScoped
    )
    const next = <T extends Tag>(tag: T): Effect.Effect<EventOf<T>> =>
      Effect.flatMap(Queue.take(queue), (e) => e._tag === tag ? Effect.succeed(e as EventOf<T>) : next(tag))
    return { next, all: Ref.get(all) }
  })
