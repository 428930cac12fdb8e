/**
 * Masks the secrets of a URL (query tokens and userinfo) wherever a URL is shown: error messages, `ErrorHandler`
 * explanations, logs, span attributes, telemetry metadata. One helper, so every place masks the same keys.
 *
 * It works on any text, not only a well-formed URL: each `scheme://user:pass@` is masked to `scheme://***@`, and each
 * query parameter whose name is a secret key (`token=`, `access_token=`, `key=`, `signature=`… see
 * {@link secretQueryKeys}) keeps its name and gets `***` as value. Everything else is left as written.
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
