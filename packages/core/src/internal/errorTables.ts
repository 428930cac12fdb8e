/**
 * The tables behind `ErrorHandler`, as data: close codes, HTTP upgrade statuses, JSON-RPC error codes, TLS
 * certificate codes and the raw reasons of the original library (Node and `ws` codes included), each entry the words
 * of a message and a suggestion. `lookup` is the one way to read a numeric table: an exact code, else the first range
 * that holds it, else the fallback.
 */

/** A message and what to do about it. */
export interface Explanation {
  readonly message: string
  readonly suggestion: string
}

/** A table by numeric code, with ranges (`[from, to]`, inclusive) for codes not listed, and a fallback. */
export interface CodeTable<A> {
  readonly codes: Readonly<Record<number, A>>
  readonly ranges: ReadonlyArray<readonly [from: number, to: number, entry: (code: number) => A]>
  readonly fallback: (code: number) => A
}

/** The entry for `code`: exact, else the first range holding it, else the fallback. */
export const lookup = <A>(table: CodeTable<A>, code: number): A => {
  const exact = table.codes[code]
  if (exact !== undefined) return exact
  for (const [from, to, entry] of table.ranges) if (code >= from && code <= to) return entry(code)
  return table.fallback(code)
}

const retried = "automatic reconnection retries it"

/** WebSocket close codes: what the code means and what to do. */
export const closeCodes: CodeTable<{ readonly what: string; readonly suggestion: string }> = {
  codes: {
    1000: {
      what: "normal closure",
      suggestion:
        "The connection was ended on purpose; if you did not close it, the server ended the session (idle timeout, " +
        `session limit, logout): reconnect if you still need it`
    },
    1001: {
      what: "going away: the server is shutting down or restarting",
      suggestion: `Reconnect after a short delay; ${retried}`
    },
    1002: {
      what: "protocol error",
      suggestion:
        "One side sent frames that break the WebSocket protocol: check the server implementation and any proxy in " +
        "between"
    },
    1003: {
      what: "unsupported data",
      suggestion:
        "The peer does not accept this kind of frame (e.g. binary instead of text): send the data type the server " +
        "expects"
    },
    1005: {
      what: "closed without a status code",
      suggestion: `Reconnect if you still need the connection; ${retried}`
    },
    1006: {
      what: "abnormal closure: no close frame was received",
      suggestion:
        "The link died: a network drop, a server crash, or a heartbeat that detected a dead connection. Check " +
        "network connectivity; enable `heartbeatConfig` to detect half-open links early; " + retried
    },
    1007: {
      what: "invalid payload data, e.g. a text frame that is not valid UTF-8",
      suggestion: "Send text frames as valid UTF-8 and binary data as binary frames"
    },
    1008: {
      what: "policy violation",
      suggestion:
        "The server refused the session by policy: check authentication, permissions, and that your messages comply " +
        "with its rules (see the close reason); reconnecting as-is will likely be refused again"
    },
    1009: {
      what: "message too big",
      suggestion:
        "A frame exceeded the size limit: if larger messages are expected, raise the `maxPayload` option (default " +
        "16 MiB); if the server closed it, send smaller messages"
    },
    1010: {
      what: "a required extension was not negotiated",
      suggestion: "Check the extensions (e.g. permessage-deflate) the client requires and the server supports"
    },
    1011: {
      what: "internal server error",
      suggestion: `The server hit an unexpected condition: retry later (${retried}) and report it if it persists`
    },
    1012: {
      what: "service restart",
      suggestion: `The server is restarting: reconnect after a short delay; ${retried}`
    },
    1013: { what: "try again later: the server is overloaded", suggestion: `Try again later with backoff; ${retried}` },
    1014: {
      what: "bad gateway: a proxy got an invalid response upstream",
      suggestion: `The problem is behind the proxy: retry later; ${retried}`
    },
    1015: {
      what: "TLS handshake failure",
      suggestion: "Check certificate validity and TLS configuration (the `tls` option)"
    },
    3000: { what: "unauthorized", suggestion: "Check your credentials or token are valid and not expired" },
    3003: { what: "forbidden", suggestion: "Check the account's permissions for this endpoint" },
    3008: { what: "timeout", suggestion: `The server timed the session out; ${retried}` }
  },
  ranges: [[4000, 4999, (code) => ({
    what: "application-defined by the server",
    suggestion:
      `Close code ${code} is specific to the server's protocol: look it up in the server's API documentation ` +
      "(the close reason may say more)"
  })]],
  fallback: () => ({
    what: "unexpected close code",
    suggestion: "Check the close reason and the server's logs; reconnect if it is transient"
  })
}

/** Close codes that say "this session is not allowed": reconnecting as-is would be refused again. */
export const fatalCloseCodes: ReadonlySet<number> = new Set([1008, 1010, 1015, 3000, 3003])

/** The reason phrases of the HTTP statuses an upgrade is commonly refused with. */
export const statusText: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  426: "Upgrade Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

/** HTTP statuses answering an upgrade: what more to say after the status, and what to do. */
export const httpStatuses: CodeTable<{ readonly detail: string; readonly suggestion: string }> = {
  codes: {
    400: {
      detail: "",
      suggestion:
        "Check the URL's query string and the upgrade headers (`headers` and `protocols` options) against the " +
        "server's documentation"
    },
    401: {
      detail: ": the credentials are missing or invalid",
      suggestion:
        "Check your credentials or token (e.g. the Authorization header in the `headers` option, or a token in the " +
        "URL) are valid and not expired"
    },
    403: {
      detail: ": access is forbidden",
      suggestion:
        "Forbidden: check the account's permissions, whether the server's IP allow-list includes this machine, and " +
        "whether it accepts the Origin header you send"
    },
    404: {
      detail: ": there is no WebSocket endpoint at this path",
      suggestion: "Wrong path: check the URL's path (e.g. /ws/api/v2) against the server's documentation"
    },
    408: {
      detail: ": the server timed out waiting for the upgrade request",
      suggestion: "Check network latency to the server; the connection is worth retrying"
    },
    426: {
      detail: ": the server wants a different protocol",
      suggestion: "Use wss:// if the server requires TLS, and check that it supports WebSocket version 13 (RFC 6455)"
    },
    429: {
      detail: ": rate limited by the server",
      suggestion: "Back off before reconnecting: honour the Retry-After header if the server sends one, open fewer " +
        "connections, and keep the jittered backoff (`retryDelay`, `maxBackoff`) enabled"
    }
  },
  ranges: [
    [500, 599, () => ({
      detail: ": server-side trouble",
      suggestion:
        "The problem is on the server (or a proxy in front of it): retry later - automatic reconnection with backoff " +
        "does this - and check the service's status page"
    })],
    [300, 399, () => ({
      detail: ": a redirect, which WebSocket clients do not follow",
      suggestion: "Connect to the final URL directly (see the Location header of the response)"
    })]
  ],
  fallback: () => ({
    detail: "",
    suggestion: "Check the URL, credentials and upgrade headers against the server's documentation"
  })
}

/** JSON-RPC error codes: what to do. */
export const rpcCodes: CodeTable<string> = {
  codes: {
    [-32700]: "Parse error: the server could not parse the request as JSON; check how the payload is encoded",
    [-32600]: "Invalid request: the request object is not valid JSON-RPC 2.0 for this server",
    [-32601]: "Method not found: check the method name's spelling and the server's API version",
    [-32602]: "Invalid params: check the params against the method's documentation",
    [-32603]: "Internal JSON-RPC error on the server: retry later and report it if it persists"
  },
  ranges: [[
    -32099,
    -32000,
    (code) => `Server error ${code} is implementation-defined: look it up in the server's API documentation`
  ]],
  fallback: (code) =>
    `Error code ${code} is defined by the server's API: look it up in its documentation (see \`data\` for details)`
}

/** TLS certificate and handshake codes, by the host they concern. */
const caHint = "pass the certificate of the CA that signed it, e.g. `tls: { ca: fs.readFileSync(\"ca.pem\") }` " +
  "(or add it to NODE_EXTRA_CA_CERTS)"

export const tls: Record<string, (host: string) => Explanation> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: (host) => ({
    message: `The TLS certificate of ${host} is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT) and not trusted`,
    suggestion: `To trust it, ${caHint}`
  }),
  SELF_SIGNED_CERT_IN_CHAIN: (host) => ({
    message: `The TLS certificate chain of ${host} ends in a self-signed root that is not trusted ` +
      "(SELF_SIGNED_CERT_IN_CHAIN), e.g. a private CA or a TLS-inspecting proxy",
    suggestion: `To trust that root, ${caHint}`
  }),
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: (host) => ({
    message: `The TLS certificate of ${host} could not be verified (UNABLE_TO_VERIFY_LEAF_SIGNATURE): ` +
      "its issuer is unknown or the server does not send the intermediate certificates",
    suggestion: "Fix the server to send its full certificate chain, or pass the issuing CA / intermediate " +
      "certificate with `tls: { ca }`"
  }),
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: (host) => ({
    message: `The issuer of the TLS certificate of ${host} is not trusted locally (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)`,
    suggestion: `If the server uses a private or corporate CA, ${caHint}`
  }),
  CERT_HAS_EXPIRED: (host) => ({
    message: `The TLS certificate of ${host} has expired (CERT_HAS_EXPIRED)`,
    suggestion: "The server must renew its certificate; also check that this machine's clock is correct"
  }),
  CERT_NOT_YET_VALID: (host) => ({
    message: `The TLS certificate of ${host} is not valid yet (CERT_NOT_YET_VALID)`,
    suggestion: "Check that this machine's clock is correct"
  }),
  ERR_TLS_CERT_ALTNAME_INVALID: (host) => ({
    message: `The TLS certificate does not match the host name ${host} (ERR_TLS_CERT_ALTNAME_INVALID)`,
    suggestion: "Connect with a host name listed in the certificate; if you connect through an IP address or an " +
      "alias, set the expected name with `tls: { servername }`"
  }),
  CERT_REVOKED: (host) => ({
    message: `The TLS certificate of ${host} has been revoked (CERT_REVOKED)`,
    suggestion: "The server must install a new certificate; do not connect until it does"
  }),
  ERR_SSL_WRONG_VERSION_NUMBER: (host) => ({
    message: `The TLS handshake with ${host} failed (ERR_SSL_WRONG_VERSION_NUMBER): the port probably does not ` +
      "speak TLS",
    suggestion: "Use ws:// if the server is not TLS-enabled on that port, or check the port number"
  })
}
tls.UNABLE_TO_GET_ISSUER_CERT = tls.UNABLE_TO_GET_ISSUER_CERT_LOCALLY

/** A raw reason: its explanation and whether retrying is worth it. */
export interface RawEntry extends Explanation {
  readonly recoverable: boolean
}

const entry = (message: string, suggestion: string, recoverable: boolean): RawEntry => ({
  message,
  suggestion,
  recoverable
})

const invalidFrame = entry(
  "Invalid WebSocket frame received",
  "Server sent malformed data - this may indicate a server bug",
  false
)
const frameTooLarge = entry(
  "Frame exceeds maximum size limit",
  "Increase `maxPayload` in the client options (default 16 MiB) if larger frames are expected",
  false
)
const timedOut = entry(
  "Connection timed out",
  "Check network connectivity or increase the timeout configuration",
  true
)

/** What to do when a heartbeat declared a link dead, by strategy. */
export const heartbeatAdvice: Readonly<Record<"ping" | "pong" | "deribit" | "custom", string>> = {
  ping: "The server stopped answering pings (a half-open link, a stalled server or proxy, a network drop); the " +
    "client reconnects by itself. If the link is alive but slow to answer, raise `heartbeatConfig.interval` or " +
    "`maxMissed`",
  pong: "The server stopped sending pings: check that it pings at least every `heartbeatConfig.interval`, or raise " +
    "`timeout`; the client reconnects by itself",
  deribit: "Nothing arrived from Deribit for two intervals, not even the answer to our `public/test`: the link or " +
    "the server is down; the client reconnects by itself. Raise `heartbeatConfig.interval` on slow links",
  custom: "The server did not answer the heartbeat `message` (`isResponse` accepted no frame) for `maxMissed` " +
    "beats: check the message and `isResponse`, or raise `interval` / `maxMissed`"
}

/** What to do when a recording could not be opened, written or read. */
export const recorderAdvice: Readonly<Record<"open" | "write" | "read", string>> = {
  open: "Check that the recording's directory exists and is writable, and that the path is not a directory " +
    "(`recordTo` / `Recorder.layer(path)`)",
  write: "Check free disk space and the file's permissions; the entries stay buffered and the write is retried at " +
    "the next flush",
  read: "Check that the path names an existing JSONL recording that this process may read"
}

// Keys are normalised: lower case, `-` as `_`.
export const raw: Readonly<Record<string, RawEntry>> = {
  // the original's table, verbatim (except the `frame_too_large` suggestion, which named a non-existent option)
  econnrefused: entry(
    "Connection refused by server",
    "Check that the server is running and verify the URL is correct",
    true
  ),
  // the seed's common errors (`:timeout`, `:connection_refused`, `:protocol_error`)
  connection_refused: entry(
    "Connection refused by server",
    "Check that the server is running and verify the URL is correct (host, port, ws:// vs wss://)",
    true
  ),
  protocol_error: entry(
    "WebSocket protocol error: the peer sent something that is not valid WebSocket (a bad handshake or frame)",
    "Check that the URL points to a WebSocket endpoint and that no proxy in between rewrites the traffic; if the " +
      "server sends malformed frames, report it to its maintainers",
    false
  ),
  timeout: timedOut,
  etimedout: timedOut,
  nxdomain: entry("DNS lookup failed - domain not found", "Verify the hostname spelling is correct", true),
  enotfound: entry("Host not found", "Verify the hostname is correct", true),
  ehostunreach: entry("Host unreachable", "Check network connectivity to the target host", true),
  enetunreach: entry("Network unreachable", "Check your network connection or VPN status", true),
  connection_failed: entry("Connection failed", "Verify the URL and check network connectivity", true),
  invalid_frame: invalidFrame,
  bad_frame: entry("Malformed frame received", "Protocol error - check server implementation", false),
  frame_too_large: frameTooLarge,
  tls_alert: entry("TLS/SSL handshake failed", "Check certificate validity and TLS configuration", false),
  unauthorized: entry("Authentication failed", "Check your API credentials are valid and not expired", false),
  invalid_credentials: entry("Invalid credentials provided", "Verify your API key and secret are correct", false),
  token_expired: entry("Authentication token has expired", "Re-authenticate to obtain a fresh token", false),
  // Node codes the original did not list
  econnreset: entry(
    "Connection reset by peer",
    "The server or a proxy/firewall in between dropped the connection: check the server's logs and that the scheme " +
      "(ws:// vs wss://) matches the port; the connection is worth retrying",
    true
  ),
  eai_again: entry(
    "DNS lookup failed temporarily",
    "The DNS server did not answer in time: check this machine's network and DNS settings; retry",
    true
  ),
  epipe: entry(
    "The connection was closed while writing",
    "The peer closed the connection: reconnect and send again",
    true
  ),
  econnaborted: entry(
    "The connection was aborted",
    "Check network connectivity; the connection is worth retrying",
    true
  ),
  // `ws` codes
  ws_err_unsupported_message_length: frameTooLarge,
  // the original's own reasons, which it left unexplained
  max_reconnection_attempts: entry(
    "Gave up reconnecting: the maximum number of reconnection attempts was reached",
    "Check that the server is reachable and the URL is correct; if outages are expected to last, allow more attempts " +
      "with the `retryCount` option (Infinity is allowed) or a longer `reconnectSchedule`",
    false
  ),
  duplicate_request_id: entry(
    "A request with this id is already in flight; the frame was not sent",
    "Let the client assign request ids (omit `id`), or wait for the earlier request with this id to complete",
    false
  ),
  disconnected: entry(
    "The connection was lost while the operation was pending",
    "The client reconnects automatically if configured to; retry the operation once it is connected again",
    true
  ),
  not_connected: entry(
    "Not connected: nothing was sent",
    "Wait for the `Connected` event before sending, or configure `offlineQueue` to buffer sends while reconnecting",
    true
  ),
  rate_limited: entry(
    "Rate limited: not enough tokens for this request",
    "Send less often, or retry after the rate limiter's suggested delay",
    true
  )
}
