/**
 * Secrets in a URL (userinfo, query tokens), a `Redacted` URL and `Redacted` header values never reach an output:
 * logs (debug on), spans (an OpenTelemetry SDK with an in-memory exporter), telemetry events, errors and their
 * explanations, the recording, or what the client shows of itself. The server's host and port do appear.
 */
import { NodeSdk } from "@effect/opentelemetry"
import { assert, describe, it } from "@effect/vitest"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Util from "node:util"
import * as Client from "../src/Client.js"
import * as ErrorHandler from "../src/ErrorHandler.js"
import * as Telemetry from "../src/Telemetry.js"
import * as Testing from "../src/Testing.js"
import { captureLogs } from "./utils/logs.js"

/** Every secret of the session; none may appear in any output. */
const secrets = ["hunter2", "S3CRET", "AT0KEN", "R3DACTED-URL", "H3ADER", "HDRK3Y"]

const leaks = (what: string, text: string): ReadonlyArray<string> =>
  secrets.filter((secret) => text.includes(secret)).map((secret) => `${secret} in ${what}: ${text.slice(0, 400)}`)

const shown = (u: unknown): string => {
  let json: string
  try {
    json = JSON.stringify(u) ?? ""
  } catch {
    json = ""
  }
  return `${String(u)}\n${json}\n${Util.inspect(u, { depth: 10 })}`
}

describe("URL secrets", () => {
  it.scopedLive("never reach logs, spans, telemetry, errors, explain, recordings or the client's own output", () => {
    const { layer: logs, lines } = captureLogs()
    const exporter = new InMemorySpanExporter()
    const tracing = NodeSdk.layer(() => ({
      resource: { serviceName: "url-secrets" },
      spanProcessor: new SimpleSpanProcessor(exporter)
    }))
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "zen-url-secrets-"))
    const recording = Path.join(dir, "session.jsonl")
    const telemetry: Array<string> = []
    return Effect.gen(function*() {
      for (const name of Object.values(Telemetry.names)) {
        yield* Telemetry.attach(name, (event) => Effect.sync(() => telemetry.push(shown(event))))
      }
      const server = yield* Testing.startMockServer()
      const port = new URL(server.url).port
      const headers = { authorization: Redacted.make("Bearer H3ADER"), "x-api-key": Redacted.make("HDRK3Y") }
      const secretUrl = `ws://user:hunter2@127.0.0.1:${port}/ws?token=S3CRET&access_token=AT0KEN&depth=10`
      const outputs: Array<readonly [string, unknown]> = []

      const client = yield* Client.connect(secretUrl, { id: "secret", debug: true, recordTo: recording, headers })
      yield* Client.request(client, { method: "public/test", params: {} })
      yield* Client.subscribe(client, ["ticker.BTC"])
      yield* Client.reconnect(client)
      yield* Client.request(client, { method: "public/test" })
      outputs.push(["client", client])
      // the socket really dialed with the secrets: the server saw them (only the client's outputs must not)
      const upgrades = yield* server.upgradeRequests
      assert.include(upgrades[0].url, "token=S3CRET")

      const hidden = yield* Client.connect(Redacted.make(`${server.url}?feed=R3DACTED-URL`), {
        id: "hidden",
        debug: true,
        headers
      })
      yield* Client.request(hidden, { method: "public/test" })
      outputs.push(["redacted client", hidden])
      yield* Client.close(hidden)

      // a server that is down: ConnectError, its explanation, its log lines
      const down = yield* Testing.startMockServer()
      const downPort = new URL(down.url).port
      yield* down.stopServer
      for (
        const url of [
          `ws://user:hunter2@127.0.0.1:${downPort}/ws?token=S3CRET&access_token=AT0KEN`,
          Redacted.make(`ws://127.0.0.1:${downPort}/ws?feed=R3DACTED-URL`)
        ]
      ) {
        const error = yield* Effect.flip(
          Client.connect(url, { retryCount: 1, retryDelay: 1, jitter: false, debug: true, headers })
        )
        assert.strictEqual(error._tag, "ConnectError")
        outputs.push(["error", error], ["explain", ErrorHandler.explain(error)])
      }
      // a refused upgrade (HTTP 401) on the secret URL, with the response kept as the error's cause
      yield* server.rejectUpgrade(401, "bad token")
      const refused = yield* Effect.flip(Client.connect(secretUrl, { retryCount: 0, debug: true, headers }))
      outputs.push(["refused", refused], ["explain refused", ErrorHandler.explain(refused)])
      yield* server.rejectUpgrade(undefined)
      yield* Client.close(client)

      const found: Array<string> = []
      for (const line of lines) found.push(...leaks("a log line", JSON.stringify(line)))
      for (const [what, value] of outputs) found.push(...leaks(what, shown(value)))
      for (const event of telemetry) found.push(...leaks("a telemetry event", event))
      const spans = exporter.getFinishedSpans()
      for (const span of spans) {
        const text = JSON.stringify({
          name: span.name,
          attributes: span.attributes,
          events: span.events,
          status: span.status
        })
        found.push(...leaks(`span ${span.name}`, text))
      }
      const recorded = Fs.readFileSync(recording, "utf8")
      found.push(...leaks("the recording", recorded))
      assert.deepStrictEqual(found, [])

      // the outputs are there and say where: the host and port, not the secrets
      assert.isTrue(lines.some((line) => line.level === "DEBUG"), "debug lines were logged")
      assert.isTrue(lines.some((line) => line.message.startsWith("reconnecting")), "lifecycle lines were logged")
      assert.isTrue(telemetry.some((event) => event.includes(`127.0.0.1:${port}`)), "the upgrade url was reported")
      assert.include(recorded, "public/test")
      const connects = spans.filter((span) => span.name === "zen_websocket.connect")
      assert.isAtLeast(connects.length, 5)
      assert.strictEqual(
        connects[0].attributes["url.full"],
        `ws://***@127.0.0.1:${port}/ws?token=***&access_token=***&depth=10`
      )
      assert.strictEqual(connects[0].attributes["server.address"], "127.0.0.1")
      assert.strictEqual(connects[0].attributes["server.port"], Number(port))
      assert.strictEqual(connects[1].attributes["url.full"], "<redacted>")
      assert.strictEqual(connects[1].attributes["server.address"], "127.0.0.1")
      assert.isTrue(spans.some((span) => span.name === "zen_websocket.request"))
      assert.isTrue(connects.some((span) => span.status.code === 2), "a failed connect span carries its error")
      const [, explained] = outputs.find(([what]) => what === "explain")!
      assert.include((explained as ErrorHandler.Explanation).message, `127.0.0.1:${downPort}`)
    }).pipe(
      Effect.provide(Telemetry.layer),
      Effect.withSpan("session"),
      Effect.provide(tracing),
      Effect.provide(logs),
      Logger.withMinimumLogLevel(LogLevel.Debug),
      Effect.ensuring(Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
    )
  })
})
