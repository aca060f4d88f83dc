import { expect } from 'vitest';
import { GatewayError } from '@hyperledger/fabric-gateway';

/** A chaincode answer (sorted-key JSON) as a value. */
export const json = (bytes: Uint8Array): any => JSON.parse(Buffer.from(bytes).toString('utf8')); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Expects the call to be refused with the chaincode's `[code]`; answers the refusal's message. */
export async function expectRefusal(call: Promise<unknown>, code: string): Promise<string> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a [${code}] refusal`).toBeInstanceOf(GatewayError);
  const message = (err as GatewayError).details.map((d) => d.message).join(' | ');
  expect(message).toContain(`[${code}]`);
  return message;
}
