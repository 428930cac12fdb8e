/**
 * Shared by the runner, the measurement children and the server: payloads, the per-frame consumer work every client
 * does, the shapes of jobs and results, and small statistics helpers. No heavy imports here (the raw `ws` child must
 * not load Effect).
 */

export type Mode = "quick" | "full"

// ---------------------------------------------------------------------------------------------------------------------
// payloads: JSON text frames shaped like exchange notifications, padded to an exact byte size
// ---------------------------------------------------------------------------------------------------------------------

const pad = (head: string, tail: string, size: number): string => {
  const room = size - Buffer.byteLength(head) - Buffer.byteLength(tail)
  if (room < 0) throw new Error(`payload template does not fit in ${size} bytes`)
  return head + "x".repeat(room) + tail
}

const tickerFields = (): string => {
  const fields: Array<string> = []
  const names = [
    "timestamp",
    "best_bid_price",
    "best_bid_amount",
    "best_ask_price",
    "best_ask_amount",
    "last_price",
    "mark_price",
    "index_price",
    "open_interest",
    "funding_8h",
    "current_funding",
    "min_price",
    "max_price",
    "settlement_price",
    "volume",
    "volume_usd",
    "price_change",
    "high",
    "low",
    "estimated_delivery_price"
  ]
  names.forEach((name, i) => fields.push(`"${name}":${(65000.5 + i * 13.25).toFixed(2)}`))
  return fields.join(",")
}

/**
 * A text frame of exactly `size` bytes (64 or 1024): valid JSON, a JSON-RPC `subscription` notification. The same
 * bytes are used by the "text" scenarios (consumer reads the string) and the "json" scenarios (consumer parses it).
 */
export const payload = (size: number): string => {
  if (size <= 128) return pad(`{"method":"subscription","params":{"channel":"t","data":"`, `"}}`, size)
  return pad(
    `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.100ms","data":{${tickerFields()},"state":"open","pad":"`,
    `"}}}`,
    size
  )
}

/** The echo payload (64 bytes, no `"id"`, so no client tries to match it as a response). */
export const echoPayload = (): string => payload(64)

// ---------------------------------------------------------------------------------------------------------------------
// the consumer work: identical for every client
// ---------------------------------------------------------------------------------------------------------------------

/** A sink the consumers write to, so the JIT cannot drop their work. */
export const sink = { value: 0 }

/** Text consumer: read the string. */
export const consumeText = (data: string): void => {
  sink.value += data.length
}

/** JSON consumer: read one field of the parsed value. */
export const consumeJson = (json: unknown): void => {
  sink.value += (json as { params?: unknown } | undefined)?.params === undefined ? 0 : 1
}

// ---------------------------------------------------------------------------------------------------------------------
// jobs and results
// ---------------------------------------------------------------------------------------------------------------------

/** What the runner hands a measurement child (JSON in argv). */
export interface Job {
  readonly scenario: string
  readonly row: string
  readonly mode: Mode
  readonly rep: number
}

/** What a child reports: metric name → value, plus free-form notes. */
export interface ChildResult {
  readonly metrics: Record<string, number>
  readonly notes?: Record<string, unknown>
}

// ---------------------------------------------------------------------------------------------------------------------
// statistics
// ---------------------------------------------------------------------------------------------------------------------

export const quantile = (values: ArrayLike<number>, q: number): number => {
  const sorted = Array.from(values).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

export const median = (values: ArrayLike<number>): number => quantile(values, 0.5)

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Rejects after `ms` with `what`: every wait in the bench is bounded. */
export const within = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
export const pool = async (count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}

/**
 * The hand-written JSON-RPC correlation the anchors get (an id → resolver map): feed it every inbound text frame.
 */
export const requestMap = (send: (frame: string) => void) => {
  const pending = new Map<number, (result: unknown) => void>()
  let nextId = 0
  return {
    onMessage: (text: string): void => {
      const json = JSON.parse(text) as { id: number; result: unknown }
      const resolve = pending.get(json.id)
      if (resolve !== undefined) {
        pending.delete(json.id)
        resolve(json.result)
      }
    },
    request: (method: string, params: unknown): Promise<unknown> =>
      new Promise<unknown>((resolve) => {
        const id = ++nextId
        pending.set(id, resolve)
        send(JSON.stringify({ jsonrpc: "2.0", id, method, params }))
      })
  }
}

/**
 * The inbound consumer the anchors share: consumes every text frame, asks the server (`send`) for the warm-up frames,
 * then for the measured ones, and resolves `done` after the last.
 */
export const countedInbound = (options: {
  readonly warmup: number
  readonly frames: number
  readonly json: boolean
  readonly marks: { readonly start: () => void; readonly end: () => void }
  readonly send: (frame: string) => void
}) => {
  let resolveDone: () => void = () => {}
  const done = new Promise<void>((resolve) => (resolveDone = resolve))
  let left = options.warmup
  let measuring = false
  const onText = (text: string): void => {
    if (options.json) consumeJson(JSON.parse(text))
    else consumeText(text)
    if (--left !== 0) return
    if (measuring) {
      options.marks.end()
      return resolveDone()
    }
    measuring = true
    left = options.frames
    options.marks.start()
    options.send(String(options.frames))
  }
  return { onText, done, start: () => options.send(String(options.warmup)) }
}
