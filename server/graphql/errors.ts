/**
 * GraphQL error types: expected failures are typed results (the errors
 * plugin), one object type per DomainError family.
 */
import { DomainError } from '../shared/errors';
import { builder } from './builder';

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure: the request was understood and refused.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for a person or an agent.' }),
    code: t.exposeString('code', { description: 'A stable machine-readable code.' }),
  }),
});

builder.objectType(DomainError, {
  name: 'DomainError',
  description: 'A refused operation with a stable code.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof DomainError,
  fields: (t) => ({
    field: t.exposeString('field', { nullable: true, description: 'The input field the error is about, when there is one.' }),
  }),
});
