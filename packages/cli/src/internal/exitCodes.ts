/**
 * Exit codes as a table: which errors end in which code.
 */
import * as Predicate from "effect/Predicate"

/** @internal */
export const table = [
  { code: 0, name: "ok", meaning: "success" },
  { code: 1, name: "rpc-error", meaning: "the server answered with an error" },
  { code: 2, name: "connect-error", meaning: "no connection, or the link was lost" },
  { code: 3, name: "timeout", meaning: "no reply within --timeout" },
  { code: 4, name: "bad-input", meaning: "a flag, an argument or a file is not right" },
  { code: 5, name: "failure", meaning: "anything else" },
  { code: 130, name: "interrupted", meaning: "Ctrl-C before a one-shot command finished" }
] as const

/** @internal */
export type Name = typeof table[number]["name"]

/** @internal */
export const code = (name: Name): number => table.find((row) => row.name === name)!.code

/** Error `_tag` (or `_tag:reason`) → exit code name; the first match wins. */
const byTag: ReadonlyArray<readonly [string, Name]> = [
  ["RpcError", "rpc-error"],
  ["ConnectError", "connect-error"],
  ["Disconnected", "connect-error"],
  ["NotConnected", "connect-error"],
  ["SendError:socket", "connect-error"],
  ["RequestTimeout", "timeout"],
  ["CliError:timeout", "timeout"],
  ["CliError:closed", "connect-error"],
  ["CliError:rejected", "rpc-error"],
  ["CliError:input", "bad-input"],
  ["InvalidOptions", "bad-input"],
  ["ValidationError", "bad-input"],
  ["SendError:encode", "bad-input"],
  ["RecorderError:read", "bad-input"],
  ["RecorderError:open", "bad-input"]
]

/** @internal */
export const fromError = (error: unknown): number => {
  const tag = Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" ? error._tag : undefined
  if (tag === undefined) return code("failure")
  const reason = Predicate.hasProperty(error, "reason") && typeof error.reason === "string" ? error.reason : undefined
  const keyed = reason === undefined ? undefined : byTag.find(([key]) => key === `${tag}:${reason}`)
  const plain = byTag.find(([key]) => key === tag)
  return code((keyed ?? plain)?.[1] ?? "failure")
}
