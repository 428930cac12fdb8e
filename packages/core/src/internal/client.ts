/**
 * The client object users hold: a thin face over the client's `Runtime`. Its streams and effects are getters on the
 * prototype (built on access), and so are `pipe`, `toJSON`, `toString` and Node inspect, so an idle client carries
 * only its id, options, runtime and the few functions that must work detached
 * (`Effect.forEach(frames, client.sendMessage)`).
 */
import * as Effect from "effect/Effect"
import type * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as Pipeable from "effect/Pipeable"
import type * as ClientOptions from "../ClientOptions.js"
import type * as JsonRpc from "../JsonRpc.js"
import type * as Message from "../Message.js"
import { ClientTypeId, DataProto } from "./proto.js"
import * as Requests from "./requests.js"
import type * as Runtime from "./runtime.js"
import * as Send from "./send.js"
import * as Subscriptions from "./subscriptions.js"

/**
 * What every client inherits (the supervisor's stable handles too): the type id, `pipe`, and `toJSON` / `toString` /
 * Node inspect showing `{ _id: "Client", id }` (plus the state where it is known).
 */
export interface ClientBase extends Pipeable.Pipeable, Inspectable.Inspectable {
  readonly [ClientTypeId]: typeof ClientTypeId
}

export const ClientProto: ClientBase = {
  [ClientTypeId]: ClientTypeId,
  ...DataProto,
  toJSON(this: { readonly id: string }) {
    return { _id: "Client", id: this.id }
  }
} as ClientBase

class ClientImpl {
  readonly id: string
  readonly options: ClientOptions.Resolved
  readonly forEachChunk: Runtime.Runtime["forEachChunk"]
  readonly sendMessage: (message: Send.Outbound) => ReturnType<typeof Send.send>
  readonly request: (
    request: JsonRpc.Request,
    options?: Requests.RequestOptions
  ) => Effect.Effect<unknown, Requests.RequestError>
  readonly subscribe: (channels: ReadonlyArray<string>) => ReturnType<typeof Subscriptions.subscribe>
  readonly unsubscribe: (channels: ReadonlyArray<string>) => ReturnType<typeof Subscriptions.unsubscribe>

  constructor(readonly runtime: Runtime.Runtime) {
    this.id = runtime.id
    this.options = runtime.options
    this.forEachChunk = (f) => runtime.forEachChunk(f)
    this.sendMessage = (message) => Send.send(runtime, message)
    this.request = (request, options) => Requests.request(runtime, request, options)
    this.subscribe = (channels) => Subscriptions.subscribe(runtime, channels)
    this.unsubscribe = (channels) => Subscriptions.unsubscribe(runtime, channels)
  }

  get messages() {
    return this.runtime.messages
  }
  get messagesScoped() {
    return this.runtime.messagesScoped
  }
  get events() {
    return this.runtime.events
  }
  get eventsScoped() {
    return this.runtime.eventsScoped
  }
  get stateChanges() {
    return this.runtime.stateChanges
  }
  get getState() {
    return Effect.sync(() => this.runtime.currentState)
  }
  get subscriptions() {
    return Effect.sync(() => [...this.runtime.tracked])
  }
  get getStateMetrics() {
    return Effect.sync(() => this.runtime.metrics())
  }
  get getLatencyStats() {
    return Effect.sync(() => Option.fromNullable(this.runtime.instruments.latency.summary()))
  }
  get getHeartbeatHealth() {
    return Effect.sync(() => Option.map(Option.fromNullable(this.runtime.lastHeartbeat), (h) => h.health()))
  }
  get close() {
    return this.runtime.close
  }
  get reconnect() {
    return this.runtime.reconnectNow
  }
  channelOf(message: Message.Message): string | undefined {
    return this.runtime.channelOf(message)
  }
}

Object.setPrototypeOf(ClientImpl.prototype, ClientProto)
Object.defineProperty(ClientImpl.prototype, "toJSON", {
  value(this: ClientImpl) {
    return { _id: "Client", id: this.id, state: this.runtime.currentState }
  }
})

/** The client of a runtime. */
export const make = (runtime: Runtime.Runtime) => new ClientImpl(runtime) as ClientImpl & ClientBase
