/**
 * The venue simulator: the mock server with a handler that speaks one venue's subscription wire. Per connection it
 * keeps the channels held and whether the session logged in; it enforces the venue's frame and channel-count limits
 * and refuses private channels without credentials, answering the way the venue does (a whole request refused, or each
 * channel). Faults can be queued: the next auth or subscribe requests answered with the venue's transient error, not
 * answered at all, or answered by dropping the connection.
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type { Frame, Handler, MockConnection, ResolvedOptions, TypeId } from "../mockModels.js"
import * as MockServer from "../mockServer.js"
import type { Codec, Context, Credentials, FaultMode, Parsed, Refusal, Session, VenueRequest } from "./models.js"

/** @internal */
export interface Options {
  readonly port: number
  readonly path: string
  readonly tls: boolean
  readonly maxReceived: number
  readonly credentials: Credentials
  readonly maxFrameBytes: number | undefined
  readonly maxChannelsPerRequest: number | undefined
  readonly rejects: ((channel: string, authenticated: boolean) => "private" | "unknown" | undefined) | undefined
}

/** keeps the mock server's type id nameable in this module's declarations */
export type MockTypeId = typeof TypeId

interface Fault {
  readonly op: VenueRequest["op"]
  readonly mode: FaultMode
  left: number
}

/** Channels whose names say they do not exist, by default. */
const unknownChannel = /invalid|unknown|nonexistent/i

/** @internal */
export const start = (codec: Codec, options: Options) =>
  Effect.gen(function*() {
    const sessions = new Map<number, Session>()
    const requests: Array<VenueRequest> = []
    const faults: Array<Fault> = []
    let ids = 0
    // a random prefix per server: ids from another server (or an earlier run) never collide with these
    const prefix = Math.floor(Math.random() * 0xffff).toString(16).padStart(4, "0")
    const context: Context = {
      credentials: options.credentials,
      nextId: () => `0x${prefix}${(++ids).toString(16).padStart(12, "0")}`
    }
    const maxFrameBytes = options.maxFrameBytes ?? codec.maxFrameBytes
    const maxChannels = options.maxChannelsPerRequest ?? codec.maxChannelsPerRequest

    const sessionOf = (connection: MockConnection): Session => {
      let session = sessions.get(connection.id)
      if (session === undefined) {
        session = { connection, held: new Map(), authenticated: false, sequence: 0 }
        sessions.set(connection.id, session)
      }
      return session
    }

    const takeFault = (op: VenueRequest["op"]): FaultMode | undefined => {
      const fault = faults.find((f) => f.op === op && f.left > 0)
      if (fault === undefined) return undefined
      fault.left--
      return fault.mode
    }

    const refusalOf = (channel: string, authorized: boolean): Refusal | undefined => {
      if (options.rejects !== undefined) return options.rejects(channel, authorized)
      if (codec.isPrivate(channel) && !authorized) return "private"
      const exists = codec.exists === undefined ? !unknownChannel.test(channel) : codec.exists(channel)
      return exists ? undefined : "unknown"
    }

    const answer = (request: Parsed, session: Session) => {
      switch (request.op) {
        case "auth": {
          if (!codec.verify(request, context)) return codec.failed(request, "credentials", session)
          session.authenticated = true
          return codec.authed(request, session)
        }
        case "subscribe": {
          if (request.channels.length > maxChannels) return codec.failed(request, "tooMany", session)
          const authorized = session.authenticated || codec.authorizes?.(request, context) === true
          const accepted: Array<string> = []
          const refused: Array<{ channel: string; why: Refusal }> = []
          for (const channel of request.channels) {
            const why = refusalOf(channel, authorized)
            if (why === undefined) accepted.push(channel)
            else refused.push({ channel, why })
          }
          return codec.subscribed(request, accepted, refused, session, context)
        }
        default: {
          const removed = codec.release?.(request, session) ?? request.channels.filter((c) => session.held.delete(c))
          return codec.unsubscribed(request, removed, session)
        }
      }
    }

    const handler: Handler = (frame: Frame, connection: MockConnection) => {
      if (frame._tag !== "Text") return undefined
      const session = sessionOf(connection)
      const json = parse(frame.data)
      const request = json === undefined ? undefined : codec.parse(json)
      if (request === undefined || request.op === "other") return codec.other(json, frame.data, session)
      const bytes = Buffer.byteLength(frame.data)
      requests.push({ connectionId: connection.id, op: request.op, channels: request.channels, bytes, at: Date.now() })
      if (bytes > maxFrameBytes) return codec.failed(request, "tooLarge", session)
      switch (takeFault(request.op)) {
        case "silent":
          return undefined
        case "terminate":
          connection.terminate()
          return undefined
        case "error":
          return codec.failed(request, "transient", session)
      }
      return answer(request, session)
    }

    const mockOptions: ResolvedOptions = {
      port: options.port,
      path: options.path,
      tls: options.tls,
      handler,
      maxReceived: options.maxReceived,
      onConnection: undefined
    }
    const server = yield* MockServer.start(mockOptions)
    const forget = Effect.sync(() => sessions.clear())
    const newest = () => {
      let last: Session | undefined
      for (const session of sessions.values()) {
        if (last === undefined || session.connection.id > last.connection.id) last = session
      }
      return last
    }
    return {
      ...server,
      restart: Effect.zipRight(forget, server.restart),
      stopServer: Effect.zipRight(forget, server.stopServer),
      simulateDisconnect: (how: Parameters<typeof server.simulateDisconnect>[0], reason?: string) =>
        Effect.zipRight(forget, server.simulateDisconnect(how, reason)),
      venue: codec.name,
      limits: { maxFrameBytes, maxChannelsPerRequest: maxChannels },
      holding: Effect.sync((): ReadonlyArray<string> => [...(newest()?.held.keys() ?? [])]),
      serverIds: Effect.sync((): ReadonlyArray<string> =>
        [...(newest()?.held.values() ?? [])].filter((id) => id !== "")
      ),
      requests: Effect.sync((): ReadonlyArray<VenueRequest> => requests.slice()),
      publish: (channel: string, data?: unknown) =>
        Effect.sync(() => {
          let reached = 0
          for (const session of sessions.values()) {
            const id = session.held.get(channel)
            if (id === undefined) continue
            session.connection.send(codec.notification(channel, data ?? { channel }, session, id))
            reached++
          }
          return reached
        }),
      failNext: (op: VenueRequest["op"], times: number, mode: FaultMode = "error") =>
        Effect.sync(() => void faults.push({ op, mode, left: times }))
    }
  })

const parse = (text: string): Record<string, unknown> | undefined => {
  if (!text.startsWith("{")) return undefined
  try {
    const json: unknown = JSON.parse(text)
    return Predicate.isRecord(json) ? json : undefined
  } catch {
    return undefined
  }
}
