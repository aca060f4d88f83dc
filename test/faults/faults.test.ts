import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAfterFaults, type FaultReport } from './fault-checks.js';
import { FaultLoad } from './fault-load.js';
import { FaultStack } from './fault-stack.js';

/**
 * kill -9 mid-load, in child processes: of the whole stack, of Postgres alone, of the ledger alone.
 * After each, with the part restarted, every promise must hold: each 200 read has its GRANTED
 * event, no Idempotency-Key is stuck, each decision and deposit has its leaf, the log verifies, and
 * the consent read model equals the ledger.
 */
const KILLS = 2;
let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function scenario(name: string, fault: (s: FaultStack) => Promise<void>): Promise<FaultReport> {
  stack = await FaultStack.create();
  await stack.startDevnet();
  await stack.startApi();
  const load = new FaultLoad(stack.url);
  await load.setup();
  const running = load.run();
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 2_500)); // mid-load
    await fault(stack);
    await stack.ready(45_000);
  }
  await new Promise((r) => setTimeout(r, 1_500));
  load.stop();
  await running;
  const stuck = await load.settle(8_000);
  const report = await checkAfterFaults(name, KILLS, stack, load.observed, stuck);
  const dir = resolve(import.meta.dirname, '../../.data');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `faults-${name.replace(/\W+/g, '-')}.json`), JSON.stringify(report, null, 2));
  console.log(
    `fault: ${name} | runs ${report.runs} | 200 reads ${report.reads200} | lost ${report.lost} | stuck ${report.stuck} | decisions without leaf ${report.decisionsWithoutLeaf} | log verified ${report.logVerified} | read model ≠ ledger ${report.readModelMismatches}/${report.consentsOnLedger} | repaired ${JSON.stringify(report.repaired)}`,
  );
  return report;
}

function expectNothingLost(report: FaultReport): void {
  expect(report.reads200).toBeGreaterThan(0);
  expect(report.lost).toBe(0);
  expect(report.stuckCodes).toEqual([]);
  expect(report.decisionsWithoutLeaf).toBe(0);
  expect(report.depositsWithoutLeaf).toBe(0);
  expect(report.logVerified).toBe(true);
  expect(report.readModelMismatches).toBe(0);
}

describe('kill -9 mid-load', () => {
  it('of the whole stack (API, Postgres and the ledger): nothing lost, nothing stuck', async () => {
    expectNothingLost(
      await scenario('whole stack', async (s) => {
        s.killApi();
        s.killDevnet();
        await s.startDevnet();
        await s.startApi();
      }),
    );
  }, 120_000);

  it('of Postgres alone: the API restarts it, nothing lost, nothing stuck', async () => {
    expectNothingLost(
      await scenario('postgres', async (s) => {
        await s.killPostgres();
        await new Promise((r) => setTimeout(r, 300));
      }),
    );
  }, 120_000);

  it('of the ledger alone: nothing lost, nothing stuck', async () => {
    expectNothingLost(
      await scenario('ledger', async (s) => {
        s.killDevnet();
        await new Promise((r) => setTimeout(r, 500));
        await s.startDevnet();
      }),
    );
  }, 120_000);
});
