/**
 * The one table that maps DomainError codes to HTTP statuses, and the two
 * error body dialects the REST shims speak: lex-align's `{detail}` and
 * Novyx's `{error, code, message}`.
 */
import { DomainError, UnprocessableError, type DomainErrorCode } from '../shared/errors';

export const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  validation_failed: 400,
  unprocessable: 422,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unauthorized: 401,
  unavailable: 503,
  payload_too_large: 413,
  bad_gateway: 502,
};

export type ErrorDialect = 'lexalign' | 'novyx';

/**
 * A REST answer as plain data: the node:http server writes it directly and
 * `app.fetch` wraps it in a `Response` (no body stream in between).
 */
export interface RestResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): RestResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }, body: JSON.stringify(body) };
}

/** The response for a refused request, in the route's dialect. */
export function errorResponse(err: DomainError, dialect: ErrorDialect): RestResponse {
  const status = STATUS_BY_CODE[err.code];
  if (dialect === 'novyx') {
    const code = typeof err.details.novyxCode === 'string' ? err.details.novyxCode : err.code;
    return json({ error: code, code, message: err.message, ...(err.field ? { field: err.field } : {}) }, status);
  }
  if (err instanceof UnprocessableError) {
    // FastAPI's validation body, which lex-align clients already parse.
    return json({ detail: [{ type: 'value_error', loc: [err.location, err.field], msg: err.message, input: err.input }] }, status);
  }
  return json({ detail: err.message, ...(err.field ? { field: err.field } : {}) }, status);
}

/** The response for a bug: logged by the caller, masked here. */
export function internalErrorResponse(dialect: ErrorDialect): RestResponse {
  if (dialect === 'novyx') {
    return json({ error: 'internal_error', code: 'internal_error', message: 'Internal server error' }, 500);
  }
  return json({ detail: 'Internal server error' }, 500);
}
