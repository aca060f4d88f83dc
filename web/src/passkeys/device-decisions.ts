import {
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { ApiProblem, call, send } from '../api/client';

export type DecisionVerb = 'approve' | 'reject' | 'pause' | 'resume' | 'revoke';

export interface Passkey {
  id: string;
  publicKeyHash: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface DecisionAuthentication {
  consentId: string;
  transactionId: string;
  action: string;
  method: 'passkey' | 'session';
  at: string;
}

/** The device said no (the person cancelled, or no passkey answered): nothing was sent. */
const deviceRefused = (): ApiProblem => new ApiProblem('passkey_device', 0);

/** Registers a passkey on this device: the API's options, the device's prompt, the API's check. */
export async function registerPasskey(): Promise<Passkey> {
  const options = await call<PublicKeyCredentialCreationOptionsJSON>('/v1/me/passkeys/registration-options', { body: {} });
  let response;
  try {
    response = await startRegistration({ optionsJSON: options });
  } catch {
    throw deviceRefused();
  }
  return call<Passkey>('/v1/me/passkeys', { body: response });
}

/** Removes one of the citizen's passkeys: decisions it signed keep their evidence, new ones need another passkey (or the session). */
export async function removePasskey(id: string): Promise<void> {
  await send(`/v1/me/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/**
 * Makes a consent decision. With a passkey, the device signs it: the API names the statement the
 * decision commits to (consent, artefact hash, action, fields, time) and its hash is the challenge
 * the device signs. Without one, the session alone vouches for it ("session-authenticated").
 */
export async function decide(consentId: string, verb: DecisionVerb, options: { withPasskey: boolean; fields?: string[] }): Promise<void> {
  if (!options.withPasskey) {
    await call(`/v1/consents/${consentId}/${verb}`, { body: verb === 'approve' && options.fields ? { fields: options.fields } : {} });
    return;
  }
  const challenge = await call<{ options: PublicKeyCredentialRequestOptionsJSON }>(`/v1/consents/${consentId}/decision-challenge`, {
    body: { action: verb, ...(verb === 'approve' && options.fields ? { fields: options.fields } : {}) },
  });
  let response;
  try {
    response = await startAuthentication({ optionsJSON: challenge.options });
  } catch {
    throw deviceRefused();
  }
  await call(`/v1/consents/${consentId}/signed-decision`, { body: { response } });
}

/** The evidence package of the consent's last device-signed decision, as a file. */
export async function evidenceFile(consentId: string): Promise<Response> {
  return send(`/v1/me/consents/${consentId}/evidence`);
}
