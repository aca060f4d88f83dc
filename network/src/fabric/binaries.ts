import { execFile } from 'node:child_process';
import { access, chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The Fabric release the real network runs, pinned by commit. Fabric's module path has no `/v2`,
 * so its release tags cannot be named to the go command; a commit resolves to a pseudo-version on
 * top of `v1.4.0-rc1`. The module proxy these machines reach serves this one (the v2.5.0 tag,
 * commit bd8e24856939); it refuses the pseudo-versions of later 2.5 patch releases.
 */
export const FABRIC_MODULE = 'github.com/hyperledger/fabric';
export const FABRIC_VERSION = '2.5.0';
export const FABRIC_PSEUDO_VERSION = 'v1.4.0-rc1.0.20230401164317-bd8e24856939';
export const FABRIC_COMMANDS = ['peer', 'orderer', 'configtxgen', 'osnadmin'] as const;

/** Where the binaries and Fabric's sample configuration are: built and cached, or supplied (`FABRIC_BIN`). */
export interface FabricInstall {
  binDir: string;
  /** A folder with Fabric's `core.yaml` and `orderer.yaml`, the base that the network's overrides change. */
  configDir: string;
  version: string;
  source: 'cache' | 'built' | 'supplied';
}

export interface InstallOptions {
  /** Official release binaries (the `bin/` of a fabric release tarball): skips the build. */
  binDir?: string | undefined;
  /** The release's `config/` folder, with core.yaml and orderer.yaml; defaults to `<binDir>/../config`. */
  configDir?: string | undefined;
  /** Defaults to `$XDG_CACHE_HOME/citizen-vault/fabric`, or `~/.cache/…`. */
  cacheDir?: string | undefined;
  log?: (line: string) => void;
}

export class FabricInstallError extends Error {
  override readonly name = 'FabricInstallError';
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'citizen-vault', 'fabric');
}

/**
 * Builds `peer`, `orderer`, `configtxgen` and `osnadmin` once from the Go module at the pinned
 * commit, into a cache keyed by that commit outside the repository, and reuses them afterwards.
 * `go install pkg@version` cannot be used: it asks the proxy for the module's version list (to
 * report deprecation), which the proxy refuses for this module; a throw-away module that requires
 * the pinned version and runs `go build` needs only that version.
 */
export async function ensureFabric(options: InstallOptions = {}): Promise<FabricInstall> {
  const log = options.log ?? (() => {});
  if (options.binDir) {
    const configDir = options.configDir ?? join(options.binDir, '..', 'config');
    await requireFiles(options.binDir, [...FABRIC_COMMANDS], 'FABRIC_BIN');
    await requireFiles(configDir, ['core.yaml', 'orderer.yaml'], 'FABRIC_CONFIG_DIR');
    const { stdout } = await run(join(options.binDir, 'peer'), ['version']);
    return { binDir: options.binDir, configDir, version: /Version: (\S+)/.exec(stdout)?.[1] ?? 'unknown', source: 'supplied' };
  }
  const root = join(options.cacheDir ?? defaultCacheDir(), FABRIC_PSEUDO_VERSION);
  const binDir = join(root, 'bin');
  const configDir = join(root, 'config');
  const marker = join(root, 'complete');
  if (await exists(marker)) return { binDir, configDir, version: FABRIC_VERSION, source: 'cache' };

  const go = await run('go', ['version']).catch(() => undefined);
  if (!go) {
    throw new FabricInstallError(
      'Building Hyperledger Fabric needs Go (1.21 or newer) on the PATH: install it (e.g. `apt-get install golang` or from go.dev), ' +
        `or download Fabric ${FABRIC_VERSION}'s release binaries and set FABRIC_BIN to their bin/ folder (FABRIC_CONFIG_DIR to their config/ folder if it is not beside bin/).`,
    );
  }
  log(`building Fabric ${FABRIC_VERSION} (${FABRIC_PSEUDO_VERSION}) with ${go.stdout.trim()} into ${root}`);
  const modDir = join(root, 'mod');
  await mkdir(modDir, { recursive: true });
  await writeFile(join(modDir, 'go.mod'), `module citizen-vault-fabric-build\n\ngo 1.21\n\nrequire ${FABRIC_MODULE} ${FABRIC_PSEUDO_VERSION}\n`);
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  await run('go', ['mod', 'download', FABRIC_MODULE], { cwd: modDir, env });
  await run(
    'go',
    [
      'build',
      '-trimpath',
      '-o',
      binDir + '/',
      '-ldflags',
      `-X ${FABRIC_MODULE}/common/metadata.Version=${FABRIC_VERSION}`,
      ...FABRIC_COMMANDS.map((c) => `${FABRIC_MODULE}/cmd/${c}`),
    ],
    { cwd: modDir, env, maxBuffer: 16 * 1024 * 1024 },
  );
  // The sample configuration ships in the module; copy it out of the read-only module cache.
  const { stdout } = await run('go', ['list', '-m', '-json', FABRIC_MODULE], { cwd: modDir, env });
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new FabricInstallError(`the go command did not say where ${FABRIC_MODULE} is`);
  await mkdir(configDir, { recursive: true });
  for (const file of ['core.yaml', 'orderer.yaml', 'configtx.yaml']) {
    await copyFile(join(moduleDir, 'sampleconfig', file), join(configDir, file));
    await chmod(join(configDir, file), 0o644);
  }
  await writeFile(marker, `${FABRIC_VERSION} ${FABRIC_PSEUDO_VERSION}\n`);
  return { binDir, configDir, version: FABRIC_VERSION, source: 'built' };
}

async function requireFiles(dir: string, files: string[], setting: string): Promise<void> {
  for (const file of files) {
    if (!(await exists(join(dir, file)))) throw new FabricInstallError(`${setting}: ${join(dir, file)} is missing`);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
