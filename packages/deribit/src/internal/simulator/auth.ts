/**
 * `public/auth` (client_credentials, client_signature, refresh_token), connection-scoped tokens with expiry, and the
 * authorization of private calls.
 *
 * @since 0.1.0
 * @internal
 */
import { randomBytes, timingSafeEqual } from "node:crypto"
import type * as DeribitMethods from "../../DeribitMethods.js"
import type { Outcome } from "./outcome.js"
import { fail, ok } from "./outcome.js"
import type { Account, Connection, State, Token } from "./state.js"
import { now } from "./state.js"

type AuthParams = typeof DeribitMethods.AuthParams.Type

import { sign } from "../signature.js"

/** @internal */
export { sign }

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const unauthorized = (reason: string, param?: string): Outcome =>
  fail(13009, param === undefined ? { reason } : { reason, param })

const invalidCredentials = (): Outcome => fail(13004, { reason: "invalid client_id or client_secret" })

const issue = (state: State, connection: Connection, account: Account, kind: Token["kind"], ttlMs: number): Token => {
  const token: Token = {
    value: `${kind}.${connection.id}.${randomBytes(12).toString("hex")}`,
    kind,
    connectionId: connection.id,
    account,
    expiresAt: now(state) + ttlMs,
    revoked: false
  }
  state.tokens.set(token.value, token)
  return token
}

const grant = (state: State, connection: Connection, account: Account, params: AuthParams): Outcome => {
  const access = issue(state, connection, account, "access", state.options.tokenTtlMs)
  const refresh = issue(state, connection, account, "refresh", state.options.refreshTokenTtlMs)
  connection.auth = { account, accessToken: access }
  return ok({
    access_token: access.value,
    expires_in: Math.round(state.options.tokenTtlMs / 1000),
    refresh_token: refresh.value,
    scope: "connection mainaccount",
    token_type: "bearer",
    enabled_features: [],
    ...(params.state !== undefined ? { state: params.state } : {})
  })
}

/** A token of this connection that is live now; otherwise the 13009 answer. */
const liveToken = (
  state: State,
  connection: Connection,
  value: string,
  kind: Token["kind"],
  param: string
): Token | Outcome => {
  const token = state.tokens.get(value)
  if (token === undefined || token.kind !== kind || token.revoked) return unauthorized("invalid token", param)
  if (token.connectionId !== connection.id) {
    return unauthorized("'connection' scope can't be reused for other connections", param)
  }
  if (now(state) >= token.expiresAt) return unauthorized("token expired", param)
  return token
}

const isToken = (u: Token | Outcome): u is Token => "value" in u

/** `public/auth`. @internal */
export const authenticate = (state: State, connection: Connection, params: AuthParams): Outcome => {
  switch (params.grant_type) {
    case "client_credentials": {
      const account = state.accounts.find((a) => a.credentials.clientId === params.client_id)
      if (account === undefined || !sameText(account.credentials.clientSecret, params.client_secret)) {
        return invalidCredentials()
      }
      return grant(state, connection, account, params)
    }
    case "client_signature": {
      const account = state.accounts.find((a) => a.credentials.clientId === params.client_id)
      if (account === undefined) return invalidCredentials()
      if (Math.abs(now(state) - params.timestamp) > state.options.signatureWindowMs) {
        return unauthorized("timestamp outside the allowed window", "timestamp")
      }
      const nonce = params.nonce ?? ""
      const expected = sign(account.credentials.clientSecret, params.timestamp, nonce, params.data ?? "")
      if (!sameText(expected, params.signature.toLowerCase())) return unauthorized("invalid signature", "signature")
      const used = `${params.client_id}:${params.timestamp}:${nonce}`
      if (state.usedNonces.has(used)) return unauthorized("nonce already used", "nonce")
      state.usedNonces.add(used)
      return grant(state, connection, account, params)
    }
    case "refresh_token": {
      const token = liveToken(state, connection, params.refresh_token, "refresh", "refresh_token")
      if (!isToken(token)) return token
      token.revoked = true
      if (connection.auth !== undefined) connection.auth.accessToken.revoked = true
      return grant(state, connection, token.account, params)
    }
  }
}

/** The account a private call acts for: its `access_token` param, else the connection's own token. @internal */
export const authorize = (state: State, connection: Connection, params: unknown): Account | Outcome => {
  const given = typeof params === "object" && params !== null
    ? (params as { access_token?: unknown }).access_token
    : undefined
  if (typeof given === "string") {
    const token = liveToken(state, connection, given, "access", "access_token")
    return isToken(token) ? token.account : token
  }
  if (connection.auth === undefined) return unauthorized("not authorized on this connection")
  const token = liveToken(state, connection, connection.auth.accessToken.value, "access", "access_token")
  return isToken(token) ? token.account : token
}

/** `private/logout`: invalidates the connection's tokens unless told not to. @internal */
export const logout = (state: State, connection: Connection, invalidate: boolean): void => {
  connection.loggedOut = true
  if (!invalidate) return
  for (const token of state.tokens.values()) if (token.connectionId === connection.id) token.revoked = true
}
