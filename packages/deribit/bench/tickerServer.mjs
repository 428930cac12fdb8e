// A Deribit-speaking blaster for bench/ticker.ts, run in its own process so its CPU is not the client's: answers every
// request (set_heartbeat "ok", subscribe with the channels), and on a subscribe sends the ticker frames it was given
// (stdin, one JSON line: { frames, repeat }) `repeat` times, in bursts, then a final marker notification.
import { WebSocketServer } from "ws"

let input = ""
process.stdin.on("data", (d) => (input += d))
process.stdin.on("end", () => {
  const { frames, repeat } = JSON.parse(input)
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  wss.on("listening", () => process.stdout.write(`${wss.address().port}\n`))
  wss.on("connection", (ws) => {
    ws.on("message", (data) => {
      const request = JSON.parse(data.toString())
      if (request.id === undefined) return
      const subscribe = request.method.endsWith("/subscribe")
      const result = subscribe ? request.params.channels : request.method === "public/test" ? { version: "1" } : "ok"
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: request.id, result, usIn: 1, usOut: 2, usDiff: 1 }))
      if (!subscribe) return
      let round = 0
      const burst = () => {
        for (let i = 0; i < 50 && round < repeat; i++, round++) {
          for (const frame of frames) ws.send(frame)
        }
        if (round < repeat) setImmediate(burst)
        else ws.send(JSON.stringify({ jsonrpc: "2.0", method: "subscription", params: { channel: "done", data: {} } }))
      }
      setImmediate(burst)
    })
  })
})
