/**
 * Waits for `promise`, or resolves `'aborted'` as soon as `signal` aborts (at once when it
 * already has). The listener is removed either way, so a long run does not pile them up.
 */
export async function untilAborted<V>(promise: PromiseLike<V>, signal: AbortSignal | undefined): Promise<V | 'aborted'> {
  if (!signal) return await promise
  if (signal.aborted) return 'aborted'
  let onAbort!: () => void
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted')
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
