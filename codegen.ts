/**
 * graphql-codegen for the dashboard site: typed documents for the islands,
 * generated from the committed schema.graphql (never from a running server,
 * so codegen works offline and in CI). The output in site/src/gql/ is
 * committed; `npm run codegen:check` fails when it is stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

/** Where the client preset writes; scripts/codegen-check.ts regenerates it elsewhere and compares. */
export const GQL_OUTPUT_DIR = 'site/src/gql/';

const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema.graphql',
  // The generated folder holds `graphql()` calls of its own; scanning it would
  // feed codegen its own output.
  documents: ['site/src/**/*.{ts,tsx,astro}', `!${GQL_OUTPUT_DIR}**/*`],
  ignoreNoDocuments: false,
  generates: {
    [GQL_OUTPUT_DIR]: {
      preset: 'client',
      config: {
        // `import type` for every type-only import, so nothing from `graphql`
        // (the server-side library) ends up in a page bundle.
        useTypeImports: true,
        // typescript-operations 6 replaced `enumsAsTypes: true` with this:
        // GraphQL enums become string-literal unions, never TS `enum`s.
        enumType: 'string-literal',
        // An unmapped custom scalar is a build error, not a silent `any`.
        strictScalars: true,
        scalars: {
          DateTime: 'string',
          JSON: 'unknown',
        },
        defaultScalarType: 'unknown',
      },
    },
  },
};

export default config;
