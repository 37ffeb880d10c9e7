/**
 * A FIFO queue with O(1) push, shift and removal of any entry: producers waiting in `add`/`submit`
 * for room. Why not an array: `shift()` and `indexOf` + `splice` are O(n) per admission or abort,
 * so 100k waiting producers took ~30× as long as 20k (issue 10 item 11).
 */
export class WaitQueue<T> {
  private head: Entry<T> | undefined
  private tail: Entry<T> | undefined
  /** Entries queued. */
  size = 0

  /** Appends `value`; the returned entry removes it with {@link remove}. */
  push(value: T): Entry<T> {
    const entry: Entry<T> = { value, prev: this.tail, next: undefined, queued: true }
    if (this.tail) this.tail.next = entry
    else this.head = entry
    this.tail = entry
    this.size++
    return entry
  }

  /** Removes and returns the oldest value, or undefined when empty. */
  shift(): T | undefined {
    const entry = this.head
    if (!entry) return undefined
    this.remove(entry)
    return entry.value
  }

  /** Removes `entry` if it is still queued; O(1). */
  remove(entry: Entry<T>): void {
    if (!entry.queued) return
    entry.queued = false
    if (entry.prev) entry.prev.next = entry.next
    else this.head = entry.next
    if (entry.next) entry.next.prev = entry.prev
    else this.tail = entry.prev
    entry.prev = entry.next = undefined
    this.size--
  }

  /** Removes and returns every value, oldest first. */
  drain(): T[] {
    const values: T[] = []
    while (this.head) values.push(this.shift() as T)
    return values
  }
}

/** One queued value and its neighbours. */
export interface Entry<T> {
  readonly value: T
  prev: Entry<T> | undefined
  next: Entry<T> | undefined
  queued: boolean
}
