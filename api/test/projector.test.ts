import { describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, useStack } from './stack.js';

describe('the consent read model follows the ledger', () => {
  const shared = useStack();
  const { call } = shared;

  it('applies a revoke committed on the ledger by someone else, and resumes from its checkpoint after a restart', async () => {
    const stack = shared.stack;
    const custodian = await registerOrganization(stack, ['custodian']);
    const bank = await registerOrganization(stack, ['consumer']);
    await call('/v1/records', await custodian.token(), { subject: { nationalId: '001099012345' }, category: 'residence', fields: { province: 'Huế' } });
    const request = (n: number) => ({
      subject: { nationalId: '001099012345' },
      purpose: 'public_service_delivery',
      fields: ['residence.province'],
      mode: 'PERIODIC',
      frequency: { limit: 100, per: 'DAY' },
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 1,
      justification: `Thủ tục hành chính số ${n}`,
    });
    const citizen = await citizenToken(stack, '001099012345');
    const first = (await (await call('/v1/consents', await bank.token(), request(1))).json()) as { id: string };
    await call(`/v1/consents/${first.id}/approve`, citizen, {});
    expect((await call(`/v1/consents/${first.id}/data`, await bank.token())).status).toBe(200);

    // Revoked on the ledger directly (another instance, an operator tool), not through this API:
    await stack.api.ledger.submit('consent', 'RevokeConsent', first.id);
    const refused = async (id: string) => {
      for (let i = 0; i < 100; i++) {
        const res = await call(`/v1/consents/${id}/data`, await bank.token());
        if (res.status === 403) return ((await res.json()) as { code: string }).code;
        await new Promise((r) => setTimeout(r, 50));
      }
      return 'still served';
    };
    expect(await refused(first.id)).toBe('consent_not_active');

    // While the API is down, another change commits; after the restart the projector catches up.
    const second = (await (await call('/v1/consents', await bank.token(), request(2))).json()) as { id: string };
    await call(`/v1/consents/${second.id}/approve`, citizen, {});
    await stack.api.close();
    const ledger = (await import('@citizen-vault/api')).FabricLedger;
    const { identityFromConnectionFile } = await import('@citizen-vault/api');
    const direct = ledger.connect(
      await identityFromConnectionFile(`${stack.dataDir}/devnet/connection.json`, 'VaultOperatorMSP'),
      'mychannel',
      'citizen-vault',
    );
    await direct.submit('consent', 'PauseConsent', second.id);
    direct.close();
    await stack.restartApi();
    expect(await refused(second.id)).toBe('consent_not_active');
    const checkpoint = await stack.api.sql<{ block_number: string }[]>`select block_number from ledger_checkpoints`;
    expect(Number(checkpoint[0]!.block_number)).toBeGreaterThan(1);
  });
});
