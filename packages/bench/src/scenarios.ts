/**
 * THE TABLE. Every benchmark is one entry of `scenarios`: what is measured (`kind` + `params` per mode), which
 * clients (`rows`), which row is the anchor every ratio is taken against (`baseline`), and the targets.
 *
 * Adding a scenario = adding one entry. A zen-websocket row may be wired differently per scenario through `setup`
 * (options merged into `Client.connect`, and a wrapper to provide layers); see the TODO section at the end.
 *
 * This module is loaded by the runner and by every measurement child: keep it free of runtime imports of heavy
 * modules (use `import type`, and dynamic `import()` inside `setup`).
 */
import type { ZenSetup } from "./adapters/types.js"
import type { Mode } from "./common.js"

export type AdapterName =
  | "raw"
  | "effectSocket"
  | "effectSocketStream"
  | "effectFloor"
  | "nodeWs"
  | "partysocket"
  | "rws"
  | "zen"

export interface InboundParams {
  /** frame size in bytes (64, 1024 or 16384) */
  readonly size: number
  /** the consumer parses every frame as JSON */
  readonly json: boolean
  readonly warmup: number
  readonly frames: number
  /** zen rows: `chunk` = `Stream.runForEachChunk`, `element` = `Stream.runForEach`, `callback` = `Client.forEachChunk` */
  readonly consumer: "chunk" | "element" | "callback"
  /** a `ws` server that compresses every frame (permessage-deflate) for a client that offers it (`deflate` mode) */
  readonly deflate?: boolean
  /** raw rows: `perMessageDeflate` of the `ws` client (unset: ws's default, which the plain server declines) */
  readonly clientDeflate?: boolean
}

export interface EchoParams {
  readonly warmup: number
  readonly rounds: number
  /** zen only: receive with `Stream.runForEach` (default) or `Client.forEachChunk` */
  readonly consumer?: "element" | "callback"
}

export interface RequestsParams {
  readonly warmup: number
  readonly total: number
  readonly inflight: number
}

export interface IdleParams {
  readonly count: number
  /** connections opened before the baseline is taken (JIT and module state out of the figure) */
  readonly warmupCount: number
  readonly concurrency: number
  readonly pingIntervalMs: number | undefined
  /** wait after the last open before the heap is measured */
  readonly settleMs: number
  readonly consume: boolean
  /** zen rows: `Stream.runForEach` over `client.messages` (default) or `Client.forEachChunk` */
  readonly consumer?: "element" | "callback"
  /** zen rows: each connection is a `ClientSupervisor.startClient` of one supervisor, not a `Client.connect` */
  readonly supervised?: boolean
}

export interface RecoveryParams {
  readonly outages: number
  /** how long the server stays down (clients keep dialing and get refused) */
  readonly downMs: number
  readonly retryDelayMs: number
  readonly channels: ReadonlyArray<string>
}

export interface FaninParams {
  readonly count: number
  readonly concurrency: number
  /** frames per second per connection (the server spreads them over 10 ms ticks) */
  readonly rate: number
  readonly pingIntervalMs: number | undefined
  /** after the last open, before the measured window */
  readonly settleMs: number
  readonly windowMs: number
  /** zen rows: `Stream.mergeAll` of every `client.messages` (default), or a `Client.forEachChunk` fiber per client */
  readonly consumer?: "merge" | "callback"
}

export interface ParamsOf {
  readonly inbound: InboundParams
  readonly echo: EchoParams
  readonly requests: RequestsParams
  readonly idle: IdleParams
  readonly recovery: RecoveryParams
  readonly fanin: FaninParams
}

export type Kind = keyof ParamsOf

export interface Row<K extends Kind = Kind> {
  /** unique within the scenario */
  readonly id: string
  readonly label: string
  readonly adapter: AdapterName
  /** overrides of the scenario's params for this row */
  readonly args?: Partial<ParamsOf[K]>
}

export interface Metric {
  readonly key: string
  readonly label: string
  readonly better: "lower" | "higher"
  readonly format: (value: number) => string
}

export interface Target {
  readonly row: string
  readonly metric: string
  /** value ÷ baseline value (or ÷ the `versus` row's value) must be at most this */
  readonly maxRatio?: number
  /** the row `maxRatio` compares with (default: the scenario's baseline) */
  readonly versus?: string
  /** or: the value itself must be at most this */
  readonly maxValue?: number
  readonly text: string
}

export interface Scenario<K extends Kind = Kind> {
  readonly id: string
  readonly title: string
  readonly kind: K
  readonly params: Record<Mode, ParamsOf[K]>
  readonly reps: Record<Mode, number>
  readonly rows: ReadonlyArray<Row<K>>
  /** the row every ratio is taken against */
  readonly baseline: string
  readonly targets?: ReadonlyArray<Target> | undefined
  /** wiring for the zen rows of this scenario (loaded in the child only) */
  readonly setup?: () => Promise<ZenSetup>
  /**
   * Pin the measurement child and its server to one CPU (the last one) with `taskset`: for latency figures, which on
   * a 2-core VM are otherwise bimodal (same-core vs cross-core wake-ups), whatever the client.
   */
  readonly pinToOneCpu?: boolean | undefined
  /** a remark printed under the table */
  readonly note?: string | undefined
}

// ---------------------------------------------------------------------------------------------------------------------
// metrics per kind (the first one is the headline; every metric also gets its ratio to the baseline)
// ---------------------------------------------------------------------------------------------------------------------

const fixed = (digits: number, unit: string) => (v: number) => `${v.toFixed(digits)} ${unit}`
const perSecond = (v: number) => v >= 1e6 ? `${(v / 1e6).toFixed(2)} M/s` : `${(v / 1e3).toFixed(1)} k/s`
const kb = (v: number) => `${(v / 1000).toFixed(2)} KB`

export const metrics: { readonly [K in Kind]: ReadonlyArray<Metric> } = {
  inbound: [
    { key: "cpuNsPerFrame", label: "CPU/frame", better: "lower", format: fixed(0, "ns") },
    { key: "framesPerSec", label: "frames/s", better: "higher", format: perSecond }
  ],
  echo: [
    { key: "p50Us", label: "p50", better: "lower", format: fixed(1, "µs") },
    { key: "p99Us", label: "p99", better: "lower", format: fixed(1, "µs") },
    { key: "cpuUsPerRoundTrip", label: "CPU/round trip", better: "lower", format: fixed(1, "µs") }
  ],
  requests: [
    { key: "roundTripsPerSec", label: "round trips/s", better: "higher", format: perSecond },
    { key: "cpuUsPerRequest", label: "CPU/request", better: "lower", format: fixed(2, "µs") }
  ],
  idle: [
    { key: "heapBytesPerConn", label: "heap/conn", better: "lower", format: kb },
    { key: "rssBytesPerConn", label: "RSS/conn", better: "lower", format: kb },
    { key: "openAllMs", label: "open all", better: "lower", format: fixed(0, "ms") }
  ],
  recovery: [
    { key: "recoveryMs", label: "back → restored (median)", better: "lower", format: fixed(2, "ms") },
    { key: "recoveryP90Ms", label: "p90", better: "lower", format: fixed(2, "ms") }
  ],
  fanin: [
    { key: "cpuNsPerFrame", label: "CPU/frame", better: "lower", format: fixed(0, "ns") },
    { key: "p99LagMs", label: "p99 lag", better: "lower", format: fixed(1, "ms") },
    { key: "p50LagMs", label: "p50 lag", better: "lower", format: fixed(2, "ms") },
    { key: "heapMB", label: "heap", better: "lower", format: fixed(0, "MB") },
    { key: "rssMB", label: "RSS", better: "lower", format: fixed(0, "MB") },
    { key: "framesPerSec", label: "frames/s", better: "higher", format: perSecond }
  ]
}

// ---------------------------------------------------------------------------------------------------------------------
// rows
// ---------------------------------------------------------------------------------------------------------------------

type Client = Omit<Row, "args">

const raw: Client = { id: "raw-ws", label: "raw ws 8", adapter: "raw" }
const effectSocket: Client = { id: "effect-socket", label: "@effect/platform Socket (runRaw)", adapter: "effectSocket" }
const effectSocketStream: Client = {
  id: "effect-socket-stream",
  label: "@effect/platform Socket (toChannelString → Stream.runForEachChunk)",
  adapter: "effectSocketStream"
}
const partysocket: Client = { id: "partysocket", label: "partysocket", adapter: "partysocket" }
const rws: Client = { id: "rws", label: "reconnecting-websocket", adapter: "rws" }
/** runs under Node 22, fetched on demand by the runner (`node22.ts`) */
const nodeWs: Client = { id: "node-websocket", label: "Node 22 built-in WebSocket (undici)", adapter: "nodeWs" }
const zen: Client = { id: "zen", label: "zen-websocket", adapter: "zen" }
const anchors = [raw, effectSocket, partysocket, rws]

const zenChunk: Row<"inbound"> = {
  id: "zen-chunk",
  label: "zen-websocket, Stream.runForEachChunk",
  adapter: "zen",
  args: { consumer: "chunk" }
}
const zenCallback: Row<"inbound"> = {
  id: "zen-callback",
  label: "zen-websocket, Client.forEachChunk",
  adapter: "zen",
  args: { consumer: "callback" }
}
const zenElement: Row<"inbound"> = {
  id: "zen-element",
  label: "zen-websocket, Stream.runForEach",
  adapter: "zen",
  args: { consumer: "element" }
}

// ---------------------------------------------------------------------------------------------------------------------
// scenarios
// ---------------------------------------------------------------------------------------------------------------------

const inbound = (size: number, json: boolean, frames: Record<Mode, number>): Scenario<"inbound"> => ({
  id: `inbound.${json ? "json" : "text"}.${size}`,
  title: `Inbound, ${size >= 1024 ? `${size / 1024} KiB` : `${size} B`} ${
    json ? "JSON (parsed per frame)" : "text"
  } frames`,
  kind: "inbound",
  params: {
    quick: { size, json, warmup: Math.round(frames.quick / 5), frames: frames.quick, consumer: "chunk" },
    full: { size, json, warmup: Math.round(frames.full / 5), frames: frames.full, consumer: "chunk" }
  },
  reps: { quick: 3, full: 3 },
  rows: [...anchors, nodeWs, effectSocketStream, zenChunk, zenCallback, zenElement],
  baseline: "raw-ws",
  targets: [
    {
      row: "zen-chunk",
      metric: "cpuNsPerFrame",
      maxRatio: 1.3,
      text: json ? "chunk-wise CPU/frame ≤ 1.3× raw ws + JSON.parse" : "chunk-wise CPU/frame ≤ 1.3× raw ws"
    },
    { row: "zen-element", metric: "cpuNsPerFrame", maxRatio: 3, text: "per-element CPU/frame ≤ 3× raw ws" }
  ],
  note: json
    ? "Every client parses every frame: raw ws / anchors with `JSON.parse(text)`, zen by reading `message.json`."
    : undefined
})

const idle = (ping: boolean): Scenario<"idle"> => ({
  id: ping ? "idle.ping" : "idle",
  title: ping ? "Memory per idle connection, ping heartbeat every 1 s" : "Memory per idle connection, no heartbeat",
  kind: "idle",
  params: {
    quick: {
      count: 600,
      warmupCount: 50,
      concurrency: 100,
      pingIntervalMs: ping ? 1_000 : undefined,
      settleMs: 500,
      consume: true
    },
    full: {
      count: 10_000,
      warmupCount: 100,
      concurrency: 100,
      pingIntervalMs: ping ? 1_000 : undefined,
      settleMs: 2_500,
      consume: true
    }
  },
  reps: { quick: 1, full: 2 },
  rows: ping
    ? [
      { ...raw, label: "raw ws 8 + setInterval ping (by hand)" },
      { ...zen, label: "zen-websocket, heartbeat ping (+ a client.messages consumer fiber)" },
      {
        id: "zen-bare",
        label: "zen-websocket, heartbeat ping (connection only)",
        adapter: "zen",
        args: { consume: false }
      }
    ]
    : [
      ...anchors,
      { ...zen, label: "zen-websocket (+ a client.messages consumer fiber)" },
      {
        id: "zen-callback",
        label: "zen-websocket (+ a Client.forEachChunk consumer fiber)",
        adapter: "zen",
        args: { consumer: "callback" }
      },
      { id: "zen-bare", label: "zen-websocket (connection only)", adapter: "zen", args: { consume: false } },
      {
        id: "zen-supervised",
        label: "zen-websocket, ClientSupervisor.startClient (connection only)",
        adapter: "zen",
        args: { consume: false, supervised: true }
      },
      {
        id: "zen-supervised-consumer",
        label: "zen-websocket, ClientSupervisor.startClient (+ a client.messages consumer fiber)",
        adapter: "zen",
        args: { supervised: true }
      }
    ],
  baseline: "raw-ws",
  targets: ping
    ? [{
      row: "zen-bare",
      metric: "heapBytesPerConn",
      maxValue: 10_000,
      text: "heap per idle connection with ping ≤ 10 KB"
    }]
    : [
      {
        row: "zen-supervised",
        metric: "heapBytesPerConn",
        maxRatio: 2,
        versus: "zen-bare",
        text: "heap per supervised idle connection ≤ 2× a direct one"
      },
      {
        row: "zen",
        metric: "heapBytesPerConn",
        maxValue: 10_000,
        text: "heap per idle connection with a client.messages consumer ≤ 10 KB"
      },
      { row: "zen-bare", metric: "openAllMs", maxRatio: 1.5, text: "open all connections ≤ 1.5× raw ws" }
    ],
  note: "Heap and RSS after `gc()` (node --expose-gc), divided by the number of connections; every client keeps a " +
    "message consumer per connection (raw ws: a `message` listener) unless the row says otherwise (\"connection " +
    "only\": the client and nothing else). The server is a separate process."
})

/** `count` connections per mode: quick mode stays within its time budget, full mode goes to 10 000 */
/** the rows of the 16 KiB scenarios (fewer anchors: the frames are few and each costs mostly ws and JSON.parse) */
const big = [raw, effectSocket, effectSocketStream, zenChunk, zenCallback, zenElement]

const fanin = (id: string, count: Record<Mode, number>, ping: boolean): Scenario<"fanin"> => ({
  id: `fanin.${id}${ping ? ".ping" : ""}`,
  title: `Fan-in: ${count.quick.toLocaleString("en-US")} (quick) / ${
    count.full.toLocaleString("en-US")
  } (full) connections × 10 frames/s into one consumer${ping ? ", ping heartbeat every 1 s on each" : ""}`,
  kind: "fanin",
  params: {
    quick: {
      count: count.quick,
      concurrency: 200,
      rate: 10,
      pingIntervalMs: ping ? 1_000 : undefined,
      settleMs: 500,
      windowMs: 1_000
    },
    full: {
      count: count.full,
      concurrency: 200,
      rate: 10,
      pingIntervalMs: ping ? 1_000 : undefined,
      settleMs: 2_000,
      windowMs: 6_000
    }
  },
  reps: { quick: 1, full: 1 },
  rows: [
    { ...raw, label: ping ? "raw ws 8, one listener each + setInterval ping" : "raw ws 8, one listener each" },
    {
      ...zen,
      label: ping
        ? "zen-websocket, Stream.mergeAll(client.messages) + heartbeat ping"
        : "zen-websocket, Stream.mergeAll(client.messages)"
    },
    // the client's own share, without Stream.mergeAll (not repeated under the heartbeat, for quick mode's budget)
    ...(ping ? [] : [{
      id: "zen-callback",
      label: "zen-websocket, Client.forEachChunk per client (no Stream.mergeAll)",
      adapter: "zen" as const,
      args: { consumer: "callback" as const }
    }])
  ],
  baseline: "raw-ws",
  // no target: issue 18 asks for the figures and a linear scaling curve (the `s` / `m` / `l` scenarios)
  note: "One server process writes every connection's frames (a 64-byte JSON text with its wall-clock time); the " +
    "lag is the consumer's time minus the server's when the frame reaches the one consumer. CPU of the client " +
    "process over the measured window ÷ frames consumed in it; heap after `gc()`, RSS at the end."
})

/** The same frames compressed by the server when the client offers permessage-deflate: ws with it on and off. */
const deflated = (plain: Scenario<"inbound">): Scenario<"inbound"> => ({
  ...plain,
  id: "inbound.deflate.1024",
  title: "Inbound, 1 KiB text frames, compressed (permessage-deflate) for a client that offers it",
  params: {
    quick: { ...plain.params.quick, deflate: true },
    full: { ...plain.params.full, deflate: true }
  },
  rows: [
    { ...raw, label: "raw ws 8, perMessageDeflate off", args: { clientDeflate: false } },
    {
      id: "raw-ws-deflate",
      label: "raw ws 8, perMessageDeflate on (every frame inflated)",
      adapter: "raw",
      args: { clientDeflate: true }
    },
    { ...zenChunk, label: "zen-websocket, Stream.runForEachChunk (never offers permessage-deflate)" }
  ],
  targets: [],
  note: "The server is a `ws` server with permessage-deflate (`threshold: 0`, `serverNoContextTakeover`: every " +
    "frame compressed on its own) in its own process: a client that offers the extension gets every frame " +
    "compressed and inflates each one, the others get plain frames from the same server. zen-websocket has no " +
    "`perMessageDeflate` option (its transport always opens `ws` with it off), so its row gets the plain frames."
})

export const scenarios: ReadonlyArray<Scenario> = [
  inbound(64, false, { quick: 200_000, full: 1_000_000 }),
  inbound(1024, false, { quick: 50_000, full: 400_000 }),
  // quick mode's frame counts are sized for its 4-minute budget (each measured window stays >= ~0.15 s)
  inbound(64, true, { quick: 100_000, full: 1_000_000 }),
  inbound(1024, true, { quick: 25_000, full: 400_000 }),
  { ...inbound(16384, false, { quick: 6_000, full: 50_000 }), rows: big, reps: { quick: 2, full: 3 } },
  { ...inbound(16384, true, { quick: 6_000, full: 50_000 }), rows: big, reps: { quick: 2, full: 3 } },
  // the inflating row runs at ~6 k frames/s (ws inflates each message in the thread pool, one at a time)
  { ...deflated(inbound(1024, false, { quick: 10_000, full: 50_000 })), reps: { quick: 2, full: 3 } },
  {
    id: "echo",
    title: "Round trip, echo of a 64 B frame, one in flight",
    kind: "echo",
    // every client gets the same warm-up: enough for an Effect-based client's code to be optimised (measured in
    // windows of 5 000 round trips, zen's first window costs 1.4–1.6× the later ones in p50, 4× in CPU; raw ws's first
    // ~1.25×, 3×), so that the figure is the steady state a long-lived feed sees
    params: { quick: { warmup: 5_000, rounds: 5_000 }, full: { warmup: 10_000, rounds: 20_000 } },
    reps: { quick: 2, full: 5 },
    rows: [
      ...anchors,
      nodeWs,
      { ...zen, label: "zen-websocket (Stream.runForEach + sendMessage)" },
      {
        id: "zen-callback",
        label: "zen-websocket (Client.forEachChunk + sendMessage)",
        adapter: "zen",
        args: { consumer: "callback" }
      }
    ],
    baseline: "raw-ws",
    targets: [{ row: "zen", metric: "p50Us", maxRatio: 1.2, text: "echo p50 ≤ 1.2× raw ws" }],
    pinToOneCpu: true,
    note: "Client and server pinned to the same CPU (`taskset`): unpinned, the p50 of every client on this 2-core VM " +
      "jumps between ~30 µs and ~90 µs from run to run (cross-core wake-ups), which swamps the client's own cost."
  } satisfies Scenario<"echo">,
  {
    id: "requests",
    title: "JSON-RPC requests, 100 in flight",
    kind: "requests",
    params: {
      quick: { warmup: 3_000, total: 10_000, inflight: 100 },
      full: { warmup: 10_000, total: 100_000, inflight: 100 }
    },
    reps: { quick: 3, full: 3 },
    rows: [
      { ...raw, label: "raw ws 8 + hand-written id → resolver map" },
      { ...effectSocket, label: "@effect/platform Socket + id → Deferred map" },
      {
        id: "effect-floor",
        label: "raw ws + id → Effect.async map, Effect.forEach (the floor of any Effect client)",
        adapter: "effectFloor"
      },
      { ...partysocket, label: "partysocket + id → resolver map" },
      { ...rws, label: "reconnecting-websocket + id → resolver map" },
      { ...zen, label: "zen-websocket Client.request" }
    ],
    baseline: "raw-ws",
    targets: [
      { row: "zen", metric: "cpuUsPerRequest", maxRatio: 1.3, text: "requests CPU ≤ 1.3× raw ws + resolver map" },
      {
        row: "zen",
        metric: "cpuUsPerRequest",
        maxRatio: 1.3,
        versus: "effect-floor",
        text: "requests CPU ≤ 1.3× the Effect floor (Effect.async map)"
      }
    ]
  } satisfies Scenario<"requests">,
  idle(false),
  idle(true),
  {
    id: "recovery",
    title: "Recovery: server back → subscriptions restored (3 channels, retry every 10 ms, no jitter)",
    kind: "recovery",
    params: {
      quick: { outages: 4, downMs: 100, retryDelayMs: 10, channels: ["ticker.A", "ticker.B", "book.A"] },
      full: { outages: 10, downMs: 100, retryDelayMs: 10, channels: ["ticker.A", "ticker.B", "book.A"] }
    },
    reps: { quick: 2, full: 5 },
    rows: [
      { ...raw, label: "raw ws 8 + setTimeout reconnect loop, resubscribed by hand" },
      { ...effectSocket, label: "@effect/platform Socket + retry loop, resubscribed by hand" },
      { ...partysocket, label: "partysocket, resubscribed by hand on open" },
      { ...rws, label: "reconnecting-websocket, resubscribed by hand on open" },
      { ...zen, label: "zen-websocket (SubscriptionsRestored event)" }
    ],
    baseline: "raw-ws",
    note: "Time from the server listening again (its IPC notice reaching the bench process) to the subscribe " +
      "confirmation of the new connection (zen: the `SubscriptionsRestored` event). Includes up to one retry delay."
  } satisfies Scenario<"recovery">,
  // quick mode: a quarter of the connections of the 16:35 trial's 500/1 000/2 000 would still show the curve; half
  // keeps the heap and lag figures above the noise (opening the connections is most of these rows' time)
  // full mode: one repetition of each fan-in row (at 10 000 connections one row takes 1–2 minutes on this machine,
  // most of it opening the connections while the server already feeds the first ones), 3 of inbound and requests,
  // 2 of idle, so that `pnpm bench --full` stays within ~20 minutes
  fanin("s", { quick: 250, full: 1_000 }, false),
  fanin("m", { quick: 500, full: 5_000 }, false),
  fanin("l", { quick: 1_000, full: 10_000 }, false),
  fanin("l", { quick: 1_000, full: 10_000 }, true),
  // Recorder and RateLimiter overhead on the inbound path (Issue 6, item 5). The rate limiter only gates outbound
  // frames, so its inbound cost should be nil; the recorder records every inbound frame.
  {
    ...inbound(64, false, { quick: 100_000, full: 500_000 }),
    id: "inbound.text.64.recorder",
    title: "Inbound, 64 B text frames, with a recording (recordTo)",
    rows: [raw, zenChunk, zenCallback],
    targets: [{ row: "zen-chunk", metric: "cpuNsPerFrame", maxRatio: 1.5, text: "recording CPU/frame ≤ 1.5× raw ws" }],
    setup: async () => {
      const Os = await import("node:os")
      return { options: { recordTo: `${Os.tmpdir()}/zen-bench-${process.pid}-${Date.now()}.jsonl` } }
    }
  },
  {
    ...inbound(64, false, { quick: 100_000, full: 500_000 }),
    id: "inbound.text.64.rate-limiter",
    title: "Inbound, 64 B text frames, with a RateLimiter layer",
    rows: [raw, zenChunk, zenCallback],
    targets: [],
    setup: async () => {
      const Effect = await import("effect/Effect")
      const RateLimiter = await import("@zen-websocket/core/RateLimiter")
      const limiter = RateLimiter.layer({ capacity: 1000, refillRate: 1000, refillInterval: 1000 })
      return { wrap: (program) => Effect.provide(program, limiter) }
    }
  }
] as ReadonlyArray<Scenario>
