// The cooldown over 8 simulated weeks, in numbers: for each digest period × rebuildDelay, how many
// times the image is rebuilt and how late after its digest became due, under the cooldown gate and
// under the requiredSoakTime it replaces. The scenarios and the Kargo model are the simulation
// test's (test/support/cooldown-scenarios.ts, test/support/kargo-queue-model.ts); this only prints.
// Each cell runs the Warehouse's first look at 12 minutes of the hour, since where the gate's polls
// fall relative to a due time is what the lag is made of.
//   npm run bench:cooldown
import { DELAYS, PERIODS, lagBound, lagsAfterDue, longestStaleness, scenario } from '../test/support/cooldown-scenarios';

const PHASES = Array.from({ length: 12 }, (_, i) => 2 + i * 5);

function minutes(n: number): string {
  if (!Number.isFinite(n)) return 'never';
  return n < 120 ? `${n.toFixed(n < 10 && n % 1 !== 0 ? 1 : 0)}m` : `${(n / 60).toFixed(1)}h`;
}

const rows: string[][] = [['digest every', 'delay', 'digests seen', 'rebuilds', 'mean lag', 'max lag', 'max behind', 'soak rebuilds']];
let bound = 0;
for (const period of PERIODS) {
  for (const delay of DELAYS) {
    const runs = PHASES.map((phase) => scenario([period.publishedAt()], delay.minutes, 'gate', { kind: 'auto' }, phase));
    const soak = scenario([period.publishedAt()], delay.minutes, 'soak');
    const lags = runs.flatMap(lagsAfterDue);
    bound = lagBound(runs[0]);
    const behind = Math.max(...runs.map((run) => longestStaleness(run, 'base-0', run.freights[0].seenAt + delay.minutes + bound)));
    rows.push([
      period.name,
      delay.name,
      String(runs[0].freights.length),
      String(runs[0].dispatches.length),
      lags.length ? minutes(lags.reduce((a, b) => a + b, 0) / lags.length) : '-',
      lags.length ? minutes(Math.max(...lags)) : '-',
      minutes(behind),
      String(soak.dispatches.length),
    ]);
  }
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log(rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n'));
console.log(`
8 simulated weeks; Warehouse looks every 60m (first look at ${PHASES.length} different minutes), Stage reconciles every 5m, gate polled every 15m.
digests seen, rebuilds: for the first look at minute ${PHASES[0]}; rebuilds are the gate's dispatches (the digest at install is adopted, not counted).
lag: minutes from a digest becoming due (seenAt + delay) to its dispatch, over all ${PHASES.length} runs; the simulation test asserts <= ${bound}m.
max behind: the longest time the image was built on a digest that was no longer the newest due one (asserted <= ${bound}m).
soak rebuilds: the same digests under requiredSoakTime (continuous stay in the base Stage >= delay).`);
