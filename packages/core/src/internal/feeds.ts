/**
 * The broadcasts of a client's frames, events and state, when they outlive the client: a supervised client's stable
 * handle owns one `Feeds`, and every incarnation's runtime publishes straight into it (no copy, no forwarding fiber).
 * The runtime finds it in its context at `connect` (provided by the supervisor, invisible to users).
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as ClientEvent from "../ClientEvent.js"
import type * as ClientOptions from "../ClientOptions.js"
import type * as Message from "../Message.js"
import { Broadcast } from "./broadcast.js"

/** @internal */
export type State = "connecting" | "connected" | "disconnected"

/** @internal */
export class Feeds {
  readonly inbound: Broadcast<Message.Message>
  readonly events = new Broadcast<ClientEvent.ClientEvent>()
  readonly state = new Broadcast<State>()
  /** the last state published (by a runtime or the handle), so that the handle publishes changes only */
  lastState: State = "connecting"
  /** the runtime publishing now: told when a reader took its frames (it may resume a paused socket) */
  current: { readonly onTaken: () => void } | undefined = undefined
  /** called once the current runtime will connect no more (it gave up); `settled` waits for its loop to finish */
  ended: ((settled: Effect.Effect<void>) => void) | undefined = undefined

  constructor(inbound: ClientOptions.Resolved["inbound"]) {
    this.inbound = inbound.strategy === "suspend"
      ? new Broadcast("unbounded", Infinity, this)
      : new Broadcast(inbound.strategy, inbound.bufferSize)
  }

  /** Publishes a state, unless it is the last one published. */
  publishState(state: State): void {
    if (this.lastState === state) return
    this.lastState = state
    this.state.publish([state])
  }

  onTaken(): void {
    this.current?.onTaken()
  }

  /** The handle is gone: readers take what they hold, then their streams end. */
  end(): void {
    this.inbound.end()
    this.events.end()
    this.state.end()
  }
}

/** @internal */
export const FeedsTag: Context.Tag<Feeds, Feeds> = Context.GenericTag<Feeds>("@zen-websocket/core/internal/Feeds")
