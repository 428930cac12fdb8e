/**
 * Deribit's `client_signature`: hex HMAC-SHA256 keyed with the client secret over `${timestamp}\n${nonce}\n${data}`.
 * Shared by the client (which signs) and the simulator (which checks).
 *
 * @since 0.1.0
 * @internal
 */
import { createHmac } from "node:crypto"

/** @internal */
export const sign = (secret: string, timestamp: number, nonce: string, data: string): string =>
  createHmac("sha256", secret).update(`${timestamp}\n${nonce}\n${data}`).digest("hex")
