export { loadConfig, ConfigError, type Config } from './config.js';
export { startApi, identityFromConnectionFile, type RunningApi, type StartOptions } from './server.js';
export { FabricLedger, LedgerError, type LedgerIdentity } from './ledger/fabric-ledger.js';
export { seedDemoData } from './demo-data.js';
