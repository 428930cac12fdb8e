/** The feeds and the mock-server behaviour both cluster suites use (in-process and multi-process). */
import { Feed } from "@zen-websocket/cluster"
import { Client, Testing } from "@zen-websocket/core"
import * as Effect from "effect/Effect"

export const feedNames = ["feed-1", "feed-2", "feed-3", "feed-4", "feed-5", "feed-6"]

export interface HookCall {
  readonly hook: "onConnect" | "onDisconnect"
  readonly feed: string
  readonly at: number
}

/**
 * One feed per server. Every `run` subscribes its feed to `static.<name>`; every `onConnect` / `onDisconnect` is
 * reported, so a test sees where (and when) they ran. `onDisconnect` runs before the connection closes: giving it
 * `slowDisconnectMs` (as a flush or a slow close handshake would take) keeps the old connection open that long, which
 * the next owner must wait out.
 */
export const makeFeeds = (
  servers: ReadonlyArray<{ readonly name: string; readonly url: string }>,
  report: (call: HookCall) => void,
  slowDisconnectMs = 0
) =>
  servers.map(({ name, url }) =>
    Feed.make({
      name,
      url,
      options: {
        retryDelay: 100,
        maxBackoff: 1_000,
        onConnect: (client) => Effect.sync(() => report({ hook: "onConnect", feed: client.id, at: Date.now() })),
        onDisconnect: (client) =>
          Effect.sync(() => report({ hook: "onDisconnect", feed: client.id, at: Date.now() })).pipe(
            Effect.zipRight(Effect.sleep(slowDisconnectMs))
          )
      },
      run: (client) => Client.subscribe(client, [`static.${name}`])
    })
  )

/**
 * The mock servers answer as usual (`Testing.defaultHandler`), except: `test/hold` is never answered (a request left
 * in flight), `test/fail` is answered with the JSON-RPC error 42, and subscribing a `refused.*` channel fails with -32602.
 */
export const mockHandler: Testing.Handler = (frame, connection) => {
  if (frame._tag === "Text") {
    if (frame.data.includes(`"test/hold"`)) return undefined
    const { id, params } = safeParse(frame.data)
    if (frame.data.includes(`"test/fail"`)) {
      return JSON.stringify({
        jsonrpc: "2.0",
        id,
        error: { code: 42, message: "refused on purpose", data: { why: "test" } }
      })
    }
    if (isMethod(frame, "public/subscribe") && params?.channels?.some((c: string) => c.startsWith("refused."))) {
      return JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32602, message: "unknown channel" } })
    }
  }
  return Testing.defaultHandler(frame, connection)
}

const safeParse = (text: string): any => {
  try {
    return JSON.parse(text)
  } catch {
    return {}
  }
}

export const isMethod = (frame: Testing.Frame, method: string) =>
  frame._tag === "Text" && frame.data.includes(`"method":"${method}"`)

export const isSubscribe = (frame: Testing.Frame, channel: string) =>
  isMethod(frame, "public/subscribe") && frame._tag === "Text" && frame.data.includes(`"${channel}"`)
