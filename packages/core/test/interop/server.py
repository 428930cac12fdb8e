"""An independent WebSocket peer for packages/core/test/Interop.test.ts.

Runs on Debian's python3-websockets 10.4 (`apt-get install -y python3-websockets`), started with /usr/bin/python3.
Prints `PORT <n>` as its first stdout line, then serves on 127.0.0.1:<n>:

- text and binary frames are echoed, except:
- a JSON-RPC request (`jsonrpc`, `id`, `method`) gets a response: `public/subscribe` / `public/unsubscribe` answer
  the requested channels, any other method answers `{method, params}`; `params.delayMs` delays the answer (so
  concurrent requests are answered out of order); `params.error` answers that JSON-RPC error instead
- `close:<code>` closes the connection with that code and the reason `server says <code>`
- `notify:<channel>` sends a subscription notification `{method: "subscription", params: {channel, data}}`
- `big:<n>` sends a text frame of n bytes
- `badutf8` sends a text frame whose payload is not UTF-8 (0xC3 0x28)
- `fragments` sends one text message in three frames (a frame and two continuation frames)
- `serverping` pings the client and answers `pong:<ms>` once the client's pong arrived
- `info` answers JSON: this connection's path (with query string), request headers (lower-cased names), offered and
  negotiated subprotocol, and every connection seen so far with the close code/reason it received from its client
- the path `/status/<code>` is refused with that HTTP status before the upgrade

It answers pings on its own (websockets does) and exits when its stdin closes or on SIGTERM.
"""
import asyncio
import http
import json
import os
import signal
import sys
import threading
import time

import websockets

CONNECTIONS = []


def connection_report(ws):
    rcvd = ws.close_rcvd
    return {
        "path": ws.path,
        "closeCode": None if rcvd is None else rcvd.code,
        "closeReason": None if rcvd is None else rcvd.reason,
    }


def info(ws):
    headers = {}
    for name, value in ws.request_headers.raw_items():
        key = name.lower()
        headers[key] = value if key not in headers else headers[key] + ", " + value
    return {
        "path": ws.path,
        "headers": headers,
        "offeredSubprotocols": ws.request_headers.get_all("Sec-WebSocket-Protocol"),
        "subprotocol": ws.subprotocol,
        "connections": [connection_report(c) for c in CONNECTIONS],
        "websockets": websockets.__version__,
    }


async def answer(ws, request):
    method = request["method"]
    params = request.get("params")
    if isinstance(params, dict) and isinstance(params.get("delayMs"), (int, float)):
        await asyncio.sleep(params["delayMs"] / 1000)
    if isinstance(params, dict) and params.get("error") is not None:
        response = {"jsonrpc": "2.0", "id": request["id"], "error": params["error"]}
    elif method in ("public/subscribe", "public/unsubscribe"):
        response = {"jsonrpc": "2.0", "id": request["id"], "result": params["channels"]}
    else:
        response = {"jsonrpc": "2.0", "id": request["id"], "result": {"method": method, "params": params}}
    try:
        await ws.send(json.dumps(response))
    except websockets.ConnectionClosed:
        pass


def as_request(text):
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, dict) and "jsonrpc" in value and "id" in value and isinstance(value.get("method"), str):
        return value
    return None


async def serverping(ws):
    started = time.monotonic()
    waiter = await ws.ping(b"from-python")
    await asyncio.wait_for(waiter, 2)
    await ws.send("pong:%.3f" % ((time.monotonic() - started) * 1000))


async def handler(ws, path=None):
    CONNECTIONS.append(ws)
    tasks = set()

    def spawn(coroutine):
        task = asyncio.ensure_future(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    try:
        async for message in ws:
            if isinstance(message, bytes):
                await ws.send(message)
            elif message == "info":
                await ws.send(json.dumps(info(ws)))
            elif message.startswith("close:"):
                code = int(message[len("close:"):])
                await ws.close(code, "server says %d" % code)
            elif message.startswith("notify:"):
                channel = message[len("notify:"):]
                notification = {"jsonrpc": "2.0", "method": "subscription",
                                 "params": {"channel": channel, "data": {"from": "python"}}}
                await ws.send(json.dumps(notification))
            elif message.startswith("big:"):
                await ws.send("x" * int(message[len("big:"):]))
            elif message == "badutf8":
                await ws.write_frame(True, 0x1, b"\xc3\x28")
            elif message == "fragments":
                await ws.send(["frag", "men", "ted"])
            elif message == "serverping":
                spawn(serverping(ws))
            else:
                request = as_request(message)
                if request is None:
                    await ws.send(message)
                else:
                    spawn(answer(ws, request))
    except websockets.ConnectionClosed:
        pass


async def refuse(path, request_headers):
    if path.startswith("/status/"):
        status = http.HTTPStatus(int(path[len("/status/"):]))
        return status, [("Content-Type", "text/plain")], b"refused by the interop server\n"
    return None


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def shutdown(*_):
        if not stop.done():
            stop.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, shutdown)

    def watch_stdin():
        # os.read, not sys.stdin: a daemon thread blocked in a buffered read aborts the interpreter at exit
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        finally:
            loop.call_soon_threadsafe(shutdown)

    threading.Thread(target=watch_stdin, daemon=True).start()

    async with websockets.serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=["v1.zen"],
        process_request=refuse,
        ping_interval=None,
        close_timeout=1,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d" % port, flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
