/**
 * The layer rules, as configuration that fails `npm test` when broken (see docs/ARCHITECTURE.md for the picture):
 *
 *   bin/ (entry points) → api/, worker/ → workflows/ → activities/ (types only) → src/ (domain and infrastructure)
 *
 * sandboxes/ and devstack/ are development tools beside the product: production never imports them.
 */
const PRODUCTION = '^(bin|api|worker|workflows|activities|src)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No circle, at file level (and so at folder level).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'production-not-to-dev-tools',
      severity: 'error',
      comment: 'Production code never imports the sandboxes, the dev-stack helpers, tests, benches or scripts.',
      from: { path: PRODUCTION },
      to: { path: '^(sandboxes|devstack|test|bench|scripts)/' },
    },
    {
      name: 'src-is-the-bottom',
      severity: 'error',
      comment: 'src/ is the domain and infrastructure everyone uses: it imports none of the layers above it.',
      from: { path: '^src/' },
      to: { path: '^(bin|api|worker|workflows|activities)/' },
    },
    {
      name: 'activities-below-workflows',
      severity: 'error',
      comment: 'Activities touch the world through src/; they never import workflows, the API, the worker or entry points.',
      from: { path: '^activities/' },
      to: { path: '^(bin|api|worker|workflows)/' },
    },
    {
      name: 'workflows-below-api-and-worker',
      severity: 'error',
      comment: 'Workflows are orchestration only: nothing of the API, the worker or the entry points.',
      from: { path: '^workflows/' },
      to: { path: '^(bin|api|worker)/' },
    },
    {
      name: 'workflows-import-activities-as-types',
      severity: 'error',
      comment: 'Workflows reach activities through proxyActivities: `import type` only, so no activity code enters the bundle.',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'api-and-worker-side-by-side',
      severity: 'error',
      comment: 'The API and the worker are two processes: neither imports the other, nor an entry point.',
      from: { path: '^api/' },
      to: { path: '^(bin|worker|activities)/' },
    },
    {
      name: 'worker-not-to-api',
      severity: 'error',
      from: { path: '^worker/' },
      to: { path: '^(bin|api)/' },
    },
    {
      name: 'production-not-to-dev-dependencies',
      severity: 'error',
      comment: 'Production code uses production dependencies only (the image installs nothing else).',
      from: { path: PRODUCTION },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sql-in-repositories',
      severity: 'error',
      comment:
        'Every SQL statement sits in a repository (*-repository.ts), the ledger (src/ledger/) or src/db/: only they build queries with drizzle-orm.',
      from: { path: PRODUCTION, pathNot: '(-repository\\.ts$|^src/(ledger|db)/)' },
      to: { path: '(^|/)node_modules/drizzle-orm/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.data|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    moduleSystems: ['cjs', 'es6'],
  },
};
