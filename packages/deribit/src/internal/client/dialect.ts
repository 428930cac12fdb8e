/**
 * Deribit's subscription dialect and error classifier: the core's JSON-RPC dialect, with public channels subscribed by
 * `public/subscribe` and private ones (`user.*`) by `private/subscribe` (never in the same request), and a classifier
 * that reads Deribit's error table.
 *
 * @since 0.1.0
 * @internal
 */
import { Dialect, JsonRpc } from "@zen-websocket/core"
import { isPrivateName } from "../channels.js"
import * as errorTable from "../errorTable.js"

const base = Dialect.jsonRpc()

const transientHandling: ReadonlySet<string> = new Set(["retry", "backoff", "surface"])

/**
 * Transient (worth another attempt): codes the table handles by retrying or backing off, and
 * 10049 (cancel-on-disconnect could not be enabled: the attempt fails, a later one may succeed; never skipped). Fatal:
 * bad credentials and permissions (13004, 13009 during the post-connect sequence, 13021), bad requests. Anything else
 * is judged by the core's JSON-RPC classifier (timeouts and lost links are transient).
 *
 * @internal
 */
export const retryable = (error: unknown): boolean => {
  const code = typeof error === "object" && error !== null && "code" in error && typeof error.code === "number"
    ? error.code
    : undefined
  const tagged = typeof error === "object" && error !== null && "_tag" in error
    ? (error as { _tag: unknown })._tag
    : undefined
  if (code !== undefined && (tagged === "DeribitRpcError" || tagged === "RpcError")) {
    const entry = errorTable.byCode.get(code)
    if (entry !== undefined) return transientHandling.has(entry.handling)
  }
  return Dialect.isTransient(error)
}

const methodFor = (channels: ReadonlyArray<string>, action: "subscribe" | "unsubscribe"): string =>
  `${channels.length > 0 && isPrivateName(channels[0]) ? "private" : "public"}/${action}`

/**
 * Deribit's subscribe budget is 10 calls at once, then ~3.3 per second. Pacing at exactly that rate has no margin:
 * the budget starts counting when the first request *arrives*, our pacer when it is *sent*, so a first request delayed
 * more than the later ones (a busy event loop, the network) finds the budget a fraction short (seen as 10028 in a
 * loaded test run). One call and 10 % of the rate held back absorb that.
 */
const pacing = { burst: 9, perSecond: 3 }

/** @internal */
export const make = (limits?: Partial<Dialect.Limits> | undefined): Dialect.Dialect => {
  const dialect: Dialect.Dialect = {
    ...base,
    name: "deribit",
    limits: { ...base.limits, pacing },
    groupOf: (channel) => isPrivateName(channel) ? "private" : "public",
    subscribe: (channels, { ref }) => JsonRpc.encodeRequest(ref, methodFor(channels, "subscribe"), { channels }),
    unsubscribe: (channels, { ref }) => JsonRpc.encodeRequest(ref, methodFor(channels, "unsubscribe"), { channels }),
    retryable
  }
  return limits === undefined ? dialect : Dialect.withLimits(dialect, limits)
}
