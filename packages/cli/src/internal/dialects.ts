/**
 * The subscription dialects `--dialect` accepts: a table, so each new dialect of the core is one line here.
 */
import * as SubscriptionProtocol from "@zen-websocket/core/SubscriptionProtocol"

/** @internal */
export interface Dialect {
  readonly name: string
  readonly description: string
  readonly make: () => SubscriptionProtocol.SubscriptionProtocol
}

/** @internal */
export const all: ReadonlyArray<Dialect> = [
  {
    name: "jsonrpc",
    description: "JSON-RPC public/subscribe with params.channels, as Deribit",
    make: () => SubscriptionProtocol.jsonRpc()
  }
]

/** @internal */
export const names: ReadonlyArray<string> = all.map((dialect) => dialect.name)

/** @internal */
export const find = (name: string): Dialect | undefined => all.find((dialect) => dialect.name === name)
