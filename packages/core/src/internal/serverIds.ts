/**
 * Server-assigned subscription ids on the current connection (`eth_subscribe`), both ways: the user's channel name is
 * the stable handle, the server's id changes on every connection. Cleared whenever a link ends, so no old id is ever
 * used again.
 */

/** @internal */
export class ServerIds {
  private byChannel: Map<string, string> | undefined = undefined
  private byId: Map<string, string> | undefined = undefined

  set(channel: string, id: string): void {
    this.delete(channel)
    ;(this.byChannel ??= new Map()).set(channel, id)
    ;(this.byId ??= new Map()).set(id, channel)
  }

  idOf(channel: string): string | undefined {
    return this.byChannel?.get(channel)
  }

  channelOf(id: string): string | undefined {
    return this.byId?.get(id)
  }

  delete(channel: string): void {
    const id = this.byChannel?.get(channel)
    if (id === undefined) return
    this.byChannel!.delete(channel)
    this.byId?.delete(id)
  }

  clear(): void {
    this.byChannel = undefined
    this.byId = undefined
  }
}
