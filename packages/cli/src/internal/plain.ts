/**
 * ANSI styles only for a terminal: `NO_COLOR` turns them off, `FORCE_COLOR` keeps them on a pipe.
 */

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*m/g

/** @internal */
export const keepStyles = (stream: { readonly isTTY?: boolean | undefined }): boolean =>
  process.env.NO_COLOR === undefined || process.env.NO_COLOR === ""
    ? stream.isTTY === true || (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0")
    : false

/** @internal */
export const plain = <A>(value: A, stream: { readonly isTTY?: boolean | undefined }): A | string =>
  typeof value === "string" && !keepStyles(stream) ? value.replace(ansi, "") : value
