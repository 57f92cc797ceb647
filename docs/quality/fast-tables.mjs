#!/usr/bin/env node
// Pivots the per-seed documents of docs/quality/fast.sh into the tables of docs/quality.md: for each
// model, each sampler's FD per model evaluation (NFE) as the mean over the seeds and, after +-, the
// standard error of that mean (the seeds' standard deviation / sqrt(seeds)); then each cell's paired
// difference to the converged ODE (DDIM, 100 steps) and to DDPM at 100 steps, seed by seed.
// Usage: node docs/quality/fast-tables.mjs [data folder]   (default docs/quality/data/fast)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const folder = process.argv[2] ?? 'docs/quality/data/fast';
const cells = new Map(); // model -> "sampler|nfe" -> Map(seed -> fd)
const accuracy = new Map(); // the same, for the classifier's accuracy on the requested digit
// run.sh's seed cells (seeds 0-7, 200 samples, the same noises) of mnist-ve's DDPM at 100 steps. (Its cells of
// mnist-ddpm are of that model's previous weights; fast.sh runs the DDPM of the shipped weights itself.)
const seedCells = { 'seeds-ve-ddpm100.json': 'mnist-ve' };
// A job with --spacing labels its rows with it ("unipc, karras"). Eval documents record the options they were
// given under "settings"; the committed ones of fast.sh's extra job of mnist-ve (UniPC, --spacing karras) predate
// that, so their file name supplies it.
const spacingOf = (file, doc) => doc.settings?.spacing ?? (/^mnist-ve-s\d+-extra\.json$/.test(file) ? 'karras' : undefined);
const documents = readdirSync(folder).filter(f => f.endsWith('.json')).sort().map(file => {
  const doc = JSON.parse(readFileSync(join(folder, file), 'utf8'));
  const spacing = spacingOf(file, doc);
  if (spacing) for (const row of doc.rows) row.sampler = `${row.sampler}, ${spacing}`;
  return [file.replace(/-s\d+-.*$/, ''), doc];
});
for (const [file, model] of Object.entries(seedCells))
  for (const doc of JSON.parse(readFileSync(join(folder, '..', file), 'utf8'))) documents.push([model, doc]);
for (const [model, doc] of documents) {
  for (const row of doc.rows) {
    const key = `${row.sampler}|${row.nfe}`;
    for (const [map, value] of [[cells, row.fd], [accuracy, row.class_accuracy]]) {
      if (value === undefined || value === null) continue;
      if (!map.has(model)) map.set(model, new Map());
      const byKey = map.get(model);
      if (!byKey.has(key)) byKey.set(key, new Map());
      byKey.get(key).set(doc.seed, value);
    }
  }
}

const mean = xs => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = xs => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const cell = xs => xs.length < 2 ? '' : `${mean(xs).toFixed(1)} ± ${(std(xs) / Math.sqrt(xs.length)).toFixed(1)}`;
const columns = [[5], [7, 8], [9, 10], [15], [19, 20], [25], [50]];
const samplers = ['ddim', 'heun', 'dpmpp', 'unipc', 'unipc, karras', 'dpmpp-sde', 'euler-ancestral', 'edm', 'restart', 'ddpm'];

function table(byKey, title, format) {
  console.log(`\n${title}\n`);
  console.log(`| sampler | ${columns.map(c => c.join('-')).join(' | ')} |`);
  console.log(`|---|${columns.map(() => '---:').join('|')}|`);
  for (const sampler of samplers) {
    const row = columns.map(nfes => {
      const nfe = nfes.find(n => byKey.has(`${sampler}|${n}`));
      return nfe === undefined ? '' : format(byKey.get(`${sampler}|${nfe}`), nfe, nfes);
    });
    if (row.some(c => c)) console.log(`| ${sampler} | ${row.join(' | ')} |`);
  }
}

for (const model of [...cells.keys()].sort()) {
  const byKey = cells.get(model);
  console.log(`\n### ${model}\n\nFD: the mean over the seeds (200 samples each) ± its standard error.`);
  const refs = { 'DDIM, 100 steps': byKey.get('ddim|100'), 'DDPM, 100 steps': byKey.get('ddpm|100'), 'DDPM, 1,000 steps': byKey.get('ddpm|1000') };
  for (const [name, ref] of Object.entries(refs)) if (ref) console.log(`\n${name}: ${cell([...ref.values()])} (${ref.size} seeds)`);
  table(byKey, 'FD by NFE (in brackets where the NFE is the other of the column)', (bySeed, nfe, nfes) =>
    cell([...bySeed.values()]) + (nfes.length > 1 && nfe !== nfes[nfes.length - 1] ? ` (${nfe})` : ''));
  table(byKey, 'Seeds per cell', bySeed => String(bySeed.size));
  for (const [name, ref] of Object.entries(refs)) {
    if (!ref) continue;
    table(byKey, `Paired difference to ${name} (same seeds), mean ± standard error`, bySeed => {
      const d = [...bySeed].filter(([s]) => ref.has(s)).map(([s, fd]) => fd - ref.get(s));
      return cell(d);
    });
  }
  const acc = accuracy.get(model);
  if (acc) table(acc, 'Classifier accuracy on the requested digit, mean over seeds', bySeed =>
    `${(100 * mean([...bySeed.values()])).toFixed(1)}%`);
}
