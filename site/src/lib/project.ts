/**
 * The `?project=` filter every dashboard page honours (the value clients send
 * as X-LexAlign-Project). The URL is the only place it lives, so a filtered
 * page can be bookmarked or shared, and every island on a page reads the same
 * value when it mounts.
 */

/** The query parameter that carries the project filter. */
export const PROJECT_PARAM = 'project';

/** Normalise user input: surrounding blanks are not part of a project name; blank means "all projects". */
export function normalizeProject(value: string | null | undefined): string | null {
  const trimmed = (value ?? '').trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * The project filter in a query string or URL, or null for "all projects".
 * @param search a `location.search` string, a URLSearchParams, or a URL
 */
export function readProject(search: string | URLSearchParams | URL): string | null {
  const params =
    search instanceof URL ? search.searchParams : search instanceof URLSearchParams ? search : new URLSearchParams(search);
  return normalizeProject(params.get(PROJECT_PARAM));
}

/**
 * `href` with its `?project=` set to `project` (or removed when null/blank);
 * other query parameters and the fragment are kept.
 * @param href an absolute URL, or a path resolved against `base`
 * @returns a path-relative string for same-origin targets, else the absolute URL
 */
export function withProject(href: string, project: string | null, base = 'http://localhost/'): string {
  const url = new URL(href, base);
  const value = normalizeProject(project);
  if (value === null) url.searchParams.delete(PROJECT_PARAM);
  else url.searchParams.set(PROJECT_PARAM, value);
  const sameOrigin = url.origin === new URL(base).origin;
  return sameOrigin ? `${url.pathname}${url.search}${url.hash}` : url.toString();
}

/** The project filter of the page the browser is showing (null outside a browser). */
export function currentProject(): string | null {
  return typeof window === 'undefined' ? null : readProject(window.location.search);
}
