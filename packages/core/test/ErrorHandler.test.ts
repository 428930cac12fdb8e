import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as ErrorHandler from "../src/ErrorHandler.js"
import {
  ConnectError,
  Disconnected,
  DuplicateRequestId,
  InvalidOptions,
  NotConnected,
  RateLimited,
  RequestTimeout,
  RpcError,
  SendError
} from "../src/WebSocketError.js"
import * as WebSocketError from "../src/WebSocketError.js"

const url = "wss://api.example.test/ws/v2"

const nodeError = (code: string, message = code): Error => Object.assign(new Error(message), { code })

const includes = (haystack: string, needle: string): void =>
  assert.isTrue(haystack.includes(needle), `expected ${JSON.stringify(haystack)} to contain ${JSON.stringify(needle)}`)

const matches = (haystack: string, pattern: RegExp): void =>
  assert.match(haystack, pattern, `expected ${JSON.stringify(haystack)} to match ${pattern}`)

const isExplanation = (e: ErrorHandler.Explanation): void => {
  assert.isString(e.message)
  assert.isString(e.suggestion)
  assert.isAbove(e.message.length, 0)
  assert.isAbove(e.suggestion.length, 0)
  assert.isFalse(e.message.startsWith("Unknown error"), e.message)
}

describe("ErrorHandler.explain", () => {
  describe("ConnectError", () => {
    it("timeout names the URL and the timeout option", () => {
      const e = ErrorHandler.explain(new ConnectError({ reason: "timeout", url }))
      includes(e.message, url)
      matches(e.message, /timed out/)
      includes(e.suggestion, "`timeout`")
    })

    it("refused names the URL and says to check the server runs", () => {
      const e = ErrorHandler.explain(
        new ConnectError({
          reason: "refused",
          url,
          cause: nodeError("ECONNREFUSED", "connect ECONNREFUSED 1.2.3.4:443")
        })
      )
      includes(e.message, url)
      matches(e.message, /refused/i)
      includes(e.message, "connect ECONNREFUSED 1.2.3.4:443")
      matches(e.suggestion, /server is running/)
    })

    it("dns names the host name", () => {
      const e = ErrorHandler.explain(new ConnectError({ reason: "dns", url, cause: nodeError("ENOTFOUND") }))
      includes(e.message, "api.example.test")
      matches(e.message, /DNS/)
      matches(e.suggestion, /hostname/)
    })

    it("dns with EAI_AGAIN is a temporary failure", () => {
      const e = ErrorHandler.explain(new ConnectError({ reason: "dns", url, cause: nodeError("EAI_AGAIN") }))
      includes(e.message, "EAI_AGAIN")
      matches(e.message, /temporarily/)
    })

    it("protocol points at a non-WebSocket endpoint", () => {
      const e = ErrorHandler.explain(
        new ConnectError({ reason: "protocol", url, cause: new Error("Invalid Sec-WebSocket-Accept header") })
      )
      includes(e.message, url)
      includes(e.message, "Invalid Sec-WebSocket-Accept header")
      matches(e.suggestion, /WebSocket endpoint/)
    })

    it("network varies by the Node code in the cause", () => {
      const reset = ErrorHandler.explain(
        new ConnectError({ reason: "network", url, cause: nodeError("ECONNRESET", "socket hang up") })
      )
      matches(reset.message, /reset/)
      includes(reset.message, url)
      includes(reset.message, "socket hang up")

      const unreach = ErrorHandler.explain(
        new ConnectError({ reason: "network", url, cause: nodeError("ENETUNREACH") })
      )
      includes(unreach.message, "Network unreachable")
      includes(unreach.suggestion, "VPN")

      const host = ErrorHandler.explain(new ConnectError({ reason: "network", url, cause: nodeError("EHOSTUNREACH") }))
      includes(host.message, "Host unreachable")

      const other = ErrorHandler.explain(new ConnectError({ reason: "network", url, cause: new Error("weird") }))
      includes(other.message, url)
      includes(other.message, "weird")
    })

    it("network finds the code inside an AggregateError (Node's happy eyeballs)", () => {
      const cause = new AggregateError([nodeError("ECONNREFUSED"), nodeError("ECONNREFUSED")], "all failed")
      const e = ErrorHandler.explain(new ConnectError({ reason: "network", url, cause }))
      includes(e.message, "Connection refused")
    })

    it("max-attempts explains the last attempt's error", () => {
      const last = new ConnectError({ reason: "http", url, status: 503 })
      const e = ErrorHandler.explain(new ConnectError({ reason: "max-attempts", url, cause: last }))
      matches(e.message, /Gave up/)
      includes(e.message, "503")
      includes(e.suggestion, "`retryCount`")
      matches(e.suggestion, /retry later/)
    })

    it("max-attempts without a cause still has a real explanation", () => {
      const e = ErrorHandler.explain(new ConnectError({ reason: "max-attempts", url }))
      isExplanation(e)
      includes(e.message, url)
      includes(e.suggestion, "`retryCount`")
    })

    it("every reason gets a specific explanation", () => {
      for (
        const reason of ["timeout", "refused", "dns", "tls", "http", "protocol", "network", "max-attempts"] as const
      ) {
        isExplanation(ErrorHandler.explain(new ConnectError({ reason, url })))
      }
    })
  })

  describe("ConnectError http", () => {
    const http = (status: number, cause?: unknown) =>
      ErrorHandler.explain(new ConnectError({ reason: "http", url, status, cause }))

    it("401 asks to check credentials / token", () => {
      const e = http(401)
      includes(e.message, "401")
      includes(e.message, url)
      matches(e.suggestion, /credentials/)
      matches(e.suggestion, /token/)
    })

    it("403 is forbidden: permissions, IP allow-list, origin", () => {
      const e = http(403)
      includes(e.message, "403")
      matches(e.suggestion, /[Ff]orbidden/)
      matches(e.suggestion, /permissions/)
      matches(e.suggestion, /allow-list/)
      matches(e.suggestion, /Origin/)
    })

    it("404 is a wrong path", () => {
      const e = http(404)
      includes(e.message, "404")
      matches(e.suggestion, /path/)
    })

    it("426 asks for wss / WebSocket version 13", () => {
      const e = http(426)
      includes(e.message, "426")
      includes(e.suggestion, "wss://")
    })

    it("429 is rate limiting by the server and mentions Retry-After", () => {
      const e = http(429)
      includes(e.message, "429")
      matches(e.message, /rate limited/i)
      matches(e.suggestion, /[Bb]ack off/)
      includes(e.suggestion, "Retry-After")
    })

    it("429 shows the Retry-After header from the response in the cause", () => {
      includes(http(429, { headers: { "retry-after": "30" } }).message, "Retry-After: 30")
      includes(http(429, { response: { headers: new Map([["retry-after", "12"]]) } }).message, "Retry-After: 12")
    })

    it("5xx is server-side trouble: retry later", () => {
      for (const status of [500, 502, 503, 504]) {
        const e = http(status)
        includes(e.message, String(status))
        matches(e.message, /server-side/)
        matches(e.suggestion, /retry later/)
      }
      includes(http(503).message, "Service Unavailable")
    })

    it("other statuses and a missing status still explain", () => {
      includes(http(418).message, "418")
      matches(http(302).suggestion, /final URL/)
      isExplanation(ErrorHandler.explain(new ConnectError({ reason: "http", url })))
    })
  })

  describe("ConnectError tls", () => {
    const tls = (code: string) =>
      ErrorHandler.explain(new ConnectError({ reason: "tls", url, cause: nodeError(code, `tls failure ${code}`) }))

    it("a self-signed certificate suggests `tls: { ca }`, not disabling verification", () => {
      for (const code of ["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN"]) {
        const e = tls(code)
        includes(e.message, code)
        includes(e.message, "api.example.test")
        matches(e.message, /self-signed/)
        includes(e.suggestion, "tls: { ca")
        assert.isFalse(/rejectUnauthorized/.test(e.suggestion), e.suggestion)
      }
    })

    it("an incomplete chain, expiry and host mismatch get their own advice", () => {
      includes(tls("UNABLE_TO_VERIFY_LEAF_SIGNATURE").suggestion, "intermediate")
      matches(tls("CERT_HAS_EXPIRED").message, /expired/)
      matches(tls("CERT_HAS_EXPIRED").suggestion, /renew/)
      const altname = tls("ERR_TLS_CERT_ALTNAME_INVALID")
      includes(altname.message, "api.example.test")
      includes(altname.suggestion, "servername")
    })

    it("an unknown TLS failure falls back to the original's advice, with the cause", () => {
      const e = tls("ERR_SOMETHING_ELSE")
      matches(e.message, /TLS\/SSL handshake/)
      includes(e.message, "tls failure ERR_SOMETHING_ELSE")
      matches(e.suggestion, /certificate validity/)
    })

    it("never suggests disabling verification", () => {
      for (
        const code of [
          "DEPTH_ZERO_SELF_SIGNED_CERT",
          "SELF_SIGNED_CERT_IN_CHAIN",
          "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
          "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
          "CERT_HAS_EXPIRED",
          "ERR_TLS_CERT_ALTNAME_INVALID",
          "OTHER"
        ]
      ) {
        assert.isFalse(/rejectUnauthorized|disable/i.test(tls(code).suggestion), code)
      }
    })
  })

  describe("Disconnected", () => {
    const closed = (code: number, reason = "") => ErrorHandler.explain(new Disconnected({ code, reason }))

    it("names the close code and the reason", () => {
      const e = closed(1000, "bye")
      includes(e.message, "1000")
      matches(e.message, /normal/)
      includes(e.message, "bye")
    })

    it("1001 going away, 1011 internal error, 1012/1013 restart / try later", () => {
      matches(closed(1001).message, /going away/)
      matches(closed(1011).message, /internal/)
      matches(closed(1011).suggestion, /retry later/)
      matches(closed(1012).suggestion, /restarting/)
      matches(closed(1013).suggestion, /later/)
    })

    it("1006 (no close frame) points at the network and heartbeats", () => {
      const e = closed(1006)
      includes(e.message, "1006")
      matches(e.message, /no close frame/)
      matches(e.suggestion, /network/)
      includes(e.suggestion, "heartbeatConfig")
    })

    it("1008 is a policy violation", () => {
      const e = closed(1008, "auth required")
      matches(e.message, /policy/)
      includes(e.message, "auth required")
      matches(e.suggestion, /authentication/)
    })

    it("1009 suggests raising maxPayload", () => {
      const e = closed(1009)
      matches(e.message, /too big/)
      includes(e.suggestion, "maxPayload")
    })

    it("4xxx codes are application-defined", () => {
      const e = closed(4001, "invalid token")
      includes(e.message, "4001")
      matches(e.message, /application-defined/)
      includes(e.message, "invalid token")
      includes(e.suggestion, "4001")
      matches(e.suggestion, /documentation/)
    })

    it("includes the cause", () => {
      includes(
        ErrorHandler.explain(new Disconnected({ code: 1006, reason: "", cause: new Error("EOF") })).message,
        "EOF"
      )
    })

    it("every code gets an explanation", () => {
      for (const code of [1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015]) {
        const e = closed(code)
        isExplanation(e)
        includes(e.message, String(code))
      }
      isExplanation(closed(2999))
    })
  })

  describe("the other errors", () => {
    it("NotConnected varies by state", () => {
      const connecting = ErrorHandler.explain(new NotConnected({ state: "connecting" }))
      includes(connecting.message, "connecting")
      includes(connecting.suggestion, "offlineQueue")
      const disconnected = ErrorHandler.explain(new NotConnected({ state: "disconnected" }))
      includes(disconnected.message, "disconnected")
      includes(disconnected.suggestion, "GaveUp")
    })

    it("RequestTimeout names the request id, method and timeout", () => {
      const e = ErrorHandler.explain(new RequestTimeout({ id: 42, method: "public/get_time", timeoutMs: 5000 }))
      includes(e.message, "42")
      includes(e.message, "public/get_time")
      includes(e.message, "5000")
      includes(e.suggestion, "requestTimeout")
    })

    it("RpcError names the code, message, request and data, and knows the standard codes", () => {
      const e = ErrorHandler.explain(
        new RpcError({ code: -32601, message: "Method not found", id: 7, method: "public/nope", data: { x: 1 } })
      )
      includes(e.message, "-32601")
      includes(e.message, "Method not found")
      includes(e.message, "7")
      includes(e.message, "public/nope")
      includes(e.message, "\"x\":1")
      matches(e.suggestion, /method name/)
      matches(ErrorHandler.explain(new RpcError({ code: -32602, message: "bad" })).suggestion, /params/)
      includes(ErrorHandler.explain(new RpcError({ code: 13009, message: "unauthorized" })).suggestion, "13009")
    })

    it("DuplicateRequestId names the id", () => {
      const e = ErrorHandler.explain(new DuplicateRequestId({ id: "req-9" }))
      includes(e.message, "req-9")
      matches(e.suggestion, /assign request ids/)
    })

    it("RateLimited names the queue size and cost", () => {
      const e = ErrorHandler.explain(new RateLimited({ queueSize: 100, cost: 5 }))
      includes(e.message, "100")
      includes(e.message, "5")
      includes(e.suggestion, "maxQueue")
    })

    it("InvalidOptions names the field, value and rule", () => {
      const e = ErrorHandler.explain(
        new InvalidOptions({ field: "retryDelay", value: -1, rule: "must be a non-negative number" })
      )
      includes(e.message, "retryDelay")
      includes(e.message, "-1")
      includes(e.message, "must be a non-negative number")
      includes(e.suggestion, "retryDelay")
      includes(
        ErrorHandler.explain(new InvalidOptions({ field: "url", value: "http://x", rule: "ws: or wss:" })).suggestion,
        "wss://"
      )
    })

    it("SendError varies by reason", () => {
      const encode = ErrorHandler.explain(new SendError({ reason: "encode", cause: new TypeError("BigInt") }))
      matches(encode.message, /encoded/)
      includes(encode.message, "BigInt")
      matches(encode.suggestion, /JSON-serialisable/)
      const socket = ErrorHandler.explain(
        new SendError({ reason: "socket", cause: new Error("WebSocket is not open") })
      )
      includes(socket.message, "WebSocket is not open")
      includes(socket.suggestion, "offlineQueue")
    })

    it("explains the first failure of an Effect Cause", () => {
      const e = ErrorHandler.explain(Cause.fail(new ConnectError({ reason: "http", url, status: 401 })))
      includes(e.message, "401")
    })
  })

  describe("the original's raw reasons", () => {
    const seed: ReadonlyArray<readonly [string, string, string]> = [
      [
        "econnrefused",
        "Connection refused by server",
        "Check that the server is running and verify the URL is correct"
      ],
      ["timeout", "Connection timed out", "Check network connectivity or increase the timeout configuration"],
      ["nxdomain", "DNS lookup failed - domain not found", "Verify the hostname spelling is correct"],
      ["enotfound", "Host not found", "Verify the hostname is correct"],
      ["ehostunreach", "Host unreachable", "Check network connectivity to the target host"],
      ["enetunreach", "Network unreachable", "Check your network connection or VPN status"],
      ["connection_failed", "Connection failed", "Verify the URL and check network connectivity"],
      [
        "invalid_frame",
        "Invalid WebSocket frame received",
        "Server sent malformed data - this may indicate a server bug"
      ],
      ["unauthorized", "Authentication failed", "Check your API credentials are valid and not expired"],
      ["invalid_credentials", "Invalid credentials provided", "Verify your API key and secret are correct"],
      ["token_expired", "Authentication token has expired", "Re-authenticate to obtain a fresh token"]
    ]

    it("keeps the original's texts", () => {
      for (const [reason, message, suggestion] of seed) {
        const e = ErrorHandler.explain(reason)
        assert.strictEqual(e.message, message, reason)
        assert.strictEqual(e.suggestion, suggestion, reason)
      }
    })

    it("accepts Node codes as strings, in any case", () => {
      assert.strictEqual(ErrorHandler.explain("ECONNREFUSED").message, "Connection refused by server")
      assert.strictEqual(ErrorHandler.explain("ETIMEDOUT").message, "Connection timed out")
      assert.strictEqual(ErrorHandler.explain("ENOTFOUND").message, "Host not found")
      assert.strictEqual(ErrorHandler.explain("EHOSTUNREACH").message, "Host unreachable")
      assert.strictEqual(ErrorHandler.explain("ENETUNREACH").message, "Network unreachable")
      matches(ErrorHandler.explain("ECONNRESET").message, /reset/)
    })

    it("accepts a Node Error with a code, keeping its message", () => {
      const e = ErrorHandler.explain(nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9"))
      includes(e.message, "Connection refused by server")
      includes(e.message, "127.0.0.1:9")
      assert.strictEqual(e.suggestion, "Check that the server is running and verify the URL is correct")
      assert.strictEqual(ErrorHandler.explain({ code: "ECONNREFUSED" }).message, "Connection refused by server")
      includes(ErrorHandler.explain(nodeError("CERT_HAS_EXPIRED")).message, "expired")
    })

    it("frame_too_large suggests the real option maxPayload", () => {
      const e = ErrorHandler.explain("frame_too_large")
      assert.strictEqual(e.message, "Frame exceeds maximum size limit")
      includes(e.suggestion, "maxPayload")
      assert.isFalse(e.suggestion.includes("max_frame_size"))
      includes(ErrorHandler.explain(nodeError("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH")).suggestion, "maxPayload")
    })

    it("the library's own reasons have real explanations", () => {
      for (const reason of ["max_reconnection_attempts", "duplicate_request_id", "disconnected", "not_connected"]) {
        isExplanation(ErrorHandler.explain(reason))
      }
      includes(ErrorHandler.explain("max_reconnection_attempts").suggestion, "retryCount")
    })
  })

  describe("unknown input", () => {
    it("gives the generic explanation with a short inspect", () => {
      const e = ErrorHandler.explain({ foo: 1 })
      assert.strictEqual(e.message, "Unknown error: {\"foo\":1}")
      assert.strictEqual(e.suggestion, "Check the logs for more details")
      assert.strictEqual(ErrorHandler.explain("weird").message, "Unknown error: \"weird\"")
      assert.strictEqual(ErrorHandler.explain(new Error("boom")).message, "Unknown error: Error: boom")
    })

    it("never throws", () => {
      const circular: Record<string, unknown> = { a: 1 }
      circular.self = circular
      const hostile = new Proxy({}, {
        get() {
          throw new Error("no")
        },
        has() {
          throw new Error("no")
        },
        ownKeys() {
          throw new Error("no")
        }
      })
      const cases: ReadonlyArray<unknown> = [
        null,
        undefined,
        Symbol("s"),
        10n,
        () => 1,
        circular,
        hostile,
        { _tag: "ConnectError" },
        { _tag: "RequestTimeout", id: Symbol("id") },
        {
          toJSON: () => {
            throw new Error("no")
          }
        }
      ]
      for (const input of cases) {
        const e = ErrorHandler.explain(input)
        assert.isString(e.message)
        assert.isString(e.suggestion)
        assert.isBoolean(ErrorHandler.isRecoverable(input))
      }
      assert.strictEqual(ErrorHandler.explain(null).message, "Unknown error: null")
      assert.strictEqual(ErrorHandler.explain(undefined).message, "Unknown error: undefined")
      assert.strictEqual(ErrorHandler.explain(Symbol("s")).message, "Unknown error: Symbol(s)")
      includes(ErrorHandler.explain(circular).message, "[Circular]")
    })

    it("keeps the inspect short", () => {
      const e = ErrorHandler.explain({ big: "x".repeat(10_000) })
      assert.isBelow(e.message.length, 300)
    })
  })
})

describe("ErrorHandler.isRecoverable", () => {
  const connect = (reason: ConnectError["reason"], status?: number) =>
    ErrorHandler.isRecoverable(new ConnectError({ reason, url, status }))

  it("ConnectError by reason", () => {
    assert.isTrue(connect("timeout"))
    assert.isTrue(connect("refused"))
    assert.isTrue(connect("dns"))
    assert.isTrue(connect("network"))
    assert.isFalse(connect("tls"))
    assert.isFalse(connect("protocol"))
    assert.isFalse(connect("max-attempts"))
  })

  it("ConnectError http: only 408, 429 and 5xx", () => {
    for (const status of [408, 429, 500, 502, 503, 504]) assert.isTrue(connect("http", status), String(status))
    for (const status of [400, 401, 403, 404, 426, 302]) assert.isFalse(connect("http", status), String(status))
    assert.isFalse(connect("http"))
  })

  it("Disconnected: true except policy, extension, TLS and auth closes; one bad frame is recoverable", () => {
    for (const code of [1000, 1001, 1002, 1003, 1005, 1006, 1007, 1009, 1011, 1012, 1013, 1014, 4000, 4001, 4999]) {
      assert.isTrue(ErrorHandler.isRecoverable(new Disconnected({ code, reason: "" })), String(code))
    }
    for (const code of [1008, 1010, 1015, 3000, 3003]) {
      assert.isFalse(ErrorHandler.isRecoverable(new Disconnected({ code, reason: "" })), String(code))
    }
  })

  it("the other errors", () => {
    assert.isTrue(ErrorHandler.isRecoverable(new NotConnected({ state: "disconnected" })))
    assert.isTrue(ErrorHandler.isRecoverable(new NotConnected({ state: "connecting" })))
    assert.isTrue(ErrorHandler.isRecoverable(new RequestTimeout({ id: 1, method: "m", timeoutMs: 1 })))
    assert.isTrue(ErrorHandler.isRecoverable(new RateLimited({ queueSize: 1, cost: 1 })))
    assert.isTrue(ErrorHandler.isRecoverable(new SendError({ reason: "socket" })))
    assert.isFalse(ErrorHandler.isRecoverable(new SendError({ reason: "encode" })))
    assert.isFalse(ErrorHandler.isRecoverable(new RpcError({ code: -32603, message: "internal" })))
    assert.isFalse(ErrorHandler.isRecoverable(new DuplicateRequestId({ id: 1 })))
    assert.isFalse(ErrorHandler.isRecoverable(new InvalidOptions({ field: "timeout", value: 0, rule: "positive" })))
  })

  it("raw Node codes are recoverable, including a bare ECONNREFUSED", () => {
    for (
      const code of ["ECONNREFUSED", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EAI_AGAIN"]
    ) {
      assert.isTrue(ErrorHandler.isRecoverable(code), code)
      assert.isTrue(ErrorHandler.isRecoverable(code.toLowerCase()), code)
      assert.isTrue(ErrorHandler.isRecoverable(nodeError(code)), code)
    }
    assert.isTrue(ErrorHandler.isRecoverable({ code: "ECONNREFUSED" }))
  })

  it("the original's reasons", () => {
    for (const reason of ["timeout", "nxdomain", "connection_failed", "disconnected", "not_connected"]) {
      assert.isTrue(ErrorHandler.isRecoverable(reason), reason)
    }
    for (
      const reason of [
        "invalid_frame",
        "frame_too_large",
        "unauthorized",
        "invalid_credentials",
        "token_expired",
        "max_reconnection_attempts",
        "duplicate_request_id"
      ]
    ) {
      assert.isFalse(ErrorHandler.isRecoverable(reason), reason)
    }
  })

  it("TLS codes, unknown input and causes", () => {
    assert.isFalse(ErrorHandler.isRecoverable(nodeError("DEPTH_ZERO_SELF_SIGNED_CERT")))
    assert.isFalse(ErrorHandler.isRecoverable("CERT_HAS_EXPIRED"))
    assert.isFalse(ErrorHandler.isRecoverable(new Error("boom")))
    assert.isFalse(ErrorHandler.isRecoverable("weird"))
    assert.isFalse(ErrorHandler.isRecoverable(null))
    assert.isTrue(ErrorHandler.isRecoverable(Cause.fail(new ConnectError({ reason: "timeout", url }))))
    assert.isFalse(ErrorHandler.isRecoverable(Cause.fail(new ConnectError({ reason: "tls", url }))))
  })
})

describe("ErrorHandler.explain covers the whole error family", () => {
  /** One instance of every error class; a class exported from WebSocketError without one here fails the test. */
  const samples: Record<string, () => unknown> = {
    ConnectError: () => new WebSocketError.ConnectError({ reason: "refused", url }),
    NotConnected: () => new WebSocketError.NotConnected({ state: "connecting" }),
    Disconnected: () => new WebSocketError.Disconnected({ code: 1006, reason: "" }),
    RequestTimeout: () => new WebSocketError.RequestTimeout({ id: 1, method: "public/test", timeoutMs: 1000 }),
    RpcError: () => new WebSocketError.RpcError({ code: 13009, message: "unauthorized" }),
    DuplicateRequestId: () => new WebSocketError.DuplicateRequestId({ id: 7 }),
    OfflineQueueFull: () => new WebSocketError.OfflineQueueFull({ capacity: 10, evicted: false }),
    NoConnections: () => new WebSocketError.NoConnections({ candidates: 0 }),
    RateLimited: () => new WebSocketError.RateLimited({ queueSize: 100, cost: 1 }),
    InvalidOptions: () => new WebSocketError.InvalidOptions({ field: "timeout", value: -1, rule: "must be positive" }),
    SendError: () => new WebSocketError.SendError({ reason: "encode" }),
    HeartbeatTimeout: () => new WebSocketError.HeartbeatTimeout({ type: "ping", missed: 2, silentMs: 3000 }),
    RecorderError: () =>
      new WebSocketError.RecorderError({ reason: "open", path: "/nope/x.jsonl", cause: nodeError("ENOENT") }),
    MockAssertionError: () => new WebSocketError.MockAssertionError({ message: "no frame matched", received: [] }),
    MockServerError: () =>
      new WebSocketError.MockServerError({ reason: "listen failed", cause: nodeError("EADDRINUSE") })
  }

  const family = Object.entries(WebSocketError).filter(([, value]) =>
    typeof value === "function" && (value as { prototype?: Record<symbol, unknown> }).prototype?.[
        WebSocketError.TypeId
      ] === WebSocketError.TypeId
  )

  it("finds the family by its TypeId", () => {
    assert.isAtLeast(family.length, 15)
  })

  for (const [name] of family) {
    it(`${name}: a concrete message and a suggestion`, () => {
      const sample = samples[name]
      assert.isDefined(sample, `no sample for ${name}: add one, and make sure ErrorHandler.explain covers it`)
      const error = sample!()
      assert.isTrue(WebSocketError.isZenWebSocketError(error))
      isExplanation(ErrorHandler.explain(error))
    })
  }

  for (const [name] of family) {
    it(`${name}: Pipeable and Inspectable (pipe, toJSON, toString, Node inspect)`, () => {
      const error = samples[name]!() as Record<PropertyKey, unknown> & {
        readonly _tag: string
        pipe<B>(f: (self: unknown) => B): B
        toJSON(): unknown
      }
      assert.strictEqual(error.pipe((self) => self), error)
      assert.strictEqual((error.toJSON() as { readonly _tag: string })._tag, name)
      assert.include(String(error), name)
      assert.isFunction(error[NodeInspectSymbol])
    })
  }

  for (const reason of WebSocketError.ConnectErrorReason.literals) {
    it(`ConnectError "${reason}": a concrete message and a suggestion`, () => {
      isExplanation(ErrorHandler.explain(new WebSocketError.ConnectError({ reason, url, status: 503 })))
    })
  }

  for (const type of ["ping", "pong", "deribit", "custom"] as const) {
    it(`HeartbeatTimeout (${type}) says what to change`, () => {
      const e = ErrorHandler.explain(new WebSocketError.HeartbeatTimeout({ type, missed: 1, silentMs: 20_000 }))
      includes(e.message, type)
      includes(e.message, "20000 ms")
      includes(e.suggestion, "interval")
    })
  }

  it("RecorderError names the path and the reason's remedy", () => {
    const e = ErrorHandler.explain(
      new WebSocketError.RecorderError({
        reason: "write",
        path: "/tmp/s.jsonl",
        cause: nodeError("ENOSPC", "no space")
      })
    )
    includes(e.message, "/tmp/s.jsonl")
    matches(e.suggestion, /disk space/)
  })

  it("the seed's common raw reasons: timeout, connection_refused, protocol_error", () => {
    for (const reason of ["timeout", "connection_refused", "protocol_error", "CONNECTION_REFUSED"]) {
      isExplanation(ErrorHandler.explain(reason))
    }
    matches(ErrorHandler.explain("connection_refused").message, /refused/)
    matches(ErrorHandler.explain("protocol_error").suggestion, /WebSocket endpoint/)
    assert.isTrue(ErrorHandler.isRecoverable("connection_refused"))
    assert.isFalse(ErrorHandler.isRecoverable("protocol_error"))
  })
})
