import * as Cause from "effect/Cause"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as Util from "node:util"

export interface Line {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
  readonly cause: string
}

const show = (part: unknown): string => typeof part === "string" ? part : Util.inspect(part, { depth: 10 })

/** A logger in place of the default one that keeps every line it is given. */
export const captureLogs = () => {
  const lines: Array<Line> = []
  const logger = Logger.make(({ annotations, cause, logLevel, message }) => {
    lines.push({
      level: logLevel.label,
      // what any logger could print of a part: strings as they are, anything else fully inspected
      message: (Array.isArray(message) ? message : [message]).map(show).join(" "),
      annotations: Object.fromEntries(HashMap.toEntries(annotations)),
      cause: Cause.isEmpty(cause) ? "" : Cause.pretty(cause)
    })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}
