/**
 * What every data type of the library puts on its prototype: `pipe`, and `Inspectable`'s `toJSON`, `toString` and
 * Node inspect (each type then gives its own `toJSON`). Nothing here is per instance.
 */
import * as Inspectable from "effect/Inspectable"
import type * as Pipeable from "effect/Pipeable"
import { pipeArguments } from "effect/Pipeable"

/** `pipe` and `Inspectable`, to spread into a prototype. */
export const DataProto: Pipeable.Pipeable & Inspectable.Inspectable = {
  ...Inspectable.BaseProto,
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
} as Pipeable.Pipeable & Inspectable.Inspectable
