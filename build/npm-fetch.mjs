// Fetches one npm package tarball with `npm pack`, checks it against a pinned integrity
// value (npm's dist.integrity: sha512 of the .tgz, base64), and extracts it.
//
//   node build/npm-fetch.mjs <name@version> <sha512-...> <destination-folder>
//
// Tarballs are cached in $DIFFUSION_CACHE or ~/.cache/diffusion-runtime/npm, so a second
// clone does not download them again. The destination gets a stamp file holding the
// integrity value; a folder whose stamp matches is left alone. Extraction goes to a
// temporary sibling folder that is renamed into place, so an interrupted run leaves nothing
// half-written behind.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [spec, integrity, dest] = process.argv.slice(2);
if (!spec || !integrity || !dest) {
  console.error('usage: node build/npm-fetch.mjs <name@version> <sha512-...> <destination>');
  process.exit(2);
}

const stamp = path.join(dest, '.integrity');
if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === integrity) process.exit(0);

const cache = process.env.DIFFUSION_CACHE || path.join(os.homedir(), '.cache', 'diffusion-runtime', 'npm');
fs.mkdirSync(cache, { recursive: true });

const sha512 = (file) => 'sha512-' + createHash('sha512').update(fs.readFileSync(file)).digest('base64');
const tarballName = spec.replace(/^@/, '').replace(/[/@]/g, '-') + '.tgz';
const tarball = path.join(cache, tarballName);

if (!fs.existsSync(tarball) || sha512(tarball) !== integrity) {
  console.log(`npm-fetch: downloading ${spec} (npm pack)`);
  const work = fs.mkdtempSync(path.join(cache, '.pack-'));
  try {
    const out = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', work],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
    const packed = path.join(work, out);
    const actual = sha512(packed);
    if (actual !== integrity) {
      console.error(`npm-fetch: ${spec} failed its integrity check: expected ${integrity}, got ${actual}. ` +
        'The registry served a different file; refusing to use it.');
      process.exit(1);
    }
    fs.renameSync(packed, tarball);
  } catch (e) {
    if (e.status === undefined) throw e;
    console.error(`npm-fetch: 'npm pack ${spec}' failed. Check that npm is installed and the npm registry is reachable.`);
    process.exit(1);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const parent = path.dirname(path.resolve(dest));
fs.mkdirSync(parent, { recursive: true });
const staging = fs.mkdtempSync(path.join(parent, '.extract-'));
try {
  execFileSync('tar', ['-xzf', tarball, '-C', staging], { stdio: 'inherit' });
  fs.writeFileSync(path.join(staging, '.integrity'), integrity + '\n');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(staging, dest);
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}
console.log(`npm-fetch: ${spec} ready in ${dest}`);
