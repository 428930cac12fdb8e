/**
 * Hand-written decoders for hot notifications. A decoder is a table of field checks interpreted in one loop: no
 * allocation, the input returned as is. `DeribitChannels.decodeTicker` (Schema) costs ~3.7 µs per ticker on this
 * machine, more than the `JSON.parse` of the frame (~2.8 µs); this path costs a small fraction of that (see
 * bench/decode.ts). Tests hold each table to its Schema.
 *
 * @since 0.1.0
 * @internal
 */

type Check =
  | "number"
  | "string"
  | "boolean"
  | "number?"
  | "string?"
  | "number|null"
  | ReadonlySet<string>
  | Fields

interface Fields {
  readonly fields: ReadonlyArray<readonly [string, Check]>
}

type Predicate = (value: unknown) => boolean

const isNumber: Predicate = (v) => typeof v === "number"
const isString: Predicate = (v) => typeof v === "string"
const isBoolean: Predicate = (v) => typeof v === "boolean"
const isOptionalNumber: Predicate = (v) => v === undefined || typeof v === "number"
const isOptionalString: Predicate = (v) => v === undefined || typeof v === "string"
const isNullableNumber: Predicate = (v) => v === null || typeof v === "number"

/** Turns a table into one predicate, once: the hot path runs plain closures, no interpretation. */
const compile = (check: Check): Predicate => {
  switch (check) {
    case "number":
      return isNumber
    case "string":
      return isString
    case "boolean":
      return isBoolean
    case "number?":
      return isOptionalNumber
    case "string?":
      return isOptionalString
    case "number|null":
      return isNullableNumber
  }
  if (check instanceof Set) return (v) => typeof v === "string" && check.has(v)
  const fields = (check as Fields).fields
  const keys = fields.map(([key]) => key)
  const predicates = fields.map(([, c]) => compile(c))
  const n = keys.length
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false
    const record = value as Record<string, unknown>
    for (let i = 0; i < n; i++) if (!predicates[i](record[keys[i]])) return false
    return true
  }
}

const stats: Fields = {
  fields: [
    ["volume", "number"],
    ["volume_usd", "number?"],
    ["price_change", "number|null"],
    ["low", "number|null"],
    ["high", "number|null"]
  ]
}

/** @internal */
export const tickerFields: Fields = {
  fields: [
    ["timestamp", "number"],
    ["instrument_name", "string"],
    ["state", new Set(["open", "closed"])],
    ["best_bid_price", "number|null"],
    ["best_bid_amount", "number"],
    ["best_ask_price", "number|null"],
    ["best_ask_amount", "number"],
    ["last_price", "number|null"],
    ["mark_price", "number"],
    ["index_price", "number"],
    ["open_interest", "number"],
    ["min_price", "number"],
    ["max_price", "number"],
    ["settlement_price", "number?"],
    ["estimated_delivery_price", "number?"],
    ["current_funding", "number?"],
    ["funding_8h", "number?"],
    ["interest_value", "number?"],
    ["stats", stats]
  ]
}

const isTicker = compile(tickerFields)

/** @internal */
export const ticker = <A>(u: unknown): A | undefined => isTicker(u) ? u as A : undefined
