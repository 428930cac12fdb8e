/**
 * A raw `ws` client for the simulator tests: JSON-RPC calls matched by id, every received message kept, waits that time
 * out on real time (so they work under `TestClock`).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import WebSocket from "ws"
import type { DeribitSimulator } from "../../src/index.js"

export interface Message {
  readonly jsonrpc?: string
  readonly id?: unknown
  readonly method?: string
  readonly params?: any
  readonly result?: any
  readonly error?: { readonly code: number; readonly message: string; readonly data?: any }
  readonly usIn?: number
  readonly usOut?: number
  readonly usDiff?: number
  readonly testnet?: boolean
}

export interface Peer {
  readonly ws: WebSocket
  /** every message received, parsed, in order */
  readonly received: Array<Message>
  /** every raw text received */
  readonly texts: Array<string>
  readonly send: (text: string) => Effect.Effect<void>
  /** sends a request and waits for its response */
  readonly call: (method: string, params?: unknown) => Effect.Effect<Message, Error>
  /** sends a request without waiting; returns its id */
  readonly fire: (method: string, params?: unknown) => Effect.Effect<number>
  /** the first received message (from index `from`) that `predicate` accepts, waiting up to `timeoutMs` */
  readonly waitFor: (
    predicate: (message: Message) => boolean,
    options?: { readonly from?: number; readonly timeoutMs?: number }
  ) => Effect.Effect<Message, Error>
  /** resolves with the close code and reason once the connection has closed */
  readonly closed: (timeoutMs?: number) => Effect.Effect<{ readonly code: number; readonly reason: string }, Error>
  readonly isOpen: () => boolean
}

const wait = <A>(
  check: () => A | undefined,
  subscribe: (wake: () => void) => () => void,
  timeoutMs: number,
  what: string
): Effect.Effect<A, Error> =>
  Effect.async<A, Error>((resume) => {
    const now = check()
    if (now !== undefined) return resume(Effect.succeed(now))
    const unsubscribe = subscribe(() => {
      const value = check()
      if (value === undefined) return
      done()
      resume(Effect.succeed(value))
    })
    const timer = setTimeout(() => {
      done()
      resume(Effect.fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)))
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      unsubscribe()
    }
    return Effect.sync(done)
  })

export const connect = (url: string): Effect.Effect<Peer, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<Peer, Error>((resume) => {
      const ws = new WebSocket(url)
      const received: Array<Message> = []
      const texts: Array<string> = []
      const wakers = new Set<() => void>()
      let closeInfo: { code: number; reason: string } | undefined
      let nextId = 1
      const wakeAll = () => {
        for (const w of Array.from(wakers)) w()
      }
      ws.on("message", (data) => {
        const text = data.toString()
        texts.push(text)
        received.push(JSON.parse(text))
        wakeAll()
      })
      ws.on("close", (code, reason) => {
        closeInfo = { code, reason: reason.toString() }
        wakeAll()
      })
      ws.on("error", () => {})
      const subscribe = (wake: () => void) => {
        wakers.add(wake)
        return () => wakers.delete(wake)
      }
      const waitFor: Peer["waitFor"] = (predicate, options) =>
        wait(
          () => received.slice(options?.from ?? 0).find(predicate),
          subscribe,
          options?.timeoutMs ?? 2_000,
          "a message"
        )
      const fire: Peer["fire"] = (method, params) =>
        Effect.sync(() => {
          const id = nextId++
          ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params: params ?? {} }))
          return id
        })
      const peer: Peer = {
        ws,
        received,
        texts,
        send: (text) => Effect.sync(() => ws.send(text)),
        fire,
        call: (method, params) =>
          Effect.flatMap(fire(method, params), (id) => waitFor((m) => m.id === id && m.method === undefined)),
        waitFor,
        closed: (timeoutMs) => wait(() => closeInfo, subscribe, timeoutMs ?? 2_000, "the close"),
        isOpen: () => ws.readyState === WebSocket.OPEN
      }
      ws.once("open", () => resume(Effect.succeed(peer)))
      ws.once("error", (error) => resume(Effect.fail(error)))
    }),
    (peer) => Effect.sync(() => peer.ws.terminate())
  )

/** `public/auth` (default: the simulator's first account); fails the test on an error answer. */
export const authenticate = (
  peer: Peer,
  sim: DeribitSimulator.DeribitSimulator,
  credentials: DeribitSimulator.Credentials = sim.credentials
) =>
  Effect.flatMap(
    peer.call("public/auth", {
      grant_type: "client_credentials",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret
    }),
    (response) =>
      response.error === undefined
        ? Effect.succeed(response.result as { access_token: string; refresh_token: string; expires_in: number })
        : Effect.fail(new Error(`auth failed: ${JSON.stringify(response.error)}`))
  )

/** A notification of `channel` received from index `from`. */
export const notificationOf = (channel: string) => (m: Message) =>
  m.method === "subscription" && m.params?.channel === channel

export const errorCode = (m: Message): number | undefined => m.error?.code
