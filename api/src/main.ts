#!/usr/bin/env node
/**
 * `npm start`: the whole system on embedded defaults — Postgres and the devnet with the Citizen
 * Vault chaincode, then the API on http://localhost:8080. With VAULT_DATABASE_URL and the FABRIC_*
 * settings it runs the API alone against a real Postgres and a real Fabric network.
 */
import pino from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { seedDemoData } from './demo-data.js';
import { startApi } from './app/start-api.js';

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, base: { component: 'api' } });
  const devnetLogger = pino({ level: config.logLevel, base: { component: 'devnet' } });
  let devnetEndpoint: string | undefined;
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
  };
  try {
    let ledgerIdentity;
    let adminLedgerIdentity;
    if (config.fabric.kind === 'embedded') {
      // Loaded only here: outside the embedded default the API runs without the devnet's code.
      const { startEmbeddedDevnet } = await import('./app/embedded-devnet.js').catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
        throw new ConfigError(
          'the embedded ledger needs the devnet package @citizen-vault/network, which is not installed; install it, or set FABRIC_CONNECTION_FILE (or FABRIC_ENDPOINT and the other FABRIC_* settings) to use a real Fabric network',
        );
      });
      const embedded = await startEmbeddedDevnet({ ...config, fabric: config.fabric }, devnetLogger);
      stops.push(() => embedded.devnet.close());
      devnetEndpoint = embedded.devnet.endpoint;
      ledgerIdentity = embedded.identity;
      adminLedgerIdentity = embedded.adminIdentity;
    }
    const api = await startApi(config, { logger, ...(ledgerIdentity ? { ledgerIdentity, adminLedgerIdentity } : {}) });
    stops.push(() => api.close());
    if (config.devMode) {
      const demo = await seedDemoData(api.url, config.publicUrl, config.dataDir);
      if (demo.seeded)
        logger.info({ file: demo.file }, 'demo data: three organisations, three citizens (000000000101–103) with records; organisation keys saved');
    }
    logger.info({ url: api.url, devnet: devnetEndpoint, seconds: (Date.now() - started) / 1000 }, 'Citizen Vault is running; Ctrl-C stops it');
  } catch (err) {
    await stop();
    throw err;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      logger.info('stopping');
      // The first signal always ends the process: an orderly stop, or — if a part hangs — a forced one.
      setTimeout(() => {
        logger.error('stopping took longer than 20 s; exiting anyway');
        process.exit(1);
      }, 20_000).unref();
      void stop().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
