/**
 * The bench server, always a separate process (forked by a measurement child, see `serverProcess.ts`), on 127.0.0.1.
 *
 * - `blast`: answers the WebSocket upgrade by hand and then writes pre-framed text frames straight to the TCP socket,
 *   so the server costs next to nothing and the client is what is measured. A text frame from the client holding a
 *   number `n` ("go") makes it write `n` frames of `size` bytes (`?size=64` in the URL, default 64). A close frame is
 *   answered with a close frame; a ping with a pong.
 * - `feed`: the `blast` upgrade, then every connection gets `?rate=` (default 10) 64-byte text frames per second,
 *   spread over 10 ms ticks (a tenth of the connections per tick at 10/s), each carrying the server's wall-clock time
 *   in ms (`{"ts":1764770000000.123,…`, 17 characters at offset 6) for the delivery lag. Pings are answered.
 * - `deflate`: a `ws` server with permessage-deflate (every message compressed, no context takeover, for a client that
 *   offers the extension; plain frames otherwise) that answers a text frame holding `n` with `n` text frames of
 *   `?size=` bytes, 1 000 at a time (the next thousand once the last one is written).
 * - `ws`: a `ws` server that echoes every frame, answers JSON-RPC requests (`public/subscribe` with its channels,
 *   anything else with `{ "ok": true }`), and can be taken down and brought back on the same port over IPC
 *   (`{ type: "down" }` terminates every connection and closes the listener; `{ type: "up" }` listens again).
 *
 * The process exits when its parent goes away (IPC disconnect), so no server outlives its bench child.
 */
import { createHash } from "node:crypto"
import { createServer } from "node:http"
import type { Socket } from "node:net"
import { WebSocketServer } from "ws"
import type { WebSocket } from "ws"
import { payload } from "./common.js"

const mode = process.argv[2] ?? "ws"

process.on("disconnect", () => process.exit(0))
const send = (message: unknown) => process.send?.(message)

const BATCH = 1000

const frameOf = (text: string): Buffer => {
  const body = Buffer.from(text)
  const header = body.length < 126
    ? Buffer.from([0x81, body.length])
    : Buffer.from([0x81, 126, body.length >> 8, body.length & 255])
  return Buffer.concat([header, body])
}

const batches = new Map<number, { frame: Buffer; batch: Buffer }>()
const batchOf = (size: number) => {
  let found = batches.get(size)
  if (found === undefined) {
    const frame = frameOf(payload(size))
    found = { frame, batch: Buffer.concat(Array.from({ length: BATCH }, () => frame)) }
    batches.set(size, found)
  }
  return found
}

/** Writes `count` frames, in batches, honouring TCP backpressure. */
const pump = (socket: Socket, size: number, count: number) => {
  const { batch, frame } = batchOf(size)
  let left = count
  const go = () => {
    while (left > 0 && !socket.destroyed) {
      const n = Math.min(BATCH, left)
      left -= n
      const ok = socket.write(n === BATCH ? batch : batch.subarray(0, n * frame.length))
      if (!ok) return void socket.once("drain", go)
    }
  }
  go()
}

/** Parses the client's (masked) frames: text = "go n", close, ping. */
const onClientFrames = (socket: Socket, size: number) => {
  let buffered: Buffer = Buffer.alloc(0)
  socket.on("data", (data: Buffer) => {
    buffered = buffered.length === 0 ? data : Buffer.concat([buffered, data])
    while (buffered.length >= 2) {
      const opcode = buffered[0] & 0x0f
      const masked = (buffered[1] & 0x80) !== 0
      let length = buffered[1] & 0x7f
      let offset = 2
      if (length === 126) {
        if (buffered.length < 4) return
        length = buffered.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (buffered.length < 10) return
        length = Number(buffered.readBigUInt64BE(2))
        offset = 10
      }
      const maskAt = offset
      if (masked) offset += 4
      if (buffered.length < offset + length) return
      const body = Buffer.from(buffered.subarray(offset, offset + length))
      if (masked) { for (let i = 0; i < body.length; i++) body[i] ^= buffered[maskAt + (i & 3)] }
      buffered = buffered.subarray(offset + length)
      if (opcode === 0x1) {
        const count = Number.parseInt(body.toString(), 10)
        if (Number.isFinite(count) && count > 0) pump(socket, size, count)
      } else if (opcode === 0x8) {
        socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]))
        return
      } else if (opcode === 0x9) {
        socket.write(Buffer.concat([Buffer.from([0x8a, body.length]), body]))
      }
    }
  })
}

const feedSockets: Array<Socket> = []
const feedHeader = Buffer.from([0x81, 64])

/** `{"ts":<17 chars>,"n":<seq>,"p":"xx…"}` padded to 64 bytes */
const feedPayload = (seq: number): string => {
  const head = `{"ts":${(performance.timeOrigin + performance.now()).toFixed(3)},"n":${seq},"p":"`
  return head + "x".repeat(64 - head.length - 2) + "\"}"
}

const startFeed = (rate: number) => {
  const every = Math.max(1, Math.round(100 / rate))
  let tick = 0
  let seq = 0
  setInterval(() => {
    const slot = tick++ % every
    for (let i = slot; i < feedSockets.length; i += every) {
      const socket = feedSockets[i]
      if (socket.destroyed) continue
      socket.cork()
      socket.write(feedHeader)
      socket.write(feedPayload(seq++))
      socket.uncork()
    }
  }, 10)
}

const startBlast = (feed: boolean) => {
  const server = createServer((_, res) => res.writeHead(426).end())
  let feeding = false
  server.on("upgrade", (req, socket: Socket) => {
    socket.setNoDelay(true)
    socket.on("error", () => {})
    const size = Number(new URL(req.url ?? "/", "http://x").searchParams.get("size") ?? 64)
    const accept = createHash("sha1")
      .update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
      .digest("base64")
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`
    )
    onClientFrames(socket, size)
    if (feed) {
      if (!feeding) startFeed(Number(new URL(req.url ?? "/", "http://x").searchParams.get("rate") ?? 10))
      feeding = true
      feedSockets.push(socket)
    }
  })
  server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
    const address = server.address()
    send({ type: "listening", port: typeof address === "object" && address !== null ? address.port : 0 })
  })
}

const subscribeMethods = new Set(["public/subscribe", "private/subscribe", "public/unsubscribe", "private/unsubscribe"])

const answer = (text: string): string => {
  if (text.charCodeAt(0) !== 123 /* { */ || !text.includes("\"method\"")) return text
  let json: { id?: unknown; method?: unknown; params?: { channels?: unknown } }
  try {
    json = JSON.parse(text)
  } catch {
    return text
  }
  if (json.id === undefined || typeof json.method !== "string") return text
  const result = subscribeMethods.has(json.method) ? json.params?.channels ?? [] : { ok: true }
  return JSON.stringify({ jsonrpc: "2.0", id: json.id, result })
}

const startWs = () => {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: true })
  const server = createServer((_, res) => res.writeHead(426).end())
  server.on("upgrade", (req, socket, head) => {
    socket.on("error", () => {})
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on("error", () => {})
      ws.on("message", (data, isBinary) => {
        if (isBinary) ws.send(data, { binary: true })
        else ws.send(answer(data.toString()))
      })
    })
  })
  let port = 0
  const listen = (then: () => void) => server.listen({ port, host: "127.0.0.1", backlog: 4096 }, then)
  listen(() => {
    const address = server.address()
    port = typeof address === "object" && address !== null ? address.port : 0
    send({ type: "listening", port })
  })
  process.on("message", (message: { type?: string }) => {
    if (message.type === "down") {
      for (const client of wss.clients) client.terminate()
      server.close()
      server.closeAllConnections()
      send({ type: "down" })
    } else if (message.type === "up") {
      listen(() => send({ type: "up" }))
    }
  })
}

/** `deflate` mode: what a server that compresses every message sends, through `ws`'s own permessage-deflate. */
const startDeflate = () => {
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    backlog: 4096,
    perMessageDeflate: { threshold: 0, serverNoContextTakeover: true }
  }, () => {
    const address = wss.address()
    send({ type: "listening", port: typeof address === "object" && address !== null ? address.port : 0 })
  })
  wss.on("connection", (ws: WebSocket, req) => {
    ws.on("error", () => {})
    const text = payload(Number(new URL(req.url ?? "/", "http://x").searchParams.get("size") ?? 64))
    ws.on("message", (data, isBinary) => {
      const count = isBinary ? 0 : Number.parseInt(data.toString(), 10)
      let left = Number.isFinite(count) ? count : 0
      const more = () => {
        const n = Math.min(BATCH, left)
        left -= n
        for (let i = 1; i <= n; i++) ws.send(text, i === n && left > 0 ? more : undefined)
      }
      more()
    })
  })
}

if (mode === "blast" || mode === "feed") startBlast(mode === "feed")
else if (mode === "deflate") startDeflate()
else startWs()
