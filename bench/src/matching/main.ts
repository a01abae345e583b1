/**
 * `node bin/run-ts.js bench/src/matching/main.ts [--febrl] [--generated] [--scale] [--misses] [--fit] [options]`:
 * matching quality and speed. Targets are reported, never asserted.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_THRESHOLDS, type Thresholds } from '@kennebec/matching';
import { febrl4Fit, febrl4Misses, formatFit, formatMisses } from './analysis.ts';
import { febrlDir, formatFebrl, runFebrlAll } from './febrl.ts';
import { formatGenerated, runGenerated } from './generated.ts';
import { formatScale, runScale } from './scale.ts';

const USAGE = `Usage: node bin/run-ts.js bench/src/matching/main.ts [options]
  --febrl              FEBRL 1-4 (default data: $KENNEBEC_SHARED_DATA/febrl or /work/shared/data/febrl)
  --generated          generated population with registration errors and hard negatives
  --scale              index --persons people and time match() for --queries queries
  --misses             FEBRL4 links missed, grouped by reason and by the fields that differ
  --fit                m/u weights fitted by EM on FEBRL4, beside the defaults
  (no selection = --febrl --generated; the others only when asked)
  --persons N          persons for --scale (default 1000000)
  --generated-persons N  persons for --generated (default 20000)
  --queries N          queries for --scale (default 10000)
  --seed N             generator seed (default 7)
  --upper X --lower Y  decision thresholds (default ${DEFAULT_THRESHOLDS.upper} / ${DEFAULT_THRESHOLDS.lower})
  --help
Targets: FEBRL4 precision ≥ 0.995 and F1 ≥ 0.98; match() p99 ≤ 10 ms with 1M persons.
For RSS without garbage, run node with --expose-gc.`;

const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

const { values } = parseArgs({
  options: {
    febrl: { type: 'boolean' }, generated: { type: 'boolean' }, scale: { type: 'boolean' }, help: { type: 'boolean' },
    misses: { type: 'boolean' }, fit: { type: 'boolean' },
    persons: { type: 'string' }, 'generated-persons': { type: 'string' }, queries: { type: 'string' }, seed: { type: 'string' },
    upper: { type: 'string' }, lower: { type: 'string' },
  },
});

function int(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) {
    log(`--${name} must be a positive integer\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

if (values.help === true) {
  log(USAGE);
} else {
  const none = values.febrl !== true && values.generated !== true && values.scale !== true && values.misses !== true && values.fit !== true;
  const seed = int(values.seed, 7, 'seed');
  const thresholds: Thresholds = {
    upper: values.upper === undefined ? DEFAULT_THRESHOLDS.upper : Number(values.upper),
    lower: values.lower === undefined ? DEFAULT_THRESHOLDS.lower : Number(values.lower),
  };
  log(`thresholds: upper ${thresholds.upper}, lower ${thresholds.lower}`);
  if (values.febrl === true || none) {
    log(`\nFEBRL (${febrlDir()}): link = best candidate decided 'link'; review not counted as positive`);
    log(formatFebrl(runFebrlAll(febrlDir(), thresholds)));
  }
  if (values.generated === true || none) {
    log('\nGenerated population');
    log(formatGenerated(runGenerated({ persons: int(values['generated-persons'], 20_000, 'generated-persons'), seed, duplicateRate: 0.3, hardNegativeRate: 0.05, thresholds })));
  }
  if (values.misses === true) {
    log('');
    log(formatMisses(febrl4Misses(febrlDir())));
  }
  if (values.fit === true) {
    log('');
    log(formatFit(febrl4Fit(febrlDir(), seed)));
  }
  if (values.scale === true) {
    log('\nScale');
    log(formatScale(runScale({ persons: int(values.persons, 1_000_000, 'persons'), queries: int(values.queries, 10_000, 'queries'), seed, log })));
  }
}
