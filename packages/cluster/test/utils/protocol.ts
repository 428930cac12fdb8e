/** What the test and its runner processes (fixtures/runner.ts) say to each other over the IPC channel. */
import type { JsonRpc } from "@zen-websocket/core"
import * as Cause from "effect/Cause"
import * as Predicate from "effect/Predicate"

export interface ShardingTimings {
  readonly shardsPerGroup: number
  readonly shardLockRefreshInterval: number
  readonly shardLockExpiration: number
  readonly runnerHealthCheckInterval: number
  readonly refreshAssignmentsInterval: number
  readonly entityMessagePollInterval: number
}

export interface RunnerConfig {
  readonly port: number
  readonly postgresUrl: string
  readonly feeds: ReadonlyArray<{ readonly name: string; readonly url: string }>
  readonly sharding: ShardingTimings
  readonly slowDisconnectMs: number
}

export type Command =
  | { readonly op: "send"; readonly feed: string; readonly message: string | Uint8Array | object }
  | {
    readonly op: "request"
    readonly feed: string
    readonly request: JsonRpc.Request
    readonly timeoutMs?: number | undefined
  }
  | { readonly op: "subscribe"; readonly feed: string; readonly channels: ReadonlyArray<string> }
  | { readonly op: "unsubscribe"; readonly feed: string; readonly channels: ReadonlyArray<string> }
  | { readonly op: "state"; readonly feed: string; readonly timeoutMs?: number | undefined }
  | { readonly op: "sendBalanced"; readonly pool: ReadonlyArray<string>; readonly message: string }
  | { readonly op: "localFeeds" }
  | { readonly op: "shardOf"; readonly feed: string }

/** a failure as plain data: its tag, and the fields tests look at */
export interface RemoteError {
  readonly _tag: string
  readonly reason?: string | undefined
  readonly code?: number | undefined
  readonly data?: unknown
  readonly message: string
}

export type ToParent =
  | { readonly _tag: "Loaded" }
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Hook"; readonly hook: "onConnect" | "onDisconnect"; readonly feed: string }
  | { readonly _tag: "Reply"; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly _tag: "Reply"; readonly id: number; readonly ok: false; readonly error: RemoteError }

export const encodeError = (cause: Cause.Cause<unknown>): RemoteError => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "None") return { _tag: "Defect", message: Cause.pretty(cause) }
  const error = failure.value as Record<string, unknown>
  return {
    _tag: Predicate.isString(error._tag) ? error._tag : "Unknown",
    reason: Predicate.isString(error.reason) ? error.reason : undefined,
    code: Predicate.isNumber(error.code) ? error.code : undefined,
    data: error.data,
    message: Predicate.isString(error.message) ? error.message : String(error)
  }
}
