/** reconnecting-websocket 4.4.0 with `ws` as its WebSocket. */
import RWSModule from "reconnecting-websocket"
import { make } from "./reconnecting.js"
import type { ReconnectingSocket } from "./reconnecting.js"

// the package is CommonJS (`module.exports = ReconnectingWebSocket`) but its types declare a default export
const ReconnectingWebSocket = ((RWSModule as unknown as { default?: unknown }).default ?? RWSModule) as new(
  url: string,
  protocols: undefined,
  options: Record<string, unknown>
) => ReconnectingSocket

export const adapter = make((url, options) => new ReconnectingWebSocket(url, undefined, options))
