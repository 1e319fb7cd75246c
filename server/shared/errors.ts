/**
 * Expected failures are DomainErrors with a stable code; each transport maps
 * the code to a status in one table (rest/http-errors.ts, graphql error types).
 * Anything else is a bug: logged, masked, 500.
 */
export const DOMAIN_ERROR_CODES = [
  'validation_failed',
  /** Well-formed request whose parameters are unusable (lex-align's FastAPI 422). */
  'unprocessable',
  'not_found',
  'conflict',
  'forbidden',
  'unauthorized',
  'unavailable',
  'payload_too_large',
  /** A backend we depend on (a proposer's git or GitHub API) failed. */
  'bad_gateway',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The input field the error is about, when there is one. */
    readonly field: string | null = null,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, field: string | null = null, details: Record<string, unknown> = {}) {
    super('validation_failed', message, field, details);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('not_found', message, null, details);
    this.name = 'NotFoundError';
  }
}

/** A request parameter that cannot be used; REST answers 422 in FastAPI's shape. */
export class UnprocessableError extends DomainError {
  constructor(
    message: string,
    field: string,
    readonly location: 'query' | 'body' | 'header' | 'path',
    readonly input: unknown = null,
  ) {
    super('unprocessable', message, field);
    this.name = 'UnprocessableError';
  }
}
