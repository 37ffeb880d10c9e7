/**
 * Places edge labels of a diagram where they overlap no state box and no other label: each
 * label tries its candidate positions in order (e.g. points along its edge), and when all are
 * taken, the first one moved down line by line until it is free.
 */

/** A rectangle in px. */
export interface Box {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** Width of one character of a label (10.5 px system-ui), generous so real text fits its box. */
export const LABEL_CHAR_PX = 6.1
/** Height of one line of a label. */
export const LABEL_LINE_PX = 12

/** The size of a label of `lines`. */
export function labelSize(lines: readonly string[]): { width: number; height: number } {
  return { width: Math.max(...lines.map((line) => line.length)) * LABEL_CHAR_PX + 4, height: lines.length * LABEL_LINE_PX + 2 }
}

/** Splits a long `EVENT [guard] / actions` label before its actions, so it takes two short lines. */
export function wrapLabel(label: string, maxChars = 30): string[] {
  const cut = label.indexOf(' / ')
  return label.length > maxChars && cut > 0 ? [label.slice(0, cut), label.slice(cut + 1)] : [label]
}

/** Keeps the boxes taken so far and finds free room for each new label. */
export class LabelPlacer {
  private readonly taken: Box[]

  constructor(obstacles: readonly Box[]) {
    this.taken = [...obstacles]
  }

  /** Places a label of `size` centred on the first free candidate (centres, in order); returns its box. */
  place(size: { width: number; height: number }, candidates: readonly { x: number; y: number }[]): Box {
    const boxAt = ({ x, y }: { x: number; y: number }): Box => ({ x: x - size.width / 2, y: y - size.height / 2, width: size.width, height: size.height })
    let box = candidates.map(boxAt).find((candidate) => this.isFree(candidate))
    if (!box) {
      const first = candidates[0]!
      for (let down = LABEL_LINE_PX; !box; down += LABEL_LINE_PX / 2) {
        const moved = boxAt({ x: first.x, y: first.y + down })
        if (this.isFree(moved)) box = moved
      }
    }
    this.taken.push(box)
    return box
  }

  /** The union of every box taken (obstacles and labels). */
  extent(): Box {
    const right = Math.max(...this.taken.map((b) => b.x + b.width))
    const bottom = Math.max(...this.taken.map((b) => b.y + b.height))
    const left = Math.min(...this.taken.map((b) => b.x))
    const top = Math.min(...this.taken.map((b) => b.y))
    return { x: left, y: top, width: right - left, height: bottom - top }
  }

  private isFree(box: Box): boolean {
    return box.x >= 2 && this.taken.every((other) => !overlaps(box, other))
  }
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}
