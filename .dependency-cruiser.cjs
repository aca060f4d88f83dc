/**
 * The API's architecture as rules `npm run lint` keeps (dependency-cruiser):
 * - shared layers (errors, infra, http, auth, ledger, config) never import a capability;
 * - a capability reaches another only through that folder's index.ts, its public API;
 * - a capability's domain (everything but its routes and schemas) knows nothing of HTTP;
 * - the API reaches the devnet emulator only from its embedded launcher;
 * - no import cycles anywhere.
 */
const FEATURES = '(consent|vault|audit|exchange|organizations|webhooks|health|rights|rectification|sign-in|repair|retention|passkeys|breaches|notices)';
const SHARED = '^api/src/(errors|infra|http|auth|ledger)/|^api/src/(config|ids)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle ties two parts together so neither can be understood or tested alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-cycles-between-folders',
      severity: 'error',
      comment: 'Two capabilities that import each other are one capability in two folders.',
      scope: 'folder',
      from: { path: '^api/src/' },
      to: { circular: true },
    },
    {
      name: 'shared-never-imports-a-capability',
      severity: 'error',
      comment: 'Shared layers sit below the capabilities; the composition root (api/src/app) wires capabilities together.',
      from: { path: SHARED },
      to: { path: `^api/src/${FEATURES}/` },
    },
    {
      name: 'capabilities-meet-through-index',
      severity: 'error',
      comment: "A capability's index.ts is its public API; its adapters and helpers stay private.",
      from: { path: `^api/src/${FEATURES}/` },
      to: { path: `^api/src/${FEATURES}/`, pathNot: ['^api/src/$1/', `^api/src/${FEATURES}/index\\.ts$`] },
    },
    {
      name: 'domain-knows-no-http',
      severity: 'error',
      comment: 'Services throw DomainError; HTTP statuses are decided only in the error handler, and only routes and schemas speak HTTP.',
      from: { path: `^api/src/${FEATURES}/`, pathNot: ['-routes\\.ts$', '-schemas\\.ts$', '/index\\.ts$'] },
      to: { path: ['^api/src/http/', '^express$', 'node_modules/express/'] },
    },
    {
      name: 'nothing-imports-the-composition-root',
      severity: 'error',
      comment: 'Only the launcher and the package entry point start the composition.',
      from: { path: '^api/src/', pathNot: '^api/src/(app/|main\\.ts$|index\\.ts$)' },
      to: { path: '^api/src/(app/|main\\.ts$)' },
    },
    {
      name: 'api-runs-without-the-devnet',
      severity: 'error',
      comment:
        'The devnet is an emulator for development; the API needs only @citizen-vault/ledger-format at run time. Only the embedded launcher and its thread start the devnet.',
      from: { path: '^api/src/', pathNot: '^api/src/(main\\.ts|app/embedded-devnet(-thread)?\\.ts)$' },
      to: { path: ['^network/', 'node_modules/@citizen-vault/network/'] },
    },
  ],
  options: {
    // The workspace packages the API uses are followed no further than their entry point.
    doNotFollow: { path: ['node_modules', '^(network|chaincode|ledger-format|sdk)/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
    combinedDependencies: true,
    reporterOptions: {
      dot: { collapsePattern: 'node_modules/(@[^/]+/[^/]+|[^/]+)' },
    },
  },
};
