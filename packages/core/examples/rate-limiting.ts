/**
 * Rate limiting: a token bucket with Deribit's cost table, applied to every frame the client sends.
 * Run: pnpm --filter @zen-websocket/core example examples/rate-limiting.ts
 */
import { Client, RateLimiter, Testing } from "@zen-websocket/core"
import { Console, Effect } from "effect"

const program = Effect.gen(function*() {
  const server = yield* Testing.startMockServer()
  const client = yield* Client.connect(server.url)
  const limiter = yield* RateLimiter.RateLimiter
  for (const method of ["public/get_time", "private/get_positions", "private/buy"]) {
    yield* Client.request(client, { method })
    const status = yield* RateLimiter.status(limiter)
    yield* Console.log(
      `${method.padEnd(22)} tokens ${status.tokens}/${status.capacity}, pressure ${status.pressureLevel}, ` +
        `next send waits ${status.suggestedDelayMs} ms`
    )
  }
})

Effect.runPromise(
  program.pipe(
    Effect.scoped,
    Effect.provide(RateLimiter.layer({ capacity: 30, refillRate: 10, refillInterval: 1000, cost: "deribit" }))
  )
)
