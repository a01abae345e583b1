/**
 * Import boundaries (docs/ARCHITECTURE.md) and the cycle check. Each rule says why it exists.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles make modules impossible to load, test or reason about alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-not-to-apps',
      severity: 'error',
      comment: 'Dependencies point from apps to packages, never back: packages are reusable libraries.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'pure-packages-no-io',
      severity: 'error',
      comment: 'fhir, fhir-validator, hl7v2, ccda, matching, consent and audit are pure: no database, network or file I/O at run time.',
      from: { path: '^packages/(fhir|fhir-validator|hl7v2|ccda|matching|consent|audit)/src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(packages/db|node_modules/(pg|@electric-sql|fastify))', dependencyTypes: ['npm', 'local', 'aliased-workspace', 'aliased'] },
    },
    {
      name: 'features-through-index',
      severity: 'error',
      comment: 'A server feature uses another feature only through that feature\'s index.ts, its public surface.',
      from: { path: '^apps/server/src/features/([^/]+)/' },
      to: { path: '^apps/server/src/features/([^/]+)/', pathNot: ['^apps/server/src/features/$1/', '^apps/server/src/features/[^/]+/index\\.ts$'] },
    },
    {
      name: 'no-test-support-in-production',
      severity: 'error',
      comment: 'Test helpers are for tests only.',
      from: { path: '^(apps|packages)/', pathNot: '(\\.test\\.ts|/test-fixtures?\\.ts|/test-support\\.ts)$' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.json'] },
    exclude: { path: '(node_modules|generated|apps/web/dist)' },
  },
};
