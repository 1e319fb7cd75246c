/**
 * A line diff (longest common subsequence) for registry revisions: documents
 * are a few hundred lines, so the quadratic table is small. Unchanged runs
 * longer than the context are folded.
 */
export type DiffLine = { op: ' ' | '+' | '-' | '…'; text: string };

export function lineDiff(before: string, after: string, context = 2): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) out.push({ op: '+', text: b[j++] });
    else out.push({ op: '-', text: a[i++] });
  }
  // Fold unchanged lines far from any change.
  const near = out.map(() => false);
  out.forEach((l, k) => {
    if (l.op !== ' ') for (let d = -context; d <= context; d++) if (out[k + d]) near[k + d] = true;
  });
  const folded: DiffLine[] = [];
  out.forEach((l, k) => {
    if (near[k]) folded.push(l);
    else if (folded[folded.length - 1]?.op !== '…') folded.push({ op: '…', text: '' });
  });
  return folded;
}
