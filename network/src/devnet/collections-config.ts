import { readFile } from 'node:fs/promises';
import type { CollectionConfigJson } from './collections.js';
import { DevnetError } from './errors.js';

/** Reads a `collections_config.json` file (Fabric's format: an array of static collection configs). */
export async function readCollectionsConfig(path: string): Promise<CollectionConfigJson[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new DevnetError('config', `collections config ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return collectionsConfigFromJson(parsed, path);
}

/** Checks the shape of a parsed collections config; the rules on values are `parseCollectionsConfig`'s. */
export function collectionsConfigFromJson(value: unknown, source = 'collections config'): CollectionConfigJson[] {
  const fail = (message: string): never => {
    throw new DevnetError('config', `${source}: ${message}`);
  };
  if (!Array.isArray(value)) return fail('must be a JSON array of collections');
  return value.map((entry: unknown, i): CollectionConfigJson => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return fail(`entry ${i} is not an object`);
    const fields = new Map<string, unknown>(Object.entries(entry));
    const field = (name: string): unknown => fields.get(name);
    const text = (name: string, required: boolean): string | undefined => {
      const v = field(name);
      if (v === undefined && !required) return undefined;
      return typeof v === 'string' ? v : fail(`entry ${i}: ${name} must be a string`);
    };
    const count = (name: string): number | undefined => {
      const v = field(name);
      if (v === undefined) return undefined;
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : fail(`entry ${i}: ${name} must be a whole number`);
    };
    const flag = (name: string): boolean | undefined => {
      const v = field(name);
      if (v === undefined) return undefined;
      // Fabric's parser wants JSON booleans; "true" in quotes is an error there too.
      return typeof v === 'boolean' ? v : fail(`entry ${i}: ${name} must be true or false`);
    };
    const ep = field('endorsementPolicy');
    let endorsementPolicy: CollectionConfigJson['endorsementPolicy'];
    if (ep !== undefined && ep !== null) {
      if (typeof ep !== 'object' || Array.isArray(ep)) return fail(`entry ${i}: endorsementPolicy must be an object`);
      const epFields = new Map<string, unknown>(Object.entries(ep));
      const sp = epFields.get('signaturePolicy');
      const cp = epFields.get('channelConfigPolicy');
      if ((sp !== undefined && typeof sp !== 'string') || (cp !== undefined && typeof cp !== 'string')) {
        return fail(`entry ${i}: endorsementPolicy.signaturePolicy and channelConfigPolicy must be strings`);
      }
      endorsementPolicy = { ...(sp !== undefined ? { signaturePolicy: sp } : {}), ...(cp !== undefined ? { channelConfigPolicy: cp } : {}) };
    }
    return {
      name: text('name', true)!,
      policy: text('policy', true)!,
      requiredPeerCount: count('requiredPeerCount'),
      maxPeerCount: count('maxPeerCount'),
      blockToLive: count('blockToLive'),
      memberOnlyRead: flag('memberOnlyRead'),
      memberOnlyWrite: flag('memberOnlyWrite'),
      ...(endorsementPolicy ? { endorsementPolicy } : {}),
    };
  });
}
