import { CitizenVault, CitizenVaultStaff, generateOrganizationKeys } from '@citizen-vault/sdk';

/** The operator's SDK client, with tokens from the development issuer. */
export function sdkOperator(baseUrl: string): CitizenVaultStaff {
  return CitizenVaultStaff.create({
    baseUrl,
    token: async () =>
      (
        (await (
          await fetch(baseUrl + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"operator"}' })
        ).json()) as { access_token: string }
      ).access_token,
  });
}

/** A new organisation registered by the operator with fresh keys, as its own SDK client. */
export async function sdkOrganization(baseUrl: string, roles: ('custodian' | 'consumer' | 'provider')[], name: string): Promise<CitizenVault & { id: string }> {
  const keys = await generateOrganizationKeys();
  const { id } = await sdkOperator(baseUrl).organizations.register({
    name,
    registrationNumber: String(1e9 + Math.floor(Math.random() * 9e9)),
    roles,
    jwks: keys.jwks,
  });
  return Object.assign(await CitizenVault.create({ baseUrl, organizationId: id, signingKey: keys.signingKey, encryptionKey: keys.encryptionKey }), { id });
}
