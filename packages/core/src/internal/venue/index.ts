/**
 * The venue simulators by name.
 */
import type * as Effect from "effect/Effect"
import type { MockServerError } from "../../WebSocketError.js"
import type { TypeId } from "../mockModels.js"
import { bybit, okx } from "./exchangeWire.js"
import { deribit, ethNode } from "./jsonRpcWire.js"
import type { Codec, StartOptions, VenueName } from "./models.js"
import * as Server from "./server.js"
import { coinbase, krakenV2 } from "./streamWire.js"

const codecs: Readonly<Record<VenueName, Codec>> = {
  jsonRpc: deribit,
  okx,
  bybit,
  coinbase,
  krakenV2,
  ethSubscribe: ethNode
}

/** keeps the mock server's type id nameable in this module's declarations */
export type MockTypeId = typeof TypeId

/** @internal */
export const start = (venue: VenueName, options: StartOptions | undefined) => {
  const codec = codecs[venue]
  return Server.start(codec, {
    port: options?.port ?? 0,
    path: options?.path ?? "/ws",
    tls: options?.tls ?? false,
    maxReceived: Math.max(1, options?.maxReceived ?? 10_000),
    credentials: { key: "key", secret: "secret", passphrase: "passphrase", ...options?.credentials },
    maxFrameBytes: options?.maxFrameBytes,
    maxChannelsPerRequest: options?.maxChannelsPerRequest,
    rejects: options?.rejects
  }) satisfies Effect.Effect<unknown, MockServerError>
}
