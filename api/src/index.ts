export { loadConfig, ConfigError, type Config } from './config.js';
export { startApi, type RunningApi, type StartOptions } from './app/start-api.js';
export { identityFromConnectionFile } from './app/ledger-identity.js';
export { FabricLedger, LedgerError, type LedgerIdentity } from './ledger/fabric-ledger.js';
export { seedDemoData } from './demo-data.js';
