/**
 * The flags and arguments of every command, checked while the command line is parsed (before any socket opens), and
 * the configuration type each command's body receives. This module is loaded for `--help`: it imports @effect/cli and
 * the dialect table only, never the client.
 */
import * as Args from "@effect/cli/Args"
import type * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Dialects from "./dialects.js"

const invalid = (message: string) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(message)))

const ms = (name: string, description: string) =>
  Options.integer(name).pipe(
    Options.withPseudoName("ms"),
    Options.mapEffect((n) => n >= 0 ? Effect.succeed(n) : invalid(`--${name} must be >= 0 ms, got ${n}`)),
    Options.withDescription(description)
  )

const positive = (name: string, description: string) =>
  Options.integer(name).pipe(
    Options.withPseudoName("n"),
    Options.mapEffect((n) => n > 0 ? Effect.succeed(n) : invalid(`--${name} must be a positive integer, got ${n}`)),
    Options.withDescription(description)
  )

/** `Name: value` → `[name, value]`. */
const parseHeader = (text: string) => {
  const colon = text.indexOf(":")
  const name = colon === -1 ? "" : text.slice(0, colon).trim()
  return name === "" || /\s/.test(name) ? undefined : [name, text.slice(colon + 1).trim()] as const
}

const header = Options.text("header").pipe(
  Options.withAlias("H"),
  Options.withPseudoName("'Name: value'"),
  Options.withDescription("an HTTP header for the upgrade request, e.g. -H 'Authorization: Bearer …' (repeatable)"),
  Options.repeated,
  Options.mapEffect((texts) =>
    Effect.forEach(texts, (text) => {
      const pair = parseHeader(text)
      return pair === undefined ? invalid(`-H/--header expects 'Name: value', got '${text}'`) : Effect.succeed(pair)
    })
  )
)

/** `n` or `inf`. */
const retry = Options.text("retry").pipe(
  Options.withPseudoName("n|inf"),
  Options.mapEffect((text) => {
    if (text === "inf" || text === "infinity") return Effect.succeed(Infinity)
    const n = Number(text)
    return Number.isInteger(n) && n >= 0
      ? Effect.succeed(n)
      : invalid(`--retry expects a number of attempts or 'inf', got '${text}'`)
  }),
  Options.optional,
  Options.withDescription("reconnection attempts per outage, or inf (connect/record: 3; send/request: 0)")
)

const dialect = Options.text("dialect").pipe(
  Options.withPseudoName(Dialects.names.join("|")),
  Options.mapEffect((name) =>
    Dialects.find(name) === undefined
      ? invalid(`--dialect ${name} is not a known subscription dialect; available: ${Dialects.names.join(", ")}`)
      : Effect.succeed(name)
  ),
  Options.withDefault("jsonrpc"),
  Options.withDescription(
    `how --subscribe frames are built and confirmed: ${
      Dialects.all.map((d) => `${d.name} (${d.description})`).join("; ")
    }`
  )
)

const binary = Options.choice("binary", ["hex", "base64"]).pipe(
  Options.optional,
  Options.withDescription(
    "lines you type (or the message) are hex/base64 and go out as binary frames; binary frames " +
      "received are printed in that encoding (default base64)"
  )
)

/** @internal */
export const verbose = Options.boolean("verbose").pipe(
  Options.withDescription("on errors, print the cause and its stack too")
)

/** The flags of every command that opens a connection. */
const connection = {
  header,
  subprotocol: Options.text("subprotocol").pipe(
    Options.withDescription("a WebSocket subprotocol to offer (repeatable)"),
    Options.repeated
  ),
  ping: ms("ping", "heartbeat: send a ping every <ms>; two missed pongs end the link (and it reconnects)").pipe(
    Options.optional
  ),
  retry,
  noReconnect: Options.boolean("no-reconnect").pipe(
    Options.withDescription("do not reconnect when the link is lost: the command ends")
  ),
  insecure: Options.boolean("insecure").pipe(
    Options.withDescription("accept any TLS certificate (self-signed, expired, other host): for testing only")
  ),
  ca: Options.file("ca", { exists: "yes" }).pipe(
    Options.optional,
    Options.withDescription("a PEM file of certificate authorities to trust for wss:// (e.g. `zenws serve --tls`'s)")
  ),
  verbose
}

const subscriptions = {
  subscribe: Options.text("subscribe").pipe(
    Options.withPseudoName("channel"),
    Options.withDescription("subscribe to a channel once connected; restored after every reconnect (repeatable)"),
    Options.repeated
  ),
  dialect
}

const url = Args.text({ name: "url" }).pipe(Args.withDescription("ws:// or wss:// URL"))

/** @internal */
export const connect = {
  url,
  ...connection,
  ...subscriptions,
  timeout: ms("timeout", "how long one connection attempt may take (default 5000)").pipe(Options.optional),
  record: Options.text("record").pipe(
    Options.withPseudoName("file.jsonl"),
    Options.optional,
    Options.withDescription("record every frame to a JSONL file (appended; flushed on every exit, Ctrl-C included)")
  ),
  binary,
  wait: ms("wait", "once stdin ends, keep printing what arrives for <ms>, then close (default 1000)").pipe(
    Options.withAlias("w"),
    Options.withDefault(1000)
  )
}

/** @internal */
export type ConnectConfig = Command.Command.ParseConfig<typeof connect>

const replyTimeout = ms("timeout", "how long to wait for the server, to connect and to reply (default 10000)").pipe(
  Options.withDefault(10_000)
)

/** @internal */
export const send = {
  url,
  message: Args.text({ name: "message" }).pipe(Args.withDescription("the text frame to send (see --binary)")),
  ...connection,
  timeout: replyTimeout,
  count: Options.integer("count").pipe(
    Options.withAlias("n"),
    Options.withPseudoName("n"),
    Options.mapEffect((n) => n >= 0 ? Effect.succeed(n) : invalid(`--count must be >= 0, got ${n}`)),
    Options.withDefault(1),
    Options.withDescription("print the first <n> frames received (0: send and close at once)")
  ),
  until: Options.text("until").pipe(
    Options.withPseudoName("regex"),
    Options.mapEffect((source) => {
      try {
        return Effect.succeed(new RegExp(source))
      } catch (error) {
        return invalid(`--until is not a regular expression: ${(error as Error).message}`)
      }
    }),
    Options.optional,
    Options.withDescription("print frames until one matches <regex> (that one included)")
  ),
  binary
}

/** @internal */
export type SendConfig = Command.Command.ParseConfig<typeof send>

/** @internal */
export const request = {
  url,
  method: Args.text({ name: "method" }).pipe(Args.withDescription("the JSON-RPC method, e.g. public/test")),
  params: Args.text({ name: "params-json" }).pipe(
    Args.mapEffect((text) => {
      try {
        return Effect.succeed(JSON.parse(text) as unknown)
      } catch (error) {
        return Effect.fail(
          HelpDoc.p(`params-json is not JSON (${(error as Error).message}): ${text}; e.g. '{"channels":["a"]}'`)
        )
      }
    }),
    Args.optional,
    Args.withDescription("the params, as JSON")
  ),
  ...connection,
  timeout: replyTimeout
}

/** @internal */
export type RequestConfig = Command.Command.ParseConfig<typeof request>

/** @internal */
export const record = {
  url,
  output: Options.text("output").pipe(
    Options.withAlias("o"),
    Options.withPseudoName("file.jsonl"),
    Options.withDescription("the recording to write (appended if it exists)")
  ),
  ...connection,
  ...subscriptions,
  timeout: ms("timeout", "how long one connection attempt may take (default 5000)").pipe(Options.optional),
  send: Options.text("send").pipe(
    Options.withPseudoName("message"),
    Options.withDescription("a text frame to send once connected (repeatable, in order)"),
    Options.repeated
  ),
  duration: ms("duration", "stop after <ms>").pipe(Options.optional),
  count: positive("count", "stop after <n> frames received").pipe(Options.optional)
}

/** @internal */
export type RecordConfig = Command.Command.ParseConfig<typeof record>

const recording = Args.file({ name: "file.jsonl", exists: "yes" }).pipe(
  Args.withDescription("a recording (zen-websocket's or the Elixir ZenWebsocket's)")
)

const json = Options.boolean("json")

const speed = Options.float("speed").pipe(
  Options.mapEffect((n) => n > 0 ? Effect.succeed(n) : invalid(`--speed must be > 0, got ${n}`)),
  Options.withDefault(1),
  Options.withDescription("with --realtime: how much faster than recorded (2 = twice as fast)")
)

/** @internal */
export const replay = {
  file: recording,
  realtime: Options.boolean("realtime").pipe(Options.withDescription("wait the recorded gaps between entries")),
  speed,
  dir: Options.choice("dir", ["in", "out"]).pipe(
    Options.optional,
    Options.withDescription("only the frames received (in) or sent (out)")
  ),
  json: json.pipe(Options.withDescription("print the entries as JSONL (a valid recording) instead of a listing")),
  verbose
}

/** @internal */
export type ReplayConfig = Command.Command.ParseConfig<typeof replay>

/** @internal */
export const inspect = {
  file: recording,
  json: json.pipe(Options.withDescription("print the summary as one JSON object")),
  top: positive("top", "how many method/channel values to list (default 5)").pipe(Options.withDefault(5)),
  verbose
}

/** @internal */
export type InspectConfig = Command.Command.ParseConfig<typeof inspect>

/** @internal */
export const serve = {
  port: Options.integer("port").pipe(
    Options.mapEffect((n) =>
      Number.isInteger(n) && n >= 0 && n < 65536 ? Effect.succeed(n) : invalid(`--port must be 0-65535, got ${n}`)
    ),
    Options.withDefault(0),
    Options.withDescription("the port on 127.0.0.1 (0: a free one); the URL is the first line printed")
  ),
  path: Options.text("path").pipe(
    Options.withDefault("/ws"),
    Options.withDescription("the WebSocket path; upgrades to other paths get HTTP 404")
  ),
  tls: Options.boolean("tls").pipe(
    Options.withDescription("serve wss:// with a self-signed certificate (its path is printed: pass it to --ca)")
  ),
  echo: Options.boolean("echo").pipe(
    Options.withDescription("(the default) frames come back unchanged; JSON-RPC requests get the mock's answers")
  ),
  replay: Options.file("replay", { exists: "yes" }).pipe(
    Options.withPseudoName("file.jsonl"),
    Options.optional,
    Options.withDescription("play a recording's received frames (and its close) to each client that connects")
  ),
  speed,
  refuse: Options.boolean("refuse").pipe(
    Options.withDescription("fault: nothing listens on the port (clients get ECONNREFUSED)")
  ),
  stallHandshake: Options.boolean("stall-handshake").pipe(
    Options.withDescription("fault: accept TCP but never answer the upgrade")
  ),
  reject: Options.integer("reject").pipe(
    Options.withPseudoName("status"),
    Options.mapEffect((n) =>
      n >= 200 && n <= 599 && n !== 101 ? Effect.succeed(n) : invalid(`--reject expects an HTTP status, got ${n}`)
    ),
    Options.optional,
    Options.withDescription("fault: answer every upgrade with this HTTP status, e.g. 403")
  ),
  halfOpenAfter: ms(
    "half-open-after",
    "fault: <ms> after the first connection, stop reading, answering pings and sending, on every connection"
  ).pipe(Options.optional),
  dropPongs: Options.boolean("drop-pongs").pipe(
    Options.withDescription("fault: never answer the clients' pings")
  ),
  closeAfter: ms("close-after", "fault: close each connection <ms> after it opened (with --code)").pipe(
    Options.optional
  ),
  code: Options.integer("code").pipe(
    Options.mapEffect((n) =>
      isCloseCode(n) ? Effect.succeed(n) : invalid(
        `--code ${n} cannot be sent in a close frame; use 1000-1003, 1007-1014 or 3000-4999 (1006: drop the socket)`
      )
    ),
    Options.withDefault(1000),
    Options.withDescription("the close code for --close-after (1006: drop the TCP connection without a close frame)")
  ),
  delay: ms("delay", "fault: delay every frame the server sends by <ms>").pipe(Options.optional),
  verbose
}

/** @internal */
export type ServeConfig = Command.Command.ParseConfig<typeof serve>

const isCloseCode = (n: number): boolean =>
  n === 1006 || (n >= 1000 && n <= 1003) || (n >= 1007 && n <= 1014) || (n >= 3000 && n <= 4999)

/** @internal */
export const demo = {
  core: Options.boolean("core").pipe(
    Options.withDescription("the core demo instead: a plain client against an embedded mock exchange")
  ),
  verbose
}

/** @internal */
export type DemoConfig = Command.Command.ParseConfig<typeof demo>
