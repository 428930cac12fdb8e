/**
 * The `zenws` command tree: descriptions, examples and flags (loaded for `--help`), each body loaded only when its
 * command runs, so `zenws --help` does not load the client.
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Flags from "./flags.js"
import * as Output from "./output.js"

/** What a command's body module exports. */
interface Body<C> {
  readonly run: (config: C, output: Output.Output) => Effect.Effect<unknown, unknown, Scope.Scope>
}

/**
 * The handler of a command: loads its body, runs it in a scope, and reports a failure (message, suggestion, exit
 * code). `interrupted` is the exit code of a Ctrl-C: 0 where Ctrl-C is the way to end the command.
 */
const lazy = <C extends { readonly verbose: boolean }>(
  load: () => Promise<Body<C>>,
  interrupted: 0 | 130
) =>
(config: C) =>
  Effect.promise(() => Promise.all([load(), import("./errors.js")])).pipe(
    Effect.flatMap(([body, errors]) => {
      const output = Output.make()
      return Effect.scoped(errors.report(output, config.verbose)(body.run(config, output)))
    }),
    Effect.onInterrupt(() =>
      Effect.sync(() => {
        process.exitCode = interrupted
      })
    )
  )

/** A description: what the command does, then its examples. */
const describe = (what: string, examples: ReadonlyArray<readonly [command: string, says: string]>) =>
  HelpDoc.blocks([
    HelpDoc.p(what),
    HelpDoc.p("Examples:"),
    HelpDoc.descriptionList(
      examples.map(([command, says]) => [Span.code(`$ ${command}`), HelpDoc.p(says)]) as [
        [Span.Span, HelpDoc.HelpDoc],
        ...Array<[Span.Span, HelpDoc.HelpDoc]>
      ]
    )
  ])

const connect = Command.make(
  "connect",
  Flags.connect,
  lazy<Flags.ConnectConfig>(() => import("./connect.js").then((m) => ({ run: m.run })), 0)
).pipe(Command.withDescription(describe(
  "An interactive session, like `wscat -c`: each line you type goes out as a text frame; frames received are " +
    "printed (on a terminal with a marker, the time and pretty JSON; on a pipe one per line, as received). The " +
    "lifecycle (connected, disconnected, reconnecting, subscriptions restored) goes to stderr. Reconnects by itself. " +
    "Ctrl-C closes with 1000 and flushes --record; at the end of piped input it waits --wait ms, then closes.",
  [
    ["zenws connect wss://test.deribit.com/ws/api/v2", "type JSON-RPC requests, see the replies"],
    [
      "echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"public/test\"}' | zenws connect wss://test.deribit.com/ws/api/v2",
      "send one frame from a pipe, print what comes back within a second"
    ],
    [
      "zenws connect wss://test.deribit.com/ws/api/v2 --subscribe ticker.BTC-PERPETUAL.100ms --ping 10000 --retry inf",
      "follow a ticker for good, through reconnects"
    ],
    ["zenws connect ws://127.0.0.1:8080/ws --record session.jsonl -H 'Authorization: Bearer t0k3n'", "record it"]
  ]
)))

const send = Command.make(
  "send",
  Flags.send,
  lazy<Flags.SendConfig>(() => import("./oneShot.js").then((m) => ({ run: m.send })), 130)
).pipe(Command.withDescription(describe(
  "Connects, sends one message, prints the first frame received (or the first --count, or up to the one matching " +
    "--until) and closes. Exit codes: 0 ok, 2 no connection, 3 nothing (or not enough) within --timeout, 4 bad input.",
  [
    ["zenws send ws://127.0.0.1:8080/ws hello", "print the reply"],
    [
      "zenws send wss://ws.example/feed '{\"op\":\"subscribe\",\"args\":[\"trades\"]}' --count 5",
      "the first five frames after subscribing"
    ],
    ["zenws send ws://127.0.0.1:8080/ws 0102ff --binary hex", "a binary frame"]
  ]
)))

const request = Command.make(
  "request",
  Flags.request,
  lazy<Flags.RequestConfig>(() => import("./oneShot.js").then((m) => ({ run: m.request })), 130)
).pipe(Command.withDescription(describe(
  "A JSON-RPC 2.0 request: prints its result (JSON) and exits 0; exits 1 when the server answers with an error, " +
    "2 when there is no connection, 3 when no answer comes within --timeout, 4 on bad input.",
  [
    ["zenws request wss://test.deribit.com/ws/api/v2 public/test", "{ \"version\": \"1.2.26\" }"],
    [
      "zenws request wss://test.deribit.com/ws/api/v2 public/get_index_price '{\"index_name\":\"btc_usd\"}'",
      "with params"
    ],
    ["zenws request ws://127.0.0.1:8080/ws slow/method --timeout 500 || echo \"exit $?\"", "exit 3 on a timeout"]
  ]
)))

const record = Command.make(
  "record",
  Flags.record,
  lazy<Flags.RecordConfig>(() => import("./record.js").then((m) => ({ run: m.run })), 0)
).pipe(Command.withDescription(describe(
  "Records a session to a JSONL file (the format of zen-websocket's Recorder and the Elixir ZenWebsocket's) " +
    "without a prompt, until --count frames, --duration, Ctrl-C or the end of the connection. On a terminal a " +
    "status line shows frames in/out, bytes, rate and time. The file is complete on every exit.",
  [
    [
      "zenws record wss://test.deribit.com/ws/api/v2 -o ticker.jsonl --subscribe ticker.BTC-PERPETUAL.100ms " +
      "--duration 60000",
      "a minute of a ticker"
    ],
    ["zenws record ws://127.0.0.1:8080/ws -o s.jsonl --send hello --count 10", "send a frame, keep 10 replies"]
  ]
)))

const replay = Command.make(
  "replay",
  Flags.replay,
  lazy<Flags.ReplayConfig>(() => import("./replay.js").then((m) => ({ run: m.run })), 130)
).pipe(Command.withDescription(describe(
  "Prints a recording's entries: direction, time and frame, or JSONL with --json. --realtime waits the recorded " +
    "gaps (--speed to go faster). A progress bar on a terminal for long files. Malformed lines are counted and " +
    "reported on stderr, never fatal.",
  [
    ["zenws replay session.jsonl", "the whole session"],
    ["zenws replay session.jsonl --dir in --json | jq .data", "what the server sent, for jq"],
    ["zenws replay session.jsonl --realtime --speed 10", "ten times faster than it happened"]
  ]
)))

const inspect = Command.make(
  "inspect",
  Flags.inspect,
  lazy<Flags.InspectConfig>(() => import("./inspect.js").then((m) => ({ run: m.run })), 130)
).pipe(Command.withDescription(describe(
  "Summarises a recording: frames in/out/close, duration, first and last time, frame sizes, the rate over time as " +
    "a small histogram, the most frequent JSON method and channel values, the close codes seen. --json for machines.",
  [
    ["zenws inspect session.jsonl", "a readable summary"],
    ["zenws inspect session.jsonl --json | jq .closeCodes", "one JSON object"]
  ]
)))

const serve = Command.make(
  "serve",
  Flags.serve,
  lazy<Flags.ServeConfig>(() => import("./serve.js").then((m) => ({ run: m.run })), 0)
).pipe(Command.withDescription(describe(
  "A local WebSocket server on 127.0.0.1 (zen-websocket's mock server): it prints its URL, echoes (JSON-RPC " +
    "requests get answers), or plays a recording to each client that connects; with faults for testing other " +
    "clients. Frames received are logged on stderr. Runs until Ctrl-C.",
  [
    ["zenws serve --port 8080", "an echo server on ws://127.0.0.1:8080/ws"],
    ["zenws serve --replay session.jsonl --speed 2", "serve a recorded session to every client, twice as fast"],
    ["zenws serve --reject 403", "every upgrade is refused with HTTP 403"],
    ["zenws serve --half-open-after 2000", "a link that goes silent: does your client's heartbeat notice?"],
    ["zenws serve --close-after 5000 --code 1011", "each connection closed after 5 s with 1011"]
  ]
)))

const demo = Command.make(
  "demo",
  Flags.demo,
  lazy<Flags.DemoConfig>(() => import("./demo.js").then((m) => ({ run: m.run })), 130)
).pipe(Command.withDescription(describe(
  "The demo of `pnpm demo`: a Deribit session on the embedded Deribit simulator (no internet): authenticate, a " +
    "ticker and a maintained book, an order, a restart (re-auth, cancel-on-disconnect, resubscribe, book resync), a " +
    "change-id gap, latency. --core: the core demo (a client against a mock exchange, through a restart).",
  [["zenws demo", "runs in about 6 s"], ["zenws demo --core", "runs in a second or two"]]
)))

/** @internal */
export const subcommands = [connect, send, request, record, replay, inspect, serve, demo] as const

/** @internal */
export const root = Command.make("zenws").pipe(
  Command.withDescription(describe(
    "A WebSocket client and test server on zen-websocket: reconnects, heartbeats, subscriptions, recordings. " +
      "`zenws <command> --help` shows each command's flags and examples; `zenws --completions bash|zsh|fish` prints " +
      "a completion script.",
    [
      ["zenws connect wss://test.deribit.com/ws/api/v2", "an interactive session"],
      ["zenws request wss://test.deribit.com/ws/api/v2 public/test", "one JSON-RPC request"],
      ["zenws serve", "a local echo server; add faults to test clients"],
      ["zenws demo", "what the library does, offline"]
    ]
  )),
  Command.withSubcommands(subcommands)
)
