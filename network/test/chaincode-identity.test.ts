import { describe, expect, it } from 'vitest';
import { gatewayFor, text, useDevnet } from './helpers.js';

describe('the client identity a chaincode sees', () => {
  const shared = useDevnet();

  it("is each caller's own, however often the same certificates come back", async () => {
    const callers = [
      { org: 0, user: 'User1' as const },
      { org: 0, user: 'Admin' as const },
      { org: 1, user: 'User1' as const },
    ];
    for (let round = 0; round < 3; round++) {
      for (const caller of callers) {
        const conn = await gatewayFor(shared.devnet, caller);
        try {
          const who = JSON.parse(text(await conn.gateway.getNetwork(shared.devnet.channel).getContract('assets', 'assets').evaluateTransaction('WhoAmI'))) as {
            mspId: string;
            id: string;
          };
          const { mspId, domain } = shared.devnet.connection.organizations[caller.org]!;
          expect(who.mspId).toBe(mspId);
          expect(who.id).toContain(`CN=${caller.user}@${domain}::`);
        } finally {
          conn.close();
        }
      }
    }
  });
});
