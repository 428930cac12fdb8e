/** partysocket (`partysocket/ws`, the framework-free ReconnectingWebSocket) with `ws` as its WebSocket. */
import ReconnectingWebSocket from "partysocket/ws"
import { make } from "./reconnecting.js"
import type { ReconnectingSocket } from "./reconnecting.js"

export const adapter = make((url, options) =>
  new ReconnectingWebSocket(url, undefined, options) as unknown as ReconnectingSocket
)
