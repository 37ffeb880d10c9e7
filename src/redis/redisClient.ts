/**
 * The part of a node-redis client (the official `redis` package, v5 or later) that a stream
 * consumer uses. A client from `createClient()` fits as it is; raw commands keep the consumer
 * independent of the client's reply mapping (RESP2, the default, is what it parses).
 */
export interface RedisCommandClient {
  sendCommand(args: ReadonlyArray<string>): Promise<unknown>
}

/** A connected node-redis client the consumer may `duplicate()` for its blocking reads. */
export interface RedisStreamClient extends RedisCommandClient {
  duplicate(): RedisReaderClient
}

/** The duplicated connection: blocking `XREADGROUP` runs on it so acknowledgements never queue behind a read. */
export interface RedisReaderClient extends RedisCommandClient {
  connect(): Promise<unknown>
  close?(): Promise<unknown>
  quit?(): Promise<unknown>
  destroy?(): void
  on(event: 'error', listener: (error: unknown) => void): unknown
}

/** Opens the consumer's own connection for blocking reads; errors on it are reported, never thrown as events. */
export async function connectReader(client: RedisStreamClient, onError: (error: unknown) => void): Promise<RedisReaderClient> {
  const reader = client.duplicate()
  reader.on('error', onError)
  try {
    await reader.connect()
  } catch (error) {
    reader.destroy?.() // or it would go on reconnecting on its own
    throw error
  }
  return reader
}

/** Closes the reader connection; never rejects. */
export async function closeReader(reader: RedisReaderClient): Promise<void> {
  try {
    if (reader.close) await reader.close()
    else if (reader.quit) await reader.quit()
    else reader.destroy?.()
  } catch {
    reader.destroy?.()
  }
}
