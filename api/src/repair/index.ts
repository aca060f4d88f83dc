/** The repair sweep: finishes, from the ledger's committed events, any work a crash or outage left half-done. */
export { RepairSweep, type RepairLedger, type RepairStatus, type RepairSweepOptions, type Repaired } from './repair-sweep.js';
