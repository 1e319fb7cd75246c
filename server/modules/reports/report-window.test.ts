import { describe, expect, it } from 'vitest';
import { intersectWindows, windowSegments } from './report-window';

const d = (s: string) => new Date(s);

describe('windowSegments', () => {
  it.each([
    ['no window: all days', { since: null, until: null }, { days: { from: null, to: null }, raw: [] }],
    ['midnight to midnight: days only', { since: d('2026-05-01T00:00:00Z'), until: d('2026-05-03T00:00:00Z') }, { days: { from: '2026-05-01', to: '2026-05-03' }, raw: [] }],
    [
      'partial days at both edges',
      { since: d('2026-05-01T10:00:00Z'), until: d('2026-05-04T06:00:00Z') },
      {
        days: { from: '2026-05-02', to: '2026-05-04' },
        raw: [
          { from: d('2026-05-01T10:00:00Z'), to: d('2026-05-02T00:00:00Z') },
          { from: d('2026-05-04T00:00:00Z'), to: d('2026-05-04T06:00:00Z') },
        ],
      },
    ],
    ['within one day: the log only', { since: d('2026-05-01T10:00:00Z'), until: d('2026-05-01T12:00:00Z') }, { days: null, raw: [{ from: d('2026-05-01T10:00:00Z'), to: d('2026-05-01T12:00:00Z') }] }],
    [
      'across one midnight, no whole day',
      { since: d('2026-05-01T22:00:00Z'), until: d('2026-05-02T02:00:00Z') },
      { days: null, raw: [{ from: d('2026-05-01T22:00:00Z'), to: d('2026-05-02T02:00:00Z') }] },
    ],
    ['open end', { since: d('2026-05-01T10:00:00Z'), until: null }, { days: { from: '2026-05-02', to: null }, raw: [{ from: d('2026-05-01T10:00:00Z'), to: d('2026-05-02T00:00:00Z') }] }],
    ['open start', { since: null, until: d('2026-05-01T10:00:00Z') }, { days: { from: null, to: '2026-05-01' }, raw: [{ from: d('2026-05-01T00:00:00Z'), to: d('2026-05-01T10:00:00Z') }] }],
    ['empty', { since: d('2026-05-02T00:00:00Z'), until: d('2026-05-02T00:00:00Z') }, { days: null, raw: [] }],
  ])('%s', (_name, w, expected) => {
    expect(windowSegments(w)).toEqual(expected);
  });
});

describe('intersectWindows', () => {
  it('keeps the later start and the earlier end', () => {
    expect(intersectWindows({ since: d('2026-05-01T00:00:00Z'), until: null }, { since: d('2026-04-01T00:00:00Z'), until: d('2026-05-10T00:00:00Z') })).toEqual({
      since: d('2026-05-01T00:00:00Z'),
      until: d('2026-05-10T00:00:00Z'),
    });
  });
});
