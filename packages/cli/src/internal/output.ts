/**
 * Where the command line writes: results on stdout, everything else (lifecycle, errors, status lines) on stderr.
 * Colours only on a terminal (and never with `NO_COLOR`). A status line (record, replay) or a prompt (connect) stays
 * at the bottom of the terminal: a printed line clears it, goes out, and the status or prompt is drawn again.
 */
import type * as Readline from "node:readline"

/** @internal */
export type Color = "red" | "green" | "yellow" | "blue" | "magenta" | "cyan" | "dim" | "bold"

const codes: Record<Color, readonly [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22]
}

/** @internal */
export const paint = (on: boolean, color: Color, text: string): string =>
  on ? `\x1b[${codes[color][0]}m${text}\x1b[${codes[color][1]}m` : text

/** @internal */
export interface Output {
  /** stdout is a terminal */
  readonly tty: boolean
  /** colours on stdout */
  readonly color: boolean
  /** stderr is a terminal */
  readonly errTty: boolean
  /** a line on stdout */
  readonly line: (text: string) => void
  /** a line on stderr */
  readonly error: (text: string) => void
  /** colours for stderr text */
  readonly paint: (color: Color, text: string) => string
  /** colours for stdout text */
  readonly paintOut: (color: Color, text: string) => string
  /** sets (or clears, with undefined) the status line at the bottom of stderr; ignored unless stderr is a terminal */
  readonly status: (text: string | undefined) => void
  /** keeps a readline prompt at the bottom of the terminal */
  readonly attachPrompt: (rl: Readline.Interface | undefined) => void
}

const clearLine = "\r\x1b[2K"

/** @internal */
export const make = (
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr
): Output => {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ""
  const tty = stdout.isTTY === true
  const errTty = stderr.isTTY === true
  const color = tty && !noColor
  const errColor = errTty && !noColor
  let statusText: string | undefined
  let prompt: Readline.Interface | undefined
  const bottomShown = () => (statusText !== undefined && errTty) || (prompt !== undefined && tty)
  const clearBottom = () => {
    if (statusText !== undefined && errTty) stderr.write(clearLine)
    else if (prompt !== undefined && tty) stdout.write(clearLine)
  }
  const drawBottom = () => {
    if (statusText !== undefined && errTty) stderr.write(statusText)
    else if (prompt !== undefined && tty) prompt.prompt(true)
  }
  const write = (stream: NodeJS.WriteStream, text: string) => {
    const shown = bottomShown()
    if (shown) clearBottom()
    stream.write(text + "\n")
    if (shown) drawBottom()
  }
  return {
    tty,
    color,
    errTty,
    line: (text) => write(stdout, text),
    error: (text) => write(stderr, text),
    paint: (c, text) => paint(errColor, c, text),
    paintOut: (c, text) => paint(color, c, text),
    status: (text) => {
      if (!errTty) return
      if (statusText !== undefined) stderr.write(clearLine)
      statusText = text
      if (text !== undefined) stderr.write(text)
    },
    attachPrompt: (rl) => {
      prompt = rl
    }
  }
}
