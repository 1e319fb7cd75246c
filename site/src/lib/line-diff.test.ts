import { describe, expect, it } from 'vitest';
import { licenseFamily } from '../islands/LegalDashboard';
import { lineDiff } from './line-diff';

describe('lineDiff', () => {
  it('marks added, removed and kept lines in order', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd', 5)).toEqual([
      { op: ' ', text: 'a' },
      { op: '+', text: 'B' },
      { op: '-', text: 'b' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ]);
  });

  it('folds unchanged runs far from a change, once per run', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const after = before.replace('l10', 'L10');
    const d = lineDiff(before, after, 1);
    expect(d.map((l) => l.op)).toEqual(['…', ' ', '+', '-', ' ', '…']);
    expect(d.filter((l) => l.op === '…')).toHaveLength(2);
    expect(d.filter((l) => l.op === '+')).toEqual([{ op: '+', text: 'L10' }]);
    expect(d.filter((l) => l.op === '-')).toEqual([{ op: '-', text: 'l10' }]);
  });

  it('folds identical documents to one marker', () => {
    expect(lineDiff('', '')).toEqual([{ op: '…', text: '' }]);
    expect(lineDiff('a\nb', 'a\nb')).toEqual([{ op: '…', text: '' }]);
  });
});

describe('licenseFamily', () => {
  it.each([
    ['GPL-3.0-only', 'copyleft'],
    ['AGPL-3.0-or-later', 'copyleft'],
    ['LGPL-2.1-only', 'copyleft'],
    ['MIT', 'permissive'],
    ['Apache-2.0', 'permissive'],
    ['BSD-3-Clause', 'permissive'],
    ['ISC', 'permissive'],
    ['UNKNOWN', 'unknown'],
    ['MPL-2.0', null],
  ])('%s is %s', (license, family) => {
    expect(licenseFamily(license)).toBe(family);
  });
});
