/** The GraphQL schema: the builder plus every domain module's types. */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder';
import './errors';
import '../modules/health/health.graphql';
import '../modules/audit/audit.graphql';
import '../modules/evaluation/evaluation.graphql';
import '../modules/approvals/approval.graphql';
import '../modules/registry/registry.graphql';
import '../modules/reports/reports.graphql';
import '../modules/rescan/rescan.graphql';
import '../modules/governance/governance.graphql';

export const schema: GraphQLSchema = builder.toSchema({ sortSchema: true });

/** The schema as committed in schema.graphql (sorted, so diffs stay small). */
export function printedSchema(): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
