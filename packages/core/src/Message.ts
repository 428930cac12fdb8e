/**
 * Inbound frames. A text frame parses its JSON lazily, at most once. Frames live on a prototype that makes them
 * `Pipeable` and `Inspectable` (`toJSON`, `toString`, Node inspect): a frame carries only its data (it is on the hot
 * inbound path, and nothing may be added per instance).
 *
 * @example
 * ```ts
 * import * as Message from "@zen-websocket/core/Message"
 *
 * const frame = Message.text("{\"method\":\"heartbeat\"}")
 * frame.json // { method: "heartbeat" }
 * String(frame) // pretty JSON of { _id: "Message", _tag: "Text", data: "…" }
 * ```
 *
 * @since 0.1.0
 */
import * as Inspectable from "effect/Inspectable"
import type * as Pipeable from "effect/Pipeable"
import { DataProto } from "./internal/proto.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Message = Text | Binary

const unparsed: unique symbol = Symbol.for("@zen-websocket/core/Message/unparsed")

/**
 * A text frame. `json` parses `data` on first access (and caches it); it is `undefined` when `data` is not JSON.
 *
 * @since 0.1.0
 * @category models
 */
export class Text implements Pipeable.Pipeable, Inspectable.Inspectable {
  /** @since 0.1.0 */
  declare readonly _tag: "Text"
  /** @since 0.1.0 */
  declare pipe: Pipeable.Pipeable["pipe"]
  /** @since 0.1.0 */
  declare toJSON: () => unknown
  /** @since 0.1.0 */
  declare [Inspectable.NodeInspectSymbol]: () => unknown
  private parsed: unknown = unparsed
  constructor(readonly data: string) {}

  /**
   * @since 0.1.0
   */
  get json(): unknown {
    if (this.parsed === unparsed) this.parsed = parseOrUndefined(this.data)
    return this.parsed
  }

  /** @internal */
  withJson(json: unknown): this {
    this.parsed = json
    return this
  }
}

/**
 * A binary frame. Its `toJSON` shows its size, not its bytes.
 *
 * @since 0.1.0
 * @category models
 */
export class Binary implements Pipeable.Pipeable, Inspectable.Inspectable {
  /** @since 0.1.0 */
  declare readonly _tag: "Binary"
  /** @since 0.1.0 */
  declare pipe: Pipeable.Pipeable["pipe"]
  /** @since 0.1.0 */
  declare toJSON: () => unknown
  /** @since 0.1.0 */
  declare [Inspectable.NodeInspectSymbol]: () => unknown
  constructor(readonly data: Uint8Array) {}
}

// on the prototypes, so a frame carries only its data
Object.assign(Text.prototype, DataProto, {
  toJSON(this: Text) {
    return { _id: "Message", _tag: "Text", data: this.data }
  }
})
Object.assign(Binary.prototype, DataProto, {
  toJSON(this: Binary) {
    return { _id: "Message", _tag: "Binary", byteLength: this.data.byteLength }
  }
})
Object.defineProperty(Text.prototype, "_tag", { value: "Text", enumerable: true })
Object.defineProperty(Binary.prototype, "_tag", { value: "Binary", enumerable: true })

/**
 * @example
 * ```ts
 * import * as Message from "@zen-websocket/core/Message"
 *
 * const frame = Message.text("{\"a\":1}")
 * frame.json // { a: 1 }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (data: string): Text => new Text(data)

/**
 * @example
 * ```ts
 * import * as Message from "@zen-websocket/core/Message"
 *
 * const frame = Message.binary(new Uint8Array([1, 2, 3]))
 * frame.data.byteLength // 3
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const binary = (data: Uint8Array): Binary => new Binary(data)

/**
 * @example
 * ```ts
 * import * as Message from "@zen-websocket/core/Message"
 *
 * const frame: Message.Message = Message.text("hello")
 * if (Message.isText(frame)) frame.data.toUpperCase()
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isText = (message: Message): message is Text => message._tag === "Text"

/**
 * @example
 * ```ts
 * import * as Message from "@zen-websocket/core/Message"
 *
 * const frame: Message.Message = Message.binary(new Uint8Array([1]))
 * if (Message.isBinary(frame)) frame.data.byteLength
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isBinary = (message: Message): message is Binary => message._tag === "Binary"

const parseOrUndefined = (data: string): unknown => {
  try {
    return JSON.parse(data)
  } catch {
    return undefined
  }
}
