/**
 * Report time windows over daily rollups. A window [since, until) is read as
 * the whole UTC days inside it (from the rollups) plus the partial days at its
 * edges (from the audit log itself), so any window is exact and the common
 * case — no window, or one that starts and ends at midnight — reads rollups only.
 */

export interface ReportWindow {
  /** Rows at or after this instant (null: from the beginning). */
  since: Date | null;
  /** Rows before this instant (null: up to now). */
  until: Date | null;
}

export interface WindowSegments {
  /** Whole UTC days to read from the rollups: day >= from and day < to ('YYYY-MM-DD'; null: unbounded); null: none. */
  days: { from: string | null; to: string | null } | null;
  /** Instants to read from the audit log: ts >= from and ts < to. */
  raw: { from: Date; to: Date }[];
}

const DAY_MS = 86_400_000;

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const floorDay = (d: Date) => Math.floor(d.getTime() / DAY_MS) * DAY_MS;
const ceilDay = (d: Date) => Math.ceil(d.getTime() / DAY_MS) * DAY_MS;

/** Split a window into rollup days and raw edges. */
export function windowSegments(w: ReportWindow): WindowSegments {
  if (w.since && w.until && w.since.getTime() >= w.until.getTime()) return { days: null, raw: [] };
  const d1 = w.since ? ceilDay(w.since) : null;
  const d2 = w.until ? floorDay(w.until) : null;
  if (d1 !== null && d2 !== null && d1 >= d2) {
    // Within one day (or across one midnight with no whole day inside): the log only.
    return { days: null, raw: [{ from: w.since!, to: w.until! }] };
  }
  const raw: { from: Date; to: Date }[] = [];
  if (w.since && d1 !== null && w.since.getTime() < d1) raw.push({ from: w.since, to: new Date(d1) });
  if (w.until && d2 !== null && d2 < w.until.getTime()) raw.push({ from: new Date(d2), to: w.until });
  return { days: { from: d1 === null ? null : dayText(d1), to: d2 === null ? null : dayText(d2) }, raw };
}

/** The intersection of two windows. */
export function intersectWindows(a: ReportWindow, b: ReportWindow): ReportWindow {
  const later = (x: Date | null, y: Date | null) => (x === null ? y : y === null ? x : x > y ? x : y);
  const earlier = (x: Date | null, y: Date | null) => (x === null ? y : y === null ? x : x < y ? x : y);
  return { since: later(a.since, b.since), until: earlier(a.until, b.until) };
}
