/**
 * A WebSocket server that misbehaves on purpose, written over a raw TCP listener: it completes the upgrade, and when
 * the client's first frame arrives it sends `reply` (a close frame, a malformed frame…) and then ignores the client:
 * it reads and drops everything, never answers a close frame and never closes the TCP connection (half-open allowed).
 */
import * as Effect from "effect/Effect"
import * as Crypto from "node:crypto"
import * as Net from "node:net"

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/** A close frame from the server (unmasked) with `code`. */
export const closeFrame = (code: number): Buffer => Buffer.from([0x88, 0x02, code >> 8, code & 0xff])

/** A frame with a reserved opcode (0x3): `ws` fails the connection with 1002. */
export const badFrame: Buffer = Buffer.from([0x83, 0x00])

/** Answers a WebSocket upgrade request once its head is complete (`head`: what arrived so far); false until then. */
export const acceptUpgrade = (socket: Net.Socket, head: string): boolean => {
  if (!head.includes("\r\n\r\n")) return false
  const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? ""
  const accept = Crypto.createHash("sha1").update(key + GUID).digest("base64")
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`
  )
  return true
}

export interface Misbehaving {
  readonly url: string
  /** upgraded connections so far */
  readonly connections: () => number
}

export const startMisbehaving = (reply: Buffer) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Net.Server; readonly sockets: Set<Net.Socket>; readonly api: Misbehaving }>(
      (resume) => {
        let connections = 0
        const sockets = new Set<Net.Socket>()
        const server = Net.createServer({ allowHalfOpen: true }, (socket) => {
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
          socket.on("error", () => {})
          let head = ""
          let upgraded = false
          let replied = false
          socket.on("data", (chunk) => {
            if (!upgraded) {
              head += chunk.toString("latin1")
              if (!acceptUpgrade(socket, head)) return
              upgraded = true
              connections++
              return
            }
            if (!replied) {
              replied = true
              socket.write(reply)
            }
            // everything else (the client's close frame included) is ignored
          })
          socket.on("end", () => {}) // half-open: the client's FIN is not answered
        })
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as Net.AddressInfo).port
          resume(Effect.succeed({
            server,
            sockets,
            api: { url: `ws://127.0.0.1:${port}/ws`, connections: () => connections }
          }))
        })
      }
    ),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ api }) => api))
