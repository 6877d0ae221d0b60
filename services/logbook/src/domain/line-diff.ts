import { structuredPatch } from 'diff';

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

/** Unchanged lines shown around each change. */
const CONTEXT_LINES = 3;
/**
 * Past this many changed lines the texts are shown as all removed, then all added, instead of searching
 * further for the shortest edit (which costs the square of the changes in time and memory).
 */
const MAX_EDIT_LENGTH = 500;

/** How `after` differs from `before`, line by line: jsdiff's shortest edit script, as unified diff hunks. */
export function lineDiff(before: string, after: string): LineDiff {
  // A final newline on both texts: a revision's last line is a line like the others, never "no newline at end of file".
  const patch = structuredPatch('', '', terminated(before), terminated(after), undefined, undefined, { context: CONTEXT_LINES, maxEditLength: MAX_EDIT_LENGTH });
  // An empty side starts at the line before it, as unified diffs write it (jsdiff does so only when formatting).
  const hunks = patch
    ? patch.hunks.map(({ oldStart, oldLines, newStart, newLines, lines }) => ({
        oldStart: oldLines === 0 ? oldStart - 1 : oldStart,
        oldLines,
        newStart: newLines === 0 ? newStart - 1 : newStart,
        newLines,
        lines,
      }))
    : rewrite(before, after);
  const count = (prefix: string) => hunks.reduce((sum, hunk) => sum + hunk.lines.filter((line) => line.startsWith(prefix)).length, 0);
  return { added: count('+'), removed: count('-'), hunks };
}

function terminated(text: string): string {
  return text === '' ? '' : `${text}\n`;
}

function rewrite(before: string, after: string): DiffHunk[] {
  const removed = before === '' ? [] : before.split('\n');
  const added = after === '' ? [] : after.split('\n');
  return [
    {
      oldStart: removed.length === 0 ? 0 : 1,
      oldLines: removed.length,
      newStart: added.length === 0 ? 0 : 1,
      newLines: added.length,
      lines: [...removed.map((line) => `-${line}`), ...added.map((line) => `+${line}`)],
    },
  ];
}
