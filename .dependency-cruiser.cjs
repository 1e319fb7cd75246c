/**
 * Import rules checked by `npm run lint:deps` (and by `npm test`):
 * - `db/` holds connections only: it imports nothing from the rest of the
 *   server (modules, transports, the composition root); a module that
 *   infrastructure must call back into exposes a port instead.
 * - No import cycles, type-only imports included: a cycle of types is no
 *   problem at run time, but it is the same knot in the design (the vocabulary
 *   sits in the wrong file), so it is refused too.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'db-imports-no-module',
      comment: 'server/db/ holds connections only; it imports nothing of the server above it (modules, transports, composition root).',
      severity: 'error',
      from: { path: '^server/db/' },
      to: { path: '^server/', pathNot: '^server/(db|shared)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles (type-only imports count too).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a moved file left an import behind).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // scripts/fixtures holds files that fail on purpose (a test file importing a missing module).
    exclude: { path: '(^|/)(node_modules|site/dist|site/\\.astro|scripts/fixtures)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
