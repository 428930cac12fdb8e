import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { fileURLToPath } from "node:url"
import * as internal from "../src/internal/recorder.js"
import * as Recorder from "../src/Recorder.js"

const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zen-recorder-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let counter = 0
const tmpFile = () => nodePath.join(dir, `session-${++counter}.jsonl`)

const elixirFixture = fileURLToPath(new URL("./fixtures/elixir-session.jsonl", import.meta.url))

const readLines = (file: string): Array<string> =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((line) => line !== "") : []

const readJson = (file: string): Array<any> => readLines(file).map((line) => JSON.parse(line))

// Real (not TestClock) waits of a few milliseconds, for file I/O to land.
const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

const eventually = (condition: () => boolean, label: string) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 3_000
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.dieMessage(`timed out waiting for ${label}`)
      yield* realSleep(2)
    }
  })

// Waits until some fiber sleeps on the TestClock, and returns the pending wake-up times relative to now.
const pendingSleeps = Effect.gen(function*() {
  let sleeps = yield* TestClock.sleeps()
  const deadline = Date.now() + 3_000
  while (Chunk.isEmpty(sleeps)) {
    if (Date.now() > deadline) return yield* Effect.dieMessage("timed out waiting for a sleep")
    yield* realSleep(2)
    sleeps = yield* TestClock.sleeps()
  }
  const now = yield* Clock.currentTimeMillis
  return Chunk.toReadonlyArray(sleeps).map((at) => at - now)
})

const base = Date.parse("2026-11-25T21:00:00.123Z")

const collect = (stream: Stream.Stream<Recorder.Entry, Recorder.RecorderError>) =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const textData = (entry: Recorder.Entry) => entry.type === "text" ? entry.data : `<${entry.type}>`

describe("Recorder", () => {
  describe("format", () => {
    it.effect("text, binary and close entries round-trip through the file and replay", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
        const text = "hello \"world\"\nline two ✓"
        yield* TestClock.setTime(base)
        yield* Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file)
          recorder.recordText("out", text)
          recorder.recordBinary("in", bytes)
          recorder.recordClose("in", 1000, "bye \"now\"")
        }))
        const lines = readLines(file)
        assert.deepStrictEqual(lines, [
          `{"ts":"2026-11-25T21:00:00.123000Z","dir":"out","type":"text","data":${JSON.stringify(text)}}`,
          `{"ts":"2026-11-25T21:00:00.123000Z","dir":"in","type":"binary","data":"${
            Buffer.from(bytes).toString("base64")
          }","binary":true}`,
          `{"ts":"2026-11-25T21:00:00.123000Z","dir":"in","type":"close",` +
          `"data":"{\\"code\\":1000,\\"reason\\":\\"bye \\\\\\"now\\\\\\"\\"}","code":1000,"reason":"bye \\"now\\""}`
        ])
        // the Elixir reader's close data is the JSON string {"code":N,"reason":"..."}
        assert.deepStrictEqual(JSON.parse(JSON.parse(lines[2]).data), { code: 1000, reason: "bye \"now\"" })

        const entries = yield* collect(Recorder.replay(file))
        assert.strictEqual(entries.length, 3)
        const [t, b, c] = entries
        assert(t.type === "text" && b.type === "binary" && c.type === "close")
        assert.deepStrictEqual([t.dir, t.data, t.ts], ["out", text, "2026-11-25T21:00:00.123000Z"])
        assert.strictEqual(b.dir, "in")
        assert(b.data instanceof Uint8Array)
        assert.deepStrictEqual(Array.from(b.data), Array.from(bytes))
        assert.deepStrictEqual([c.dir, c.code, c.reason], ["in", 1000, "bye \"now\""])
        // the writer's fast formatter and the Schema encoder agree byte for byte
        assert.deepStrictEqual(entries.map(Recorder.encodeLine), lines)
      }))

    it.effect("text data is written exactly as JSON.stringify writes it (escapes, non-ASCII, lone surrogates)", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        const texts = [
          "",
          "plain ascii",
          "{\"quoted\":\"and \\\\ backslashed\"}",
          Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join("") + "\u007f",
          "caf\u00e9 \u2713 \u{1F600} \u2028\u2029",
          "lone \ud800 high, lone \udc00 low, pair \ud83d\ude00",
          "x".repeat(5_000) + "\"" + "\u00ff".repeat(3_000)
        ]
        yield* TestClock.setTime(base)
        yield* Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file, { redact: false })
          for (const text of texts) recorder.recordText("in", text)
          for (let i = 0; i < 250; i++) recorder.recordText("out", `{"n":${i},"s":"\t${"\"".repeat(i % 7)}"}`)
        }))
        const expected = [
          ...texts.map((text) => ({ dir: "in", text })),
          ...Array.from({ length: 250 }, (_, i) => ({ dir: "out", text: `{"n":${i},"s":"\t${"\"".repeat(i % 7)}"}` }))
        ].map(({ dir, text }) =>
          `{"ts":"2026-11-25T21:00:00.123000Z","dir":"${dir}","type":"text","data":${JSON.stringify(text)}}`
        )
        assert.deepStrictEqual(readLines(file), expected)
      }))

    it.effect("ts has microseconds from the Clock", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        yield* TestClock.setTime(base + 0.5)
        yield* Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file)
          recorder.recordText("in", "a")
        }))
        assert.strictEqual(readJson(file)[0].ts, "2026-11-25T21:00:00.123500Z")
      }))

    it.live("ts has real microseconds with the live clock", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        yield* Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file)
          for (let i = 0; i < 20; i++) recorder.recordText("in", `m${i}`)
        }))
        const stamps: Array<string> = readJson(file).map((entry) => entry.ts)
        assert.strictEqual(stamps.length, 20)
        for (const ts of stamps) {
          assert.match(ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
          assert(Math.abs(Recorder.epochMicros(ts) / 1000 - Date.now()) < 10_000, ts)
        }
        assert(stamps.some((ts) => !ts.endsWith("000Z")), "sub-millisecond digits")
      }))

    it.effect("metadata counts entries and measures the duration", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        yield* TestClock.setTime(base)
        yield* Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file)
          recorder.recordText("out", "subscribe")
          yield* TestClock.setTime(base + 250)
          recorder.recordText("in", "ack")
          recorder.recordBinary("in", new Uint8Array([1]))
          yield* TestClock.setTime(base + 1500)
          recorder.recordClose("out", 1000, "")
        }))
        const meta = yield* Recorder.metadata(file)
        assert.deepStrictEqual(meta, {
          count: 4,
          inbound: 2,
          outbound: 2,
          durationMs: 1500,
          firstTs: "2026-11-25T21:00:00.123000Z",
          lastTs: "2026-11-25T21:00:01.623000Z",
          malformed: 0
        })
      }))

    it.effect("metadata of an empty file", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        fs.writeFileSync(file, "")
        const meta = yield* Recorder.metadata(file)
        assert.deepStrictEqual(meta, {
          count: 0,
          inbound: 0,
          outbound: 0,
          durationMs: 0,
          firstTs: undefined,
          lastTs: undefined,
          malformed: 0
        })
      }))
  })

  describe("flushing", () => {
    it.scoped("nothing is written before flush; flush writes everything buffered", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        const recorder = yield* Recorder.make(file)
        for (let i = 0; i < 10; i++) recorder.recordText("out", `m${i}`)
        yield* realSleep(30)
        assert.deepStrictEqual(readLines(file), [])
        assert.strictEqual(recorder.stats().buffered, 10)
        yield* recorder.flush
        assert.deepStrictEqual(readJson(file).map((e) => e.data), Array.from({ length: 10 }, (_, i) => `m${i}`))
        assert.deepStrictEqual(recorder.stats(), {
          written: 10,
          bytes: fs.statSync(file).size,
          buffered: 0,
          dropped: 0
        })
      }))

    it.scoped("100 buffered entries are written without waiting for the timer", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        const recorder = yield* Recorder.make(file)
        for (let i = 0; i < 99; i++) recorder.recordText("in", `m${i}`)
        yield* realSleep(50)
        assert.strictEqual(readLines(file).length, 0)
        recorder.recordText("in", "m99")
        yield* eventually(() => readLines(file).length === 100, "100 lines")
        assert.deepStrictEqual(readJson(file).map((e) => e.data), Array.from({ length: 100 }, (_, i) => `m${i}`))
      }))

    it.scoped("buffered entries are written every second", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        const recorder = yield* Recorder.make(file)
        yield* realSleep(20)
        assert(Chunk.isEmpty(yield* TestClock.sleeps()), "no timer while nothing is buffered")
        recorder.recordText("in", "first")
        assert.deepStrictEqual(yield* pendingSleeps, [1000])
        yield* TestClock.adjust(999)
        yield* realSleep(50)
        assert.strictEqual(readLines(file).length, 0)
        yield* TestClock.adjust(1)
        yield* eventually(() => readLines(file).length === 1, "first flush")
        yield* realSleep(20)
        assert(Chunk.isEmpty(yield* TestClock.sleeps()), "idle again")
        // the next entry is written one second after it was recorded
        yield* TestClock.adjust(5000)
        recorder.recordText("in", "second")
        assert.deepStrictEqual(yield* pendingSleeps, [1000])
        yield* TestClock.adjust(1000)
        yield* eventually(() => readLines(file).length === 2, "second flush")
        assert.deepStrictEqual(readJson(file).map((e) => e.data), ["first", "second"])
      }))

    it.effect("closing the scope writes everything", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        yield* Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file)
          for (let i = 0; i < 5; i++) recorder.recordText("out", `m${i}`)
        }))
        assert.strictEqual(readLines(file).length, 5)
      }))

    it.effect("a failing scope still writes every entry, in order", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file)
          for (let i = 0; i < 250; i++) recorder.recordText("in", `m${i}`)
          return yield* Effect.fail("boom")
        })))
        assert(Exit.isFailure(exit))
        assert.deepStrictEqual(readJson(file).map((e) => e.data), Array.from({ length: 250 }, (_, i) => `m${i}`))
      }))

    it.effect("an interrupted session still writes every entry, in order", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        const recorded = yield* Deferred.make<void>()
        const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file)
          for (let i = 0; i < 250; i++) recorder.recordText("in", `m${i}`)
          yield* Deferred.succeed(recorded, undefined)
          for (let i = 250; i < 260; i++) recorder.recordText("in", `m${i}`)
          return yield* Effect.never
        })))
        yield* Deferred.await(recorded)
        const exit = yield* Fiber.interrupt(fiber)
        assert(Exit.isInterrupted(exit))
        assert.deepStrictEqual(readJson(file).map((e) => e.data), Array.from({ length: 260 }, (_, i) => `m${i}`))
      }))

    it.effect("the layer writes every entry when the program using it fails", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        const program = Effect.gen(function*() {
          const recorder = yield* Recorder.Recorder
          for (let i = 0; i < 150; i++) recorder.recordBinary("out", new Uint8Array([i]))
          return yield* Effect.die("defect")
        })
        const exit = yield* Effect.exit(Effect.provide(program, Recorder.layer(file)))
        assert(Exit.isFailure(exit))
        const entries = yield* collect(Recorder.replay(file))
        assert.deepStrictEqual(
          entries.map((e) => e.type === "binary" ? e.data[0] : -1),
          Array.from({ length: 150 }, (_, i) => i)
        )
      }))

    // /dev/full accepts the open and fails every write with ENOSPC
    it.effect.skipIf(!fs.existsSync("/dev/full"))(
      "a failed write keeps the entries; the final failure drops them",
      () =>
        Effect.gen(function*() {
          const logs: Array<string> = []
          const logger = Logger.make(({ logLevel, message }) => logs.push(`${logLevel.label} ${String(message)}`))
          yield* Effect.scoped(Effect.gen(function*() {
            const recorder = yield* Recorder.make("/dev/full")
            recorder.recordText("out", "a")
            recorder.recordText("out", "b")
            yield* recorder.flush
            assert.deepStrictEqual(recorder.stats(), { written: 0, bytes: 0, buffered: 2, dropped: 0 })
            yield* recorder.flush
            assert.strictEqual(recorder.stats().buffered, 2)
          })).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
          assert.deepStrictEqual(logs, [
            "WARN Recorder: write failed, retrying at the next flush," +
            "RecorderError: Could not write the recording /dev/full: ENOSPC: no space left on device, write",
            "ERROR Recorder: the final write failed, 2 entries lost"
          ])
        })
    )

    it.effect("a failed batch is written first at the next flush, before what arrived since, and counts as buffered", () =>
      Effect.gen(function*() {
        const clock = yield* Effect.clock
        const buffer = new internal.EntryBuffer(clock, () => {}, () => {})
        const redact = internal.makeRedactor(false)
        buffer.push(internal.TEXT, "in", "a", 0)
        buffer.push(internal.TEXT, "in", "b", 0)
        const failed = buffer.take(redact)!
        assert.strictEqual(failed.count, 2)
        buffer.retryLater(failed)
        buffer.push(internal.TEXT, "out", "c", 0)
        assert.strictEqual(buffer.size, 3)
        const next = buffer.take(redact)!
        assert.strictEqual(next.count, 3)
        assert.deepStrictEqual(
          next.text.trimEnd().split("\n").map((line) => JSON.parse(line).data),
          ["a", "b", "c"]
        )
        assert.strictEqual(buffer.size, 0)
        assert.isUndefined(buffer.take(redact))
      }))

    it.effect("entries left by failed writes count toward the cap: beyond it, new ones are dropped and counted", () =>
      Effect.gen(function*() {
        const clock = yield* Effect.clock
        const buffer = new internal.EntryBuffer(clock, () => {}, () => {})
        buffer.retryLater({ text: "", count: internal.MAX_BUFFERED - 1 })
        buffer.push(internal.TEXT, "in", "fits", 0)
        buffer.push(internal.TEXT, "in", "dropped", 0)
        assert.strictEqual(buffer.size, internal.MAX_BUFFERED)
        assert.strictEqual(buffer.dropped, 1)
        assert.strictEqual(buffer.close(), internal.MAX_BUFFERED)
        assert.strictEqual(buffer.dropped, internal.MAX_BUFFERED + 1)
      }))

    it.effect("entries recorded after the scope closed are ignored", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        const recorder = yield* Effect.scoped(Recorder.make(file))
        recorder.recordText("in", "late")
        yield* recorder.flush
        assert.strictEqual(readLines(file).length, 0)
        assert.strictEqual(recorder.stats().buffered, 0)
      }))
  })

  describe("existing files", () => {
    it.effect("append mode (the default) keeps what is there", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        fs.writeFileSync(file, "previous content\n")
        yield* Effect.scoped(Effect.flatMap(Recorder.make(file), (r) => Effect.sync(() => r.recordText("in", "one"))))
        yield* Effect.scoped(
          Effect.flatMap(Recorder.make(file, { mode: "append" }), (r) => Effect.sync(() => r.recordText("in", "two")))
        )
        const lines = readLines(file)
        assert.strictEqual(lines[0], "previous content")
        assert.deepStrictEqual(lines.slice(1).map((line) => JSON.parse(line).data), ["one", "two"])
      }))

    it.effect("rotate mode moves the existing file aside", () =>
      Effect.gen(function*() {
        const file = tmpFile()
        yield* TestClock.setTime(base)
        const session = (data: string) =>
          Effect.scoped(
            Effect.flatMap(Recorder.make(file, { mode: "rotate" }), (r) => Effect.sync(() => r.recordText("in", data)))
          )
        yield* session("first")
        assert.deepStrictEqual(fs.readdirSync(dir).filter((f) => f.startsWith(nodePath.basename(file) + ".")), [])
        yield* session("second")
        yield* session("third")
        const rotated = `${file}.2026-11-25T21-00-00.123Z`
        assert.deepStrictEqual(readJson(file).map((e) => e.data), ["third"])
        assert.deepStrictEqual(readJson(rotated).map((e) => e.data), ["first"])
        assert.deepStrictEqual(readJson(`${rotated}-1`).map((e) => e.data), ["second"])
      }))

    it.effect("make fails with RecorderError open when the directory does not exist", () =>
      Effect.gen(function*() {
        const file = nodePath.join(dir, "missing", "session.jsonl")
        const error = yield* Effect.flip(Effect.scoped(Recorder.make(file)))
        assert.strictEqual(error._tag, "RecorderError")
        assert.strictEqual(error.reason, "open")
        assert.strictEqual(error.path, file)
        assert.strictEqual((error.cause as NodeJS.ErrnoException).code, "ENOENT")
      }))

    it.effect("reading a missing file fails with RecorderError read", () =>
      Effect.gen(function*() {
        const file = nodePath.join(dir, "nope.jsonl")
        const metaError = yield* Effect.flip(Recorder.metadata(file))
        const replayError = yield* Effect.flip(Stream.runDrain(Recorder.replay(file)))
        assert.deepStrictEqual([metaError.reason, replayError.reason], ["read", "read"])
        assert.strictEqual((replayError.cause as NodeJS.ErrnoException).code, "ENOENT")
      }))
  })

  describe("redaction", () => {
    const record = (frames: ReadonlyArray<string>, options?: Recorder.RecorderOptions) =>
      Effect.gen(function*() {
        const file = tmpFile()
        yield* Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file, options)
          for (const frame of frames) recorder.recordText("out", frame)
        }))
        return readJson(file).map((entry): string => entry.data)
      })

    it.effect("masks every default key at any depth of a JSON frame", () =>
      Effect.gen(function*() {
        const frame = JSON.stringify({
          jsonrpc: "2.0",
          method: "public/auth",
          params: { grant_type: "client_credentials", client_id: "ID-1", client_secret: "SECRET-1" },
          result: {
            access_token: "SECRET-2",
            refresh_token: "SECRET-3",
            nested: [{ deeper: { password: 12345, signature: "SECRET-5" } }]
          }
        })
        const [data] = yield* record([frame])
        assert.deepStrictEqual(JSON.parse(data), {
          jsonrpc: "2.0",
          method: "public/auth",
          params: { grant_type: "client_credentials", client_id: "ID-1", client_secret: "***" },
          result: {
            access_token: "***",
            refresh_token: "***",
            nested: [{ deeper: { password: "***", signature: "***" } }]
          }
        })
      }))

    it.effect("masks key=value and \"key\":\"value\" patterns in non-JSON text", () =>
      Effect.gen(function*() {
        const data = yield* record([
          "login user=bob&password=hunter2&x=1 access_token: tok123 signature='sig' client_secret=\"a b\"",
          "{\"refresh_token\":\"SECRET-9\",\"x\":",
          "{\"query\":\"grant&password=hunter2\"}"
        ])
        assert.deepStrictEqual(data, [
          "login user=bob&password=***&x=1 access_token: *** signature='***' client_secret=\"***\"",
          "{\"refresh_token\":\"***\",\"x\":",
          "{\"query\":\"grant&password=***\"}"
        ])
      }))

    it.effect("a key is matched however it is escaped in the JSON text (regression: \\u005f slipped through)", () =>
      Effect.gen(function*() {
        const escaped = [
          "{\"jsonrpc\":\"2.0\",\"params\":{\"client\\u005fsecret\":\"SECRET-1\"}}",
          "{\"\\u0061ccess_token\":\"SECRET-2\",\"ok\":1}",
          "[{\"nested\":\"{\\\"pass\\\\u0077ord\\\":\\\"SECRET-3\\\"}\"}]"
        ]
        const data = yield* record(escaped)
        for (const line of data) assert.notInclude(line, "SECRET", line)
        assert.deepStrictEqual(JSON.parse(data[0]), { jsonrpc: "2.0", params: { client_secret: "***" } })
        assert.deepStrictEqual(JSON.parse(data[1]), { access_token: "***", ok: 1 })
      }))

    it.effect("extra keys are masked along with the default ones", () =>
      Effect.gen(function*() {
        const data = yield* record(["{\"api_key\":\"K\",\"password\":\"P\",\"ok\":1}", "api_key=K2 other=1"], {
          redact: ["api_key"]
        })
        assert.deepStrictEqual(data, ["{\"api_key\":\"***\",\"password\":\"***\",\"ok\":1}", "api_key=*** other=1"])
      }))

    it.effect("a key is matched literally, regular-expression characters included", () =>
      Effect.gen(function*() {
        const data = yield* record(["{\"x.key+\":\"K\"}", "{\"token^\":\"T\"}", "{\"xykey\":\"K\"}"], {
          redact: ["x.key+", "token^"]
        })
        assert.deepStrictEqual(data, ["{\"x.key+\":\"***\"}", "{\"token^\":\"***\"}", "{\"xykey\":\"K\"}"])
      }))

    it.effect("frames without secrets are written unchanged, and redact: false disables masking", () =>
      Effect.gen(function*() {
        const harmless = ["{ \"channel\" : \"password_reset\", \"password_hint\": \"x\" }", "no secrets here"]
        assert.deepStrictEqual(yield* record(harmless), harmless)
        const secret = "{\"password\":\"P\"}"
        assert.deepStrictEqual(yield* record([secret], { redact: false }), [secret])
        assert.deepStrictEqual(yield* record([secret], { redact: true }), ["{\"password\":\"***\"}"])
      }))
  })

  describe("reading Elixir recordings", () => {
    it.effect("metadata skips and counts malformed lines", () =>
      Effect.gen(function*() {
        const meta = yield* Recorder.metadata(elixirFixture)
        assert.strictEqual(meta.count, 4)
        assert.strictEqual(meta.inbound, 3)
        assert.strictEqual(meta.outbound, 1)
        assert.strictEqual(meta.malformed, 2)
        assert.closeTo(meta.durationMs, 1234.567, 1e-6)
        assert.strictEqual(meta.firstTs, "2026-01-20T15:30:45Z")
        assert.strictEqual(meta.lastTs, "2026-01-20T15:30:46.234567Z")
      }))

    it.effect("replay decodes text, binary and close entries and reports malformed lines", () =>
      Effect.gen(function*() {
        const malformed: Array<number> = []
        const entries = yield* collect(Recorder.replay(elixirFixture, {
          onMalformed: (m) => Effect.sync(() => malformed.push(m.lineNumber))
        }))
        assert.deepStrictEqual(malformed, [4, 5])
        assert.deepStrictEqual(entries.map((e) => [e.dir, e.type]), [
          ["out", "text"],
          ["in", "text"],
          ["in", "binary"],
          ["in", "close"]
        ])
        const [request, , binary, close] = entries
        assert.deepStrictEqual(JSON.parse(textData(request)), {
          jsonrpc: "2.0",
          id: 1,
          method: "public/test",
          params: {}
        })
        assert(binary.type === "binary" && close.type === "close")
        assert.deepStrictEqual(Array.from(binary.data), [1, 2, 3, 255])
        assert.deepStrictEqual([close.code, close.reason], [1000, "normal"])
      }))

    it("decodeLine rejects unknown directions and types and bad base64", () => {
      const line = (fields: object) =>
        JSON.stringify({ ts: "2026-01-20T15:30:45.000001Z", dir: "in", type: "text", data: "x", ...fields })
      assert(Either.isRight(Recorder.decodeLine(line({}))))
      assert(Either.isLeft(Recorder.decodeLine(line({ dir: "sideways" }))))
      assert(Either.isLeft(Recorder.decodeLine(line({ type: "ping" }))))
      assert(Either.isLeft(Recorder.decodeLine(line({ ts: "yesterday" }))))
      assert(Either.isLeft(Recorder.decodeLine(line({ type: "binary", data: "not base64!", binary: true }))))
      assert(Either.isLeft(Recorder.decodeLine(line({ type: "close", data: "not json" }))))
      assert.strictEqual(
        Recorder.epochMicros("2026-01-20T16:30:45.000001+01:00"),
        Date.UTC(2026, 0, 20, 15, 30, 45) * 1000 + 1
      )
    })
  })

  describe("replay timing", () => {
    const recordAt = (offsets: ReadonlyArray<readonly [number, Recorder.Direction]>) =>
      Effect.gen(function*() {
        const file = tmpFile()
        yield* Effect.scoped(Effect.gen(function*() {
          const recorder = yield* Recorder.make(file)
          for (const [offset, dir] of offsets) {
            yield* TestClock.setTime(base + offset)
            recorder.recordText(dir, `${dir}@${offset}`)
          }
        }))
        // TestClock keeps the wake-up of the interrupted flush timer: let it pass
        yield* TestClock.adjust(1000)
        return file
      })

    const run = (stream: Stream.Stream<Recorder.Entry, Recorder.RecorderError>) =>
      Effect.gen(function*() {
        const seen: Array<string> = []
        const fiber = yield* Effect.fork(Stream.runForEach(stream, (e) => Effect.sync(() => seen.push(textData(e)))))
        return { seen, fiber }
      })

    it.effect("realtime with speed 2 waits half the recorded gaps", () =>
      Effect.gen(function*() {
        const file = yield* recordAt([[0, "out"], [100, "in"], [400, "in"]])
        const { fiber, seen } = yield* run(Recorder.replay(file, { realtime: true, speed: 2 }))
        yield* eventually(() => seen.length === 1, "first entry")
        assert.deepStrictEqual(yield* pendingSleeps, [50])
        yield* TestClock.adjust(50)
        yield* eventually(() => seen.length === 2, "second entry")
        assert.deepStrictEqual(yield* pendingSleeps, [150])
        yield* TestClock.adjust(149)
        yield* realSleep(20)
        assert.strictEqual(seen.length, 2)
        yield* TestClock.adjust(1)
        yield* Fiber.join(fiber)
        assert.deepStrictEqual(seen, ["out@0", "in@100", "in@400"])
      }))

    it.effect("without realtime every entry comes at once", () =>
      Effect.gen(function*() {
        const file = yield* recordAt([[0, "out"], [100, "in"], [5000, "in"]])
        const entries = yield* collect(Recorder.replay(file))
        assert.deepStrictEqual(entries.map(textData), ["out@0", "in@100", "in@5000"])
      }))

    it.effect("script plays the inbound frames with their gaps scaled by speed", () =>
      Effect.gen(function*() {
        const file = yield* recordAt([[0, "in"], [100, "out"], [300, "in"], [1000, "in"]])
        const { fiber, seen } = yield* run(Recorder.script(file, { speed: 4 }))
        yield* eventually(() => seen.length === 1, "first entry")
        assert.deepStrictEqual(yield* pendingSleeps, [75])
        yield* TestClock.adjust(75)
        yield* eventually(() => seen.length === 2, "second entry")
        assert.deepStrictEqual(yield* pendingSleeps, [175])
        yield* TestClock.adjust(175)
        yield* Fiber.join(fiber)
        assert.deepStrictEqual(seen, ["in@0", "in@300", "in@1000"])
      }))

    it.effect("a speed that is not positive is a defect", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(Stream.runDrain(Recorder.replay(elixirFixture, { realtime: true, speed: 0 })))
        assert(Exit.isFailure(exit) && Exit.causeOption(exit)._tag === "Some")
        assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "speed must be > 0")
      }))
  })
})
