/**
 * Runs one chaincode package inside a worker thread, exactly as `fabric-chaincode-node` would run it:
 * fabric-shim's own bootstrap loads the package's `contracts`, its own `ChaincodeFromContract`
 * routes transactions and its own `ChaincodeMessageHandler` speaks the chaincode protocol. Only the
 * transport differs: ChaincodeMessage bytes over the worker's port instead of a gRPC stream.
 *
 * The shim and contract API are resolved from the chaincode package's own directory, as on a peer.
 * A chaincode that calls `process.exit` ends this worker only; the devnet starts a new one.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { packMessages, unpackMessages } from './message-batch.js';

interface WorkerData {
  chaincodePath: string;
  chaincodeId: string;
}

interface ShimMessage {
  serializeBinary(): Uint8Array;
}

const port = parentPort;
if (!port) throw new Error('chaincode-worker must run as a worker thread');
const { chaincodePath, chaincodeId } = workerData as WorkerData;

const chaincodeRequire = createRequire(join(chaincodePath, 'package.json'));
const shimRequire = createRequire(chaincodeRequire.resolve('fabric-shim'));

interface WinstonLogger {
  isLevelEnabled(level: string): boolean;
  [level: string]: unknown;
}
interface LoggerModule {
  getLogger(name?: string): WinstonLogger;
}

/**
 * fabric-shim and fabric-contract-api log through winston, which formats every line (timestamp,
 * metadata, colours, JSON of the arguments) before its transport drops it by level: under load half
 * the chaincode's time went there. Their loggers here skip a call whose level is off, exactly as the
 * transport would have dropped it, so the output is the same. Patched before any shim module asks
 * for a logger.
 */
function logOnlyEnabledLevels(module: LoggerModule): void {
  const getLogger = module.getLogger;
  module.getLogger = (name) => {
    const logger = getLogger(name);
    for (const level of ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']) {
      const log = logger[level];
      if (typeof log !== 'function' || (log as { levelChecked?: boolean }).levelChecked) continue;
      const checked = (...args: unknown[]): unknown => (logger.isLevelEnabled(level) ? log.apply(logger, args) : logger);
      logger[level] = Object.assign(checked, { levelChecked: true });
    }
    return logger;
  };
}
logOnlyEnabledLevels(shimRequire('./lib/logger.js') as LoggerModule);

interface CertificateClass {
  fromPEM(pem: string | Buffer): unknown;
}

/**
 * The shim parses the creator's X.509 certificate for every transaction (ClientIdentity), in pure
 * JavaScript (@fidm/x509): under load a sixth of the chaincode's time, for the same few client
 * certificates. ClientIdentity only reads strings and a JSON attribute list out of the parsed
 * certificate, so the parse of a PEM is remembered (at most 1,000 of them).
 */
function rememberCertificateParses(certificate: CertificateClass, limit = 1_000): void {
  const parse = certificate.fromPEM.bind(certificate);
  const parsed = new Map<string, unknown>();
  certificate.fromPEM = (pem) => {
    const key = pem.toString();
    let cert = parsed.get(key);
    if (cert === undefined) {
      cert = parse(pem);
      if (parsed.size >= limit) parsed.delete(parsed.keys().next().value as string);
      parsed.set(key, cert);
    }
    return cert;
  };
}
rememberCertificateParses((shimRequire('@fidm/x509') as { Certificate: CertificateClass }).Certificate);
try {
  logOnlyEnabledLevels(createRequire(chaincodeRequire.resolve('fabric-contract-api'))('./lib/logger.js') as LoggerModule);
} catch {
  // A chaincode written on the shim alone has no contract API.
}
const { ChaincodeMessageHandler } = shimRequire('./lib/handler.js');
const Bootstrap = shimRequire('./lib/contract-spi/bootstrap.js');
const ChaincodeFromContract = shimRequire('./lib/contract-spi/chaincodefromcontract.js');
const { peer } = shimRequire('@hyperledger/fabric-protos');

const info = Bootstrap.getInfoFromContract(chaincodePath);
const metadata = await Bootstrap.getMetadata(chaincodePath);
const chaincode = new ChaincodeFromContract(info.contracts, info.serializers, metadata, info.title, info.version);

/** The shim's stream: messages written in one turn of the event loop travel together, in one post. */
class PortStream extends EventEmitter {
  private outbox: Uint8Array[] = [];

  write(message: ShimMessage): void {
    if (this.outbox.push(message.serializeBinary()) === 1) setImmediate(() => this.flush());
  }

  end(): void {
    port!.close();
  }

  private flush(): void {
    const batch = packMessages(this.outbox);
    this.outbox = [];
    port!.postMessage(batch, [batch]);
  }
}

const stream = new PortStream();
port.on('message', (batch: ArrayBuffer) => {
  for (const bytes of unpackMessages(batch)) stream.emit('data', peer.ChaincodeMessage.deserializeBinary(bytes));
});

const id = new peer.ChaincodeID();
id.setName(chaincodeId);
const register = new peer.ChaincodeMessage();
register.setType(peer.ChaincodeMessage.Type.REGISTER);
register.setPayload(id.serializeBinary());
new ChaincodeMessageHandler(stream, chaincode).chat(register);
