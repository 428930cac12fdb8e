/**
 * Inbound frames. A text frame parses its JSON lazily, at most once.
 *
 * @since 0.1.0
 */

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
export class Text {
  declare readonly _tag: "Text"
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
 * A binary frame.
 *
 * @since 0.1.0
 * @category models
 */
export class Binary {
  declare readonly _tag: "Binary"
  constructor(readonly data: Uint8Array) {}
}

// on the prototypes, so a frame carries only its data
Object.defineProperty(Text.prototype, "_tag", { value: "Text", enumerable: true })
Object.defineProperty(Binary.prototype, "_tag", { value: "Binary", enumerable: true })

/**
 * @since 0.1.0
 * @category constructors
 */
export const text = (data: string): Text => new Text(data)

/**
 * @since 0.1.0
 * @category constructors
 */
export const binary = (data: Uint8Array): Binary => new Binary(data)

/**
 * @since 0.1.0
 * @category guards
 */
export const isText = (message: Message): message is Text => message._tag === "Text"

/**
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
