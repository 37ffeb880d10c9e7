/** The error's message, or its text when it is not an Error. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  try {
    return String(error)
  } catch {
    return 'an unprintable error'
  }
}

/**
 * Whether a rejected `submit` means the port never took the item (it was stopping, or the
 * wait was aborted) rather than that the item failed: such an item is not the item's fault
 * and counts no failed delivery.
 */
export function isNotAccepted(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name
  return name === 'BatcherStoppedError' || name === 'AbortError'
}
