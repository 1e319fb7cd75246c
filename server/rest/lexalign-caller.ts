/**
 * lex-align's identity headers: `X-LexAlign-Project` (required where lex-align
 * requires it; missing or blank → 400 naming the header) and the optional
 * agent model/version (trimmed, blank → null).
 */
import type { RequestContext } from '../context';
import { callerFor, type Caller } from '../modules/auth/caller';
import { ValidationError } from '../shared/errors';

const MAX_HEADER = 200;

function header(ctx: RequestContext, name: string): string | null {
  const v = ctx.headers.get(name);
  if (v === null) return null;
  const t = v.trim();
  if (t === '') return null;
  if (t.length > MAX_HEADER) throw new ValidationError(`${name} header is longer than ${MAX_HEADER} characters.`, name);
  return t;
}

export function lexAlignCaller(ctx: RequestContext): Caller {
  const project = header(ctx, 'X-LexAlign-Project');
  if (!project) throw new ValidationError('X-LexAlign-Project header is required.', 'X-LexAlign-Project');
  return callerFor(ctx, {
    project,
    agentModel: header(ctx, 'X-LexAlign-Agent-Model'),
    agentVersion: header(ctx, 'X-LexAlign-Agent-Version'),
  });
}
