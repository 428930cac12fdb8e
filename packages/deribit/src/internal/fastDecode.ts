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

const checkValue = (value: unknown, check: Check): boolean => {
  switch (check) {
    case "number":
      return typeof value === "number"
    case "string":
      return typeof value === "string"
    case "boolean":
      return typeof value === "boolean"
    case "number?":
      return value === undefined || typeof value === "number"
    case "string?":
      return value === undefined || typeof value === "string"
    case "number|null":
      return value === null || typeof value === "number"
  }
  if (check instanceof Set) return typeof value === "string" && check.has(value)
  return checkFields(value, check as Fields)
}

const checkFields = (value: unknown, spec: Fields): boolean => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const record = value as Record<string, unknown>
  const fields = spec.fields
  for (let i = 0; i < fields.length; i++) {
    const [key, check] = fields[i]
    if (!checkValue(record[key], check)) return false
  }
  return true
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

/** @internal */
export const ticker = <A>(u: unknown): A | undefined => checkFields(u, tickerFields) ? u as A : undefined
