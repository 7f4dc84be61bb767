/**
 * A binary min-heap of (position, name) entries: the smallest position on top in O(log n). The
 * family index keeps one per parent for its waitable zombies, so that waitid(P_ALL) finds the
 * first of them in the kernel's list order without walking the children (which the kernel does,
 * but a model of 32,000 children should not pay for on every wait).
 */
export interface HeapEntry {
  position: number;
  name: string;
}

export class PositionHeap {
  readonly #entries: HeapEntry[] = [];

  get size(): number {
    return this.#entries.length;
  }

  push(entry: HeapEntry): void {
    const a = this.#entries;
    a.push(entry);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (a[up]!.position <= entry.position) break;
      a[i] = a[up]!;
      i = up;
    }
    a[i] = entry;
  }

  peek(): HeapEntry | undefined {
    return this.#entries[0];
  }

  pop(): HeapEntry | undefined {
    const a = this.#entries;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= a.length) break;
      const right = left + 1;
      const child = right < a.length && a[right]!.position < a[left]!.position ? right : left;
      if (a[child]!.position >= last.position) break;
      a[i] = a[child]!;
      i = child;
    }
    a[i] = last;
    return top;
  }
}
