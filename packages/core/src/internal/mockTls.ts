/**
 * The mock server's TLS credentials: a self-signed certificate for 127.0.0.1 and localhost, generated on first use
 * (with `selfsigned`, loaded only then) and kept for the process.
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"

/** A key and certificate in PEM. */
export interface Credentials {
  readonly key: string
  readonly cert: string
}

const host = "127.0.0.1"

let cachedCredentials: Promise<Credentials> | undefined

/** A self-signed certificate for 127.0.0.1 and localhost, generated on first use and kept for the process. */
export const selfSignedCredentials: Effect.Effect<Credentials, { readonly reason: string; readonly cause: unknown }> =
  Effect.tryPromise({
    try: () => {
      cachedCredentials ??= generateCredentials()
      cachedCredentials.catch(() => {
        cachedCredentials = undefined
      })
      return cachedCredentials
    },
    catch: (cause) => ({
      reason: isModuleNotFound(cause)
        ? "a mock server with tls: true needs the optional peer dependency selfsigned: npm i -D selfsigned@^4"
        : "cannot generate a self-signed certificate",
      cause
    })
  })

const isModuleNotFound = (cause: unknown): boolean =>
  Predicate.hasProperty(cause, "code") && (cause.code === "ERR_MODULE_NOT_FOUND" || cause.code === "MODULE_NOT_FOUND")

const generateCredentials = async (): Promise<Credentials> => {
  const imported = await import("selfsigned")
  // a CommonJS package: Node finds its named exports, a bundler in Node mode (the zenws bundle) only `default`
  const selfsigned = typeof imported.generate === "function" ? imported : imported.default
  return new Promise<Credentials>((resolve, reject) => {
    selfsigned.generate(
      [{ name: "commonName", value: host }],
      {
        days: 30,
        keySize: 2048,
        algorithm: "sha256",
        extensions: [
          { name: "basicConstraints", cA: true },
          { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true },
          { name: "extKeyUsage", serverAuth: true },
          { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: host }] }
        ]
      },
      (error, pems) => error ? reject(error) : resolve({ key: pems.private, cert: pems.cert })
    )
  })
}
