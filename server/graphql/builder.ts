/**
 * The Pothos builder: plugins and scalars only; types live beside their
 * services in modules/<domain>/<domain>.graphql.ts.
 */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ZodPlugin from '@pothos/plugin-zod';
import { GraphQLError } from 'graphql';
import type { RequestContext } from '../context';

export const builder = new SchemaBuilder<{
  Context: RequestContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [ErrorsPlugin, ZodPlugin],
  defaultFieldNullability: false,
  errors: { defaultTypes: [] },
  zod: {
    // A bad argument is the caller's mistake: name the argument, do not mask it.
    validationError: (zodError) => {
      const issue = zodError.issues[0];
      const field = issue?.path.map(String).join('.') || 'input';
      return new GraphQLError(`${field}: ${issue?.message ?? 'invalid value'}`, {
        extensions: { code: 'BAD_USER_INPUT', field },
      });
    },
  },
});

builder.scalarType('DateTime', {
  description: 'An instant in time, as an ISO-8601 string in UTC (e.g. 2026-04-04T00:00:00.000Z).',
  serialize: (d) => (d instanceof Date ? d : new Date(String(d))).toISOString(),
  parseValue: (v) => {
    if (typeof v !== 'string') throw new GraphQLError('DateTime must be an ISO-8601 string');
    const d = new Date(v);
    if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(v)) {
      throw new GraphQLError(`"${v}" is not an ISO-8601 date-time`);
    }
    return d;
  },
});

builder.scalarType('JSON', {
  description: 'Arbitrary JSON (objects, arrays, strings, numbers, booleans or null).',
  serialize: (v) => v,
  parseValue: (v) => v,
});

builder.queryType({ description: 'Read access to lexgate: health, the audit log, reports.' });
