/**
 * Redaction, in one place so that every output masks the same secrets:
 *
 * - `redactUrl`: the secrets of a URL (query tokens and userinfo) wherever a URL is shown: error messages,
 *   `ErrorHandler` explanations, logs, span attributes, telemetry metadata. It works on any text, not only a
 *   well-formed URL: each `scheme://user:pass@` is masked to `scheme://***@`, and each query parameter whose name is
 *   a secret key (`token=`, `access_token=`, `key=`, `signature=`… see {@link secretQueryKeys}) keeps its name and
 *   gets `***` as value. Everything else is left as written.
 * - `makeRedactor`: the secrets of a text frame (`client_secret`, `access_token`…) before it reaches a recording;
 *   JSON keys are matched however they are escaped in the text (`"client\u005fsecret"`).
 * - `forLog`: what the debug logs show of a frame, an event or an error: the recordings' redaction plus URLs and
 *   credential headers.
 */

/**
 * Query parameter names (compared case-insensitively, `-` and `_` alike) whose values are secrets.
 *
 * @internal
 */
export const secretQueryKeys: ReadonlyArray<string> = [
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "auth",
  "auth_token",
  "authorization",
  "key",
  "api_key",
  "apikey",
  "secret",
  "client_secret",
  "password",
  "passwd",
  "pwd",
  "signature",
  "sig",
  "session",
  "session_token",
  "jwt",
  "x_amz_signature",
  "x_amz_security_token",
  "x_amz_credential"
]

/** @internal */
export const MASK = "***"

const secretKeys = new Set(secretQueryKeys)

const userinfo = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]+@/gi

const queryParam = /([?&;])([^=&#\s"'?;]+)=([^&#\s"';]*)/g

const isSecretKey = (key: string): boolean => {
  let name = key
  try {
    name = decodeURIComponent(key)
  } catch {
    // keep the raw name
  }
  return secretKeys.has(name.toLowerCase().replace(/-/g, "_"))
}

/**
 * `text` with the userinfo of every URL and the values of secret query parameters masked.
 *
 * @internal
 */
export const redactUrl = (text: string): string => {
  if (text.indexOf("@") === -1 && text.indexOf("=") === -1) return text
  return text
    .replace(userinfo, (_, scheme: string) => `${scheme}${MASK}@`)
    .replace(
      queryParam,
      (whole, sep: string, key: string, value: string) =>
        value !== "" && isSecretKey(key) ? `${sep}${key}=${MASK}` : whole
    )
}

// -------------------------------------------------------------------------------------------------------------------
// frames (recordings and logs)
// -------------------------------------------------------------------------------------------------------------------

/** @internal */
export type Redactor = (data: string) => string

/** @internal */
export const defaultRedactKeys: ReadonlyArray<string> = [
  "client_secret",
  "access_token",
  "refresh_token",
  "password",
  "signature",
  // the venue logins of the built-in dialects: OKX `passphrase` and `sign`, Coinbase `jwt`, Kraken `token`
  "passphrase",
  "sign",
  "jwt",
  "token"
]

const identity: Redactor = (data) => data

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * `key=value`, `key: value`, `"key":"value"`, `'key': 'value'`: the value (quoted or up to the next separator).
 */
const makePattern = (keys: ReadonlyArray<string>): RegExp =>
  new RegExp(
    `(["']?)\\b(${keys.map(escapeRegExp).join("|")})\\b\\1(\\s*[:=]\\s*)` +
      `("(?:[^"\\\\]|\\\\.)*"|'(?:[^'\\\\]|\\\\.)*'|[^\\s"'&,;}\\]]+)`,
    "g"
  )

const maskValue = (value: string): string => value[0] === "\"" ? `"${MASK}"` : value[0] === "'" ? `'${MASK}'` : MASK

const looksLikeJson = (data: string): boolean => {
  const first = data.trimStart()[0]
  return first === "{" || first === "["
}

const tryParse = (data: string): { readonly value: unknown } | undefined => {
  try {
    return { value: JSON.parse(data) }
  } catch {
    return undefined
  }
}

/**
 * The redactor for the `redact` option: `false` none; `true`/`undefined` the default keys; a list the default keys plus
 * the listed ones. A text frame is only looked at when it contains one of the keys (a substring check). JSON frames
 * get the value of every matching key masked at any depth (and `key=value` patterns inside string values); other text
 * gets `key=value` / `"key":"value"` patterns masked. A frame where nothing was masked is written unchanged.
 *
 * @internal
 */
export const makeRedactor = (option: ReadonlyArray<string> | boolean | undefined): Redactor => {
  if (option === false) return identity
  const keys = Array.from(new Set([...defaultRedactKeys, ...(Array.isArray(option) ? option : [])]))
  const keySet = new Set(keys)
  const pattern = makePattern(keys)
  // one regular expression, not an `includes` per key: every recorded text frame goes through this check; and only
  // the keys that contain no other key (`sign` finds `signature`, `token` finds `access_token`): ~45 ns for a 64 B
  // frame and the default keys, ~80 ns with the whole list, ~200 ns with an `includes` per key
  const mentioned = new RegExp(
    keys.filter((key) => !keys.some((other) => other !== key && key.includes(other))).map(escapeRegExp).join("|")
  )
  const mentionsAny = (data: string): boolean => mentioned.test(data)
  const maskText = (text: string): string =>
    text.replace(
      pattern,
      (_, quote: string, key: string, sep: string, value: string) => `${quote}${key}${quote}${sep}${maskValue(value)}`
    )
  const walk = (value: unknown, changed: { value: boolean }): unknown => {
    if (typeof value === "string") {
      if (!mentionsAny(value) && !hasEscape(value)) return value
      const masked = looksLikeJson(value) ? redact(value) : maskText(value)
      if (masked !== value) changed.value = true
      return masked
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, changed))
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) {
        if (keySet.has(k)) {
          out[k] = MASK
          changed.value = true
        } else {
          out[k] = walk(v, changed)
        }
      }
      return out
    }
    return value
  }
  const redact = (data: string): string => {
    if (!mentionsAny(data) && !hasEscape(data)) return data
    const parsed = looksLikeJson(data) ? tryParse(data) : undefined
    if (parsed === undefined) return maskText(data)
    const changed = { value: false }
    const masked = walk(parsed.value, changed)
    return changed.value ? JSON.stringify(masked) : data
  }
  return redact
}

/**
 * A JSON text may spell a key with escapes (`"client\u005fsecret"` is `"client_secret"`): such a text is parsed, so
 * that its keys are compared once unescaped. (Only `\u` escapes can spell a key's letters.)
 */
const hasEscape = (data: string): boolean => data.indexOf("\\u") !== -1 && looksLikeJson(data)

// -------------------------------------------------------------------------------------------------------------------
// debug logs
// -------------------------------------------------------------------------------------------------------------------

/** The recordings' keys, plus credential headers and the usual API-key names. */
const logKeys: ReadonlyArray<string> = [
  ...defaultRedactKeys,
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api_key",
  "apikey",
  "secret"
]

const logRedactor = makeRedactor(logKeys)

/** JSON of anything, cycles cut, errors as `{ name, message, code }`, `Redacted` values hidden. */
const stringify = (value: unknown): string => {
  const seen = new WeakSet<object>()
  try {
    return JSON.stringify(value, (_, v: unknown) => {
      if (typeof v === "bigint") return `${v}n`
      if (typeof v !== "object" || v === null) return v
      if (seen.has(v)) return "[Circular]"
      seen.add(v)
      if (v instanceof Error && typeof (v as { toJSON?: unknown }).toJSON !== "function") {
        return { name: v.name, message: v.message, code: (v as { code?: unknown }).code }
      }
      return v
    }) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * What a debug log may show of a frame, an event, an error or a request: its text (JSON for anything but a string)
 * with the recordings' redaction applied (secret keys at any depth, however escaped), credential headers
 * (`authorization`, `cookie`, `set-cookie`…) and URL secrets masked.
 *
 * @internal
 */
export const forLog = (value: unknown): string =>
  redactUrl(logRedactor(typeof value === "string" ? value : stringify(value)))
