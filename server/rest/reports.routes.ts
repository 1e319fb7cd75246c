/** lex-align report shims (SPEC §6): `?project=` plus our additive `since`/`until` (ISO-8601), one service call each. */
import type { ReportQuery } from '../modules/reports/reports.service';
import { agentsReportToWire, legalReportToWire, projectsReportToWire, securityReportToWire } from '../modules/reports/reports.wire';
import { DomainError, UnprocessableError } from '../shared/errors';
import { json } from './http-errors';
import type { Route, RouteInput } from './router';

function single(url: URL, name: string): string | null {
  const all = url.searchParams.getAll(name);
  if (all.length > 1) throw new UnprocessableError(`${name}: give it once`, name, 'query', all);
  return all[0] ?? null;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A date (`2026-05-01`, UTC midnight) or a date-time with its zone; an unescaped `+` arrives as a space. */
function instant(url: URL, name: string): Date | null {
  const given = single(url, name)?.trim();
  if (!given) return null;
  const raw = given.replace(/ (\d{2}:\d{2})$/, '+$1');
  const d = new Date(raw);
  if (!INSTANT.test(raw) || Number.isNaN(d.getTime())) {
    throw new UnprocessableError(`${name}: "${given}" is not an ISO-8601 date or a date-time with a zone (e.g. 2026-05-01T00:00:00Z)`, name, 'query', given);
  }
  return d;
}

/** The common query parameters; a parameter the service refuses becomes a 422 naming it. */
function reportQuery(url: URL): ReportQuery {
  return { project: single(url, 'project'), since: instant(url, 'since'), until: instant(url, 'until') };
}

async function asQueryError<T>(url: URL, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof DomainError && e.code === 'validation_failed' && e.field) {
      throw new UnprocessableError(e.message, e.field, 'query', url.searchParams.get(e.field));
    }
    throw e;
  }
}

const report =
  <T>(run: (i: RouteInput, q: ReportQuery) => Promise<T>, wire: (r: T) => unknown) =>
  async (i: RouteInput) =>
    json(wire(await asQueryError(i.url, () => run(i, reportQuery(i.url)))));

export const reportRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/reports/legal',
    dialect: 'lexalign',
    handler: report(({ ctx }, q) => ctx.services.reports.legal(ctx.em(), ctx.tenant.id, q), legalReportToWire),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/security',
    dialect: 'lexalign',
    handler: report(({ ctx }, q) => ctx.services.reports.security(ctx.em(), ctx.tenant.id, q), securityReportToWire),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/agents',
    dialect: 'lexalign',
    handler: report(({ ctx }, q) => ctx.services.reports.agents(ctx.em(), ctx.tenant.id, q), agentsReportToWire),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/projects',
    dialect: 'lexalign',
    handler: report(({ ctx }, q) => ctx.services.reports.projects(ctx.em(), ctx.tenant.id, q), projectsReportToWire),
  },
];
