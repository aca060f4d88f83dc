import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { credentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { peer } from '@hyperledger/fabric-protos';
import { packMessages, unpackMessages } from './message-batch.js';

/** One conversation with a chaincode: `ChaincodeMessage`s both ways, until either side closes it. */
export interface ChaincodeTransport {
  send(message: peer.ChaincodeMessage): void;
  close(): Promise<void>;
}

export interface TransportEvents {
  onMessage(message: peer.ChaincodeMessage): void;
  /** The conversation ended: the chaincode exited, crashed or hung up. */
  onClose(reason: string): void;
}

export type TransportFactory = (events: TransportEvents) => ChaincodeTransport;

const WORKER_URL = new URL('./chaincode-worker.js', import.meta.url);

/**
 * Runs the chaincode package at `path` in a worker thread (see chaincode-worker.ts). Messages
 * written in one turn of the event loop are posted together, which saves thread wake-ups under load.
 */
export function workerTransport(options: { name: string; path: string; env: Record<string, string> }): TransportFactory {
  return (events) => {
    const worker = new Worker(fileURLToPath(WORKER_URL), {
      workerData: { chaincodePath: options.path, chaincodeId: options.name },
      env: { ...process.env, ...options.env },
      stdout: false,
      stderr: false,
    });
    let outbox: Uint8Array[] = [];
    let closed = false;
    const end = (reason: string): void => {
      if (closed) return;
      closed = true;
      events.onClose(reason);
    };
    worker.on('message', (batch: ArrayBuffer) => {
      for (const bytes of unpackMessages(batch)) events.onMessage(peer.ChaincodeMessage.deserializeBinary(bytes));
    });
    worker.on('error', (err) => end(`crashed: ${err.message}`));
    worker.on('exit', (code) => end(`exited with code ${code}`));
    return {
      send(message) {
        if (outbox.push(message.serializeBinary()) > 1) return;
        setImmediate(() => {
          const batch = packMessages(outbox);
          outbox = [];
          if (!closed) worker.postMessage(batch, [batch]);
        });
      },
      async close() {
        closed = true;
        await worker.terminate();
      },
    };
  };
}

/**
 * Chaincode-as-a-service: the devnet dials the chaincode's server (`fabric-chaincode-node server`)
 * and opens `protos.Chaincode/Connect`, as a Fabric peer's external builder does.
 */
export function serviceTransport(options: { address: string; dialTimeoutMs: number }): TransportFactory {
  return (events) => {
    const client = new peer.ChaincodeClient(options.address, credentials.createInsecure());
    let stream: ClientDuplexStream<peer.ChaincodeMessage, peer.ChaincodeMessage> | undefined;
    let closed = false;
    const queued: peer.ChaincodeMessage[] = [];
    const end = (reason: string): void => {
      if (closed) return;
      closed = true;
      stream?.cancel();
      client.close();
      events.onClose(reason);
    };
    client.waitForReady(Date.now() + options.dialTimeoutMs, (err) => {
      if (closed) return;
      if (err) return end(`could not be reached at ${options.address}: ${err.message}`);
      stream = client.connect();
      stream.on('data', (message: peer.ChaincodeMessage) => events.onMessage(message));
      stream.on('error', (e: Error) => end(`hung up: ${e.message}`));
      stream.on('end', () => end('hung up'));
      for (const message of queued.splice(0)) stream.write(message);
    });
    return {
      send(message) {
        if (stream) stream.write(message);
        else queued.push(message);
      },
      async close() {
        closed = true;
        stream?.cancel();
        client.close();
      },
    };
  };
}
