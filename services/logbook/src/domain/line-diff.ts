/** One run of changed lines with the unchanged ones around it, as in a unified diff (`' '`, `'-'`, `'+'` prefixes). */
export interface DiffHunk {
  /** 1-based line of the previous revision where the hunk starts (0 when the previous revision is empty). */
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

export interface LineDiff {
  added: number;
  removed: number;
  hunks: DiffHunk[];
}

type Op = { kind: ' ' | '-' | '+'; text: string };

/** Unchanged lines shown around each change. */
const CONTEXT_LINES = 3;
/**
 * Past this many changed lines the middle of the texts is shown as removed, then added, instead of
 * searching further for the shortest edit (which costs the square of the changes in time and memory).
 */
const MAX_EDIT_DISTANCE = 500;

/** How `after` differs from `before`, line by line (Myers' shortest edit script between their common ends). */
export function lineDiff(before: string, after: string): LineDiff {
  const a = linesOf(before);
  const b = linesOf(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const ops: Op[] = [
    ...a.slice(0, start).map((text) => ({ kind: ' ' as const, text })),
    ...editScript(a.slice(start, a.length - end), b.slice(start, b.length - end)),
    ...a.slice(a.length - end).map((text) => ({ kind: ' ' as const, text })),
  ];
  return {
    added: ops.filter((op) => op.kind === '+').length,
    removed: ops.filter((op) => op.kind === '-').length,
    hunks: hunksOf(ops),
  };
}

function linesOf(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

function editScript(a: string[], b: string[]): Op[] {
  const removeAll = (): Op[] => [...a.map((text) => ({ kind: '-' as const, text })), ...b.map((text) => ({ kind: '+' as const, text }))];
  const maxD = Math.min(a.length + b.length, MAX_EDIT_DISTANCE);
  if (a.length === 0 || b.length === 0) return removeAll();
  // furthest[offset + k]: the furthest x reached on diagonal k (x - y = k); trace[d] keeps diagonals -d-1..d+1 before step d.
  const offset = maxD + 1;
  const furthest = new Int32Array(2 * maxD + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= maxD; d++) {
    trace.push(furthest.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && furthest[offset + k - 1] < furthest[offset + k + 1]) ? furthest[offset + k + 1] : furthest[offset + k - 1] + 1;
      let y = x - k;
      while (x < a.length && y < b.length && a[x] === b[y]) {
        x++;
        y++;
      }
      furthest[offset + k] = x;
      if (x >= a.length && y >= b.length) return backtrack(trace, a, b);
    }
  }
  return removeAll();
}

function backtrack(trace: Int32Array[], a: string[], b: string[]): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const at = (k: number) => trace[d][k + d + 1];
    const k = x - y;
    const previousK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      x--;
      y--;
      ops.push({ kind: ' ', text: a[x] });
    }
    if (d > 0) ops.push(x === previousX ? { kind: '+', text: b[--y] } : { kind: '-', text: a[--x] });
    x = previousX;
    y = previousY;
  }
  return ops.reverse();
}

/** Groups the changes into hunks with up to three unchanged lines around each; close changes share a hunk. */
function hunksOf(ops: Op[]): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  let oldLine = 0;
  let newLine = 0;
  /** Line numbers before each op, to start a hunk anywhere. */
  const positions = ops.map((op) => {
    const position = { oldLine, newLine };
    if (op.kind !== '+') oldLine++;
    if (op.kind !== '-') newLine++;
    return position;
  });
  let index = 0;
  while (index < ops.length) {
    if (ops[index].kind === ' ') {
      index++;
      continue;
    }
    const first = Math.max(0, index - CONTEXT_LINES);
    let last = index;
    // Extend through every change whose context touches this hunk's.
    for (let next = index + 1; next < ops.length && next <= last + 2 * CONTEXT_LINES; next++) {
      if (ops[next].kind !== ' ') last = next;
    }
    const end = Math.min(ops.length, last + CONTEXT_LINES + 1);
    const slice = ops.slice(first, end);
    const oldLines = slice.filter((op) => op.kind !== '+').length;
    const newLines = slice.filter((op) => op.kind !== '-').length;
    hunks.push({
      oldStart: oldLines === 0 ? positions[first].oldLine : positions[first].oldLine + 1,
      oldLines,
      newStart: newLines === 0 ? positions[first].newLine : positions[first].newLine + 1,
      newLines,
      lines: slice.map((op) => `${op.kind}${op.text}`),
    });
    index = end;
  }
  return hunks;
}
