/**
 * `zenws`: a command-line WebSocket client and test server on zen-websocket.
 *
 * @since 0.1.0
 */

/**
 * The command tree and how to run it.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * The exit codes, as data.
 *
 * @since 0.1.0
 */
export * as ExitCode from "./ExitCode.js"
