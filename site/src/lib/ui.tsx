/**
 * Small building blocks shared by the dashboard islands: the panel frame with
 * its loading / empty / error / ready states and "Raw JSON" link, KPI tiles,
 * stacked bars and number formatting. Charts are inline SVG: no library.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CombinedError } from '@urql/core';
import { currentProject, withProject } from './project';

export type PanelState = 'loading' | 'error' | 'empty' | 'ready';

/** Window event islands send after a change, so the others on the page read again. */
export const CHANGED_EVENT = 'lexgate:changed';

export function announceChange(): void {
  if (typeof window !== 'undefined') window.dispatchEvent(new CustomEvent(CHANGED_EVENT));
}

/** A GraphQL union answer: the `data` of the success member, or the domain error's message. */
export function unwrap<T>(result: { __typename?: string; data?: T; message?: string } | null | undefined): { data: T | null; problem: string | null } {
  if (!result) return { data: null, problem: null };
  if ('data' in result && result.data !== undefined) return { data: result.data, problem: null };
  return { data: null, problem: result.message ?? 'The server refused the request.' };
}

export function errorText(error: CombinedError | undefined): string {
  if (!error) return '';
  return error.networkError ? 'the server did not answer' : error.message.replace(/^\[GraphQL\] /, '');
}

/** `path` (a REST endpoint) with this page's `?project=` added. */
export function apiHref(path: string, keepProject = true): string {
  return keepProject ? withProject(path, currentProject(), typeof location === 'undefined' ? 'http://localhost/' : location.href) : path;
}

export const nf = new Intl.NumberFormat('en');
export const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '–' : nf.format(n));
export const fmtCvss = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n.toFixed(1));
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

interface PanelProps {
  id: string;
  title: string;
  state: PanelState;
  /** Shown for the loading / empty states. */
  loadingText?: string;
  emptyText?: string;
  errorText?: string;
  /** REST endpoint behind this view. */
  raw?: string;
  actions?: ComponentChildren;
  wide?: boolean;
  children?: ComponentChildren;
}

/** A titled panel that shows exactly one of its four states; `data-state` lets tests wait for it. */
export function Panel(p: PanelProps) {
  return (
    <section
      class={p.wide ? 'panel panel-wide' : 'panel'}
      aria-labelledby={`${p.id}-title`}
      aria-busy={p.state === 'loading'}
      data-testid={p.id}
      data-state={p.state}
    >
      <div class="panel-head">
        <h2 id={`${p.id}-title`}>{p.title}</h2>
        <div class="panel-actions">
          {p.actions}
          {p.raw && (
            <a class="raw-link" href={p.raw} data-testid={`${p.id}-raw`}>
              JSON<span class="sr-only"> for {p.title}</span>
            </a>
          )}
        </div>
      </div>
      {p.state === 'loading' && <p class="notice">{p.loadingText ?? 'Loading…'}</p>}
      {p.state === 'error' && (
        <p class="notice notice-error" role="alert">
          Could not load {p.title.toLowerCase()}: {p.errorText}
        </p>
      )}
      {p.state === 'empty' && <p class="notice">{p.emptyText ?? 'Nothing to show yet.'}</p>}
      {p.state === 'ready' && p.children}
    </section>
  );
}

/** State of a query answer: error first, then loading, then empty when `isEmpty`. */
export function stateOf(opts: { fetching: boolean; error?: CombinedError; problem?: string | null; hasData: boolean; isEmpty?: boolean }): PanelState {
  if (opts.error || opts.problem) return 'error';
  if (!opts.hasData) return 'loading';
  return opts.isEmpty ? 'empty' : 'ready';
}

export function Kpi(p: { label: string; value: number; testId: string; tone?: 'bad' | 'warn' | 'ok' | 'critical'; hint?: string }) {
  return (
    <div class={`kpi${p.tone ? ` kpi-${p.tone}` : ''}`}>
      <span class="kpi-value" data-testid={p.testId} data-value={p.value}>
        {fmt(p.value)}
      </span>
      <span class="kpi-label">{p.label}</span>
      {p.hint && <span class="kpi-hint">{p.hint}</span>}
    </div>
  );
}

export interface Segment {
  label: string;
  value: number;
  /** CSS class for the fill colour. */
  tone: 'ok' | 'warn' | 'bad' | 'info' | 'muted' | 'critical';
}

/** One horizontal bar split into segments, as inline SVG with a text equivalent. */
export function StackedBar(p: { segments: Segment[]; width?: number }) {
  const total = p.segments.reduce((n, s) => n + s.value, 0);
  const w = p.width ?? 160;
  let x = 0;
  const label = p.segments.map((s) => `${s.label} ${s.value}`).join(', ');
  return (
    <svg class="stacked" width={w} height="12" viewBox={`0 0 ${w} 12`} role="img" aria-label={label}>
      <title>{label}</title>
      <rect width={w} height="12" class="fill-track" rx="2" />
      {total > 0 &&
        p.segments.map((s) => {
          const sw = (s.value / total) * w;
          const r = <rect x={x} width={sw} height="12" class={`fill-${s.tone}`} />;
          x += sw;
          return r;
        })}
    </svg>
  );
}

/** Horizontal bar chart of labelled counts (severity bars and the like). */
export function BarList(p: { items: { label: string; value: number; tone: Segment['tone'] }[]; testId: string }) {
  const max = Math.max(1, ...p.items.map((i) => i.value));
  return (
    <ul class="barlist" data-testid={p.testId}>
      {p.items.map((i) => (
        <li>
          <span class="barlist-label">{i.label}</span>
          <svg class="barlist-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
            <rect width={(i.value / max) * 100} height="10" class={`fill-${i.tone}`} />
          </svg>
          <span class="barlist-value" data-value={i.value}>
            {fmt(i.value)}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function Legend(p: { items: { label: string; tone: Segment['tone'] }[] }) {
  return (
    <ul class="legend" aria-label="Legend">
      {p.items.map((i) => (
        <li>
          <span class={`swatch fill-${i.tone}`} aria-hidden="true" />
          {i.label}
        </li>
      ))}
    </ul>
  );
}

/** Wraps a wide table so it scrolls inside its panel on a narrow window. */
export function TableWrap(p: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={p.label} tabIndex={0}>
      {p.children}
    </div>
  );
}

/** Ask again (from the network) whenever another island announces a change. */
export function useRefetchOnChange(reexecute: (opts: { requestPolicy: 'network-only' }) => void): void {
  useEffect(() => {
    const again = () => reexecute({ requestPolicy: 'network-only' });
    window.addEventListener(CHANGED_EVENT, again);
    return () => window.removeEventListener(CHANGED_EVENT, again);
  }, [reexecute]);
}

/** "claude-opus 4.7", or "unknown agent" when a row carries no identity. */
export function agentLabel(model: string | null | undefined, version: string | null | undefined): string {
  if (!model && !version) return 'unknown agent';
  return [model ?? '?', version ?? ''].join(' ').trim();
}

/** Long lists show their head first; "Show more" reveals the next page of rows. */
export function useShowMore(step = 25): [number, () => void] {
  const [limit, setLimit] = useState(step);
  return [limit, () => setLimit((n) => n + step * 4)];
}

export function ShowMore(p: { shown: number; total: number; onMore: () => void; testId?: string }) {
  if (p.total <= p.shown) return null;
  return (
    <p class="show-more">
      <span class="muted small">
        Showing {fmt(p.shown)} of {fmt(p.total)}.
      </span>{' '}
      <button type="button" class="button-quiet" onClick={p.onMore} data-testid={p.testId}>
        Show more
      </button>
    </p>
  );
}
