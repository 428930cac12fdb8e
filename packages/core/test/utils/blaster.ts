/**
 * A WebSocket server over a raw TCP listener that, once the client's first frame arrives, sends `count` text frames
 * (`payload(i)`, pre-framed, unmasked) as fast as TCP takes them: it writes a block of frames, and the next one only
 * after `drain`, so what the client does not read stays queued here (and in the kernel's buffers), not in memory.
 */
import * as Effect from "effect/Effect"
import * as Net from "node:net"
import { acceptUpgrade } from "./misbehaving.js"

export interface Blaster {
  readonly url: string
  /** frames handed to TCP so far */
  readonly sent: () => number
}

/** A text frame from the server (unmasked) with a payload shorter than 126 bytes. */
const smallTextFrame = (payload: string): Buffer => {
  const body = Buffer.from(payload)
  if (body.length > 125) throw new Error("payload too long for this helper")
  return Buffer.concat([Buffer.from([0x81, body.length]), body])
}

export const startBlaster = (count: number, payload: (i: number) => string, framesPerBlock = 1_000) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Net.Server; readonly sockets: Set<Net.Socket>; readonly api: Blaster }>(
      (resume) => {
        let sent = 0
        const sockets = new Set<Net.Socket>()
        const server = Net.createServer((socket) => {
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
          socket.on("error", () => {})
          let head = ""
          let upgraded = false
          let started = false
          const blast = () => {
            while (sent < count) {
              const frames: Array<Buffer> = []
              for (let n = 0; n < framesPerBlock && sent + n < count; n++) {
                frames.push(smallTextFrame(payload(sent + n)))
              }
              sent += frames.length
              if (!socket.write(Buffer.concat(frames))) return void socket.once("drain", blast)
            }
          }
          socket.on("data", (chunk) => {
            if (!upgraded) {
              head += chunk.toString("latin1")
              if (!acceptUpgrade(socket, head)) return
              upgraded = true
              return
            }
            if (!started) {
              started = true
              blast()
            }
          })
        })
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as Net.AddressInfo).port
          resume(Effect.succeed({ server, sockets, api: { url: `ws://127.0.0.1:${port}/ws`, sent: () => sent } }))
        })
      }
    ),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ api }) => api))
