/**
 * The files the packaging test writes into the consumer project: a program a user would write, run as ESM and as
 * CommonJS, and a consumer's TypeScript, checked under strict flags.
 */

/** A program a user would write, against the shipped mock server: ESM and CommonJS. */
export const scenario = `
const program = Effect.gen(function*() {
  const server = yield* Testing.startMockServer()
  const client = yield* Client.connect(server.url, { requestTimeout: 5_000 })
  const messages = yield* client.messagesScoped
  const result = yield* Client.request(client, { method: "public/test", params: {} })
  yield* Client.sendMessage(client, "ping")
  const replies = yield* messages.pipe(Stream.take(1), Stream.runCollect)
  yield* Client.close(client)
  const state = yield* Client.getState(client)
  // tls: true needs the optional peer selfsigned, which this project does not have
  const tls = yield* Effect.flip(Testing.startMockServer({ tls: true }))
  return { result, reply: [...replies][0].data, state, tls: tls.message }
})

Effect.runPromise(Effect.scoped(program)).then((out) => console.log(JSON.stringify(out)))
`

export const consumerTsconfig = {
  compilerOptions: {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    skipLibCheck: true,
    // node16 rather than nodenext: it refuses a require() of ES-format declarations (TypeScript 5.8+ allows it under
    // nodenext), so the CommonJS consumer below also checks that the types suit require() on every TypeScript
    module: "node16",
    moduleResolution: "node16",
    target: "es2022",
    lib: ["es2022"],
    types: ["node"],
    noEmit: true
  },
  include: ["*.ts", "*.cts", "*.mts"]
}

/** A consumer's code: it compiles, and the `typed` lines stop compiling if a type degrades to `any`. */
export const consumerCode = (importLine: string): string =>
  `${importLine}

export const program = Effect.gen(function*() {
  const server = yield* Testing.startMockServer()
  const client = yield* Client.connect(server.url, {
    heartbeatConfig: { type: "ping", interval: 30_000 },
    offlineQueue: { capacity: 10, strategy: "dropOldest" }
  })
  const result: unknown = yield* Client.request(client, { method: "public/test", params: {} })
  const id = yield* Client.subscribe(client, ["ticker.BTC-PERPETUAL.100ms"])
  const state: "connecting" | "connected" | "disconnected" = yield* Client.getState(client)
  yield* client.messages.pipe(Stream.take(1), Stream.runDrain)
  yield* Client.close(client)
  return { result, id, state }
})

export const describe = (error: Client.RequestError): string => ErrorHandler.explain(error).message

// each line compiles only while the type it names is not \`any\`
type IsAny<T> = 0 extends 1 & T ? true : false
const request = (client: Client.Client) => Client.request(client, { method: "public/test" })
const subscribe = (client: Client.Client) => Client.subscribe(client, ["a"])
const stream = (client: Client.Client) => Client.stream(client, ["a"])
export const typed: Array<false> = [
  false as IsAny<Effect.Effect.Error<ReturnType<typeof request>>>,
  false as IsAny<Effect.Effect.Error<ReturnType<typeof subscribe>>>,
  false as IsAny<Stream.Stream.Error<ReturnType<typeof stream>>>,
  false as IsAny<Client.RequestError>,
  false as IsAny<Client.Client>
]

export const badOptions = (url: string) =>
  // @ts-expect-error a retry count is a number
  Client.connect(url, { retryCount: "3" })
`
