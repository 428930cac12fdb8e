/**
 * What every data type of the library puts on its prototype: `pipe`, and `Inspectable`'s `toJSON`, `toString` and
 * Node inspect (each type then gives its own `toJSON`). Nothing here is per instance.
 */
import * as Inspectable from "effect/Inspectable"
import type * as Pipeable from "effect/Pipeable"
import { pipeArguments } from "effect/Pipeable"

/** The type id of `Client`s (here, not in `client.ts`, so the `Client` page's declarations need nothing more). */
export const ClientTypeId: unique symbol = Symbol.for("@zen-websocket/core/Client")

/** `pipe` and `Inspectable`, to spread into a prototype. */
export const DataProto: Pipeable.Pipeable & Inspectable.Inspectable = {
  ...Inspectable.BaseProto,
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
} as Pipeable.Pipeable & Inspectable.Inspectable
