// The devnet under benchmark, in its own process as a real peer would be.
// Usage: node devnet-server.js DATA_DIR CHAINCODE_PATH POLICY
import { startDevnet } from '@citizen-vault/network';

const [dataDir, chaincodePath, policy] = process.argv.slice(2);
const devnet = await startDevnet({
  dataDir,
  port: 0,
  chaincodes: [{ name: 'assets', path: chaincodePath, endorsementPolicy: policy }],
  chaincodeLogLevel: 'critical',
  log: () => {},
});
process.stdout.write(JSON.stringify({ endpoint: devnet.endpoint, connection: devnet.connection }) + '\n');
process.on('SIGTERM', () => void devnet.close().then(() => process.exit(0)));
