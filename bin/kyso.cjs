#!/usr/bin/env node
// What the `kyso` command (bin/kyso, a shell launcher) starts; on Windows, run `node bin\kyso.cjs`.
// Runs the bundled command line (dist/kyso-cli.cjs, made by the setup script: `npm run setup`;
// `npm test`, `npm run demo` and `npm run bench` run it first) through V8's code cache, so a
// signature or a verification does not spend its time parsing JavaScript; falls back to the
// unbundled build. CommonJS on purpose: Node starts a CommonJS entry ~20 ms sooner.
// `kyso verify` has its own, smaller bundle (dist/kyso-verify.cjs), and starts hashing the file on
// a worker thread (dist/kyso-early.cjs, a few kB) before it loads that bundle.
'use strict';
// Started by bin/kyso (the `kyso` command), Node ran without NODE_EXTRA_CA_CERTS: put it back, so
// that child processes see the environment the user set. KYSO_DEFERRED_CA_CERTS stays, telling
// Kyso's https requests to add those roots themselves (src/main/verify/revocation-http.ts).
if (process.env.KYSO_DEFERRED_CA_CERTS && !process.env.NODE_EXTRA_CA_CERTS) process.env.NODE_EXTRA_CA_CERTS = process.env.KYSO_DEFERRED_CA_CERTS;
const { existsSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

// The same lines as src/main/util/trace.ts (KYSO_TRACE=1): where the start's time goes.
const trace = process.env.KYSO_TRACE ? (phase) => process.stderr.write(`[trace] ${performance.now().toFixed(1).padStart(8)} ms  ${phase}\n`) : () => {};
trace('launcher: start');

const dist = join(__dirname, '..', 'dist');
const plain = join(dist, 'main', 'cli', 'main.js');
const argv = process.argv.slice(2);
// First of all, so that the worker boots while the rest loads.
const start = headStart(argv);

const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

/**
 * `kyso verify FILE`: starts hashing FILE on a worker thread before the command line is loaded,
 * so the two overlap. Only a head start: verify hashes on its own thread when there is none.
 */
function headStart(argv) {
  const early = join(dist, 'kyso-early.cjs');
  if (argv[0] !== 'verify' || !existsSync(early)) return {};
  try {
    const rangeHasher = require(early).startEarly(argv, early);
    if (rangeHasher) trace('launcher: hashing worker started');
    return { rangeHasher };
  } catch {
    return {};
  }
}

function loadBundle(bundle) {
  const cacheFile = `${bundle}.${process.version}.v8cache`;
  // V8 checks a code cache against the source's length only: a rebuilt bundle of the same length
  // would run stale code. The cache starts with a line naming the bundle it was made from.
  const { size, mtimeMs } = statSync(bundle);
  const stamp = Buffer.from(`kyso ${size} ${mtimeMs}\n`);
  let cachedData;
  try {
    const raw = readFileSync(cacheFile);
    if (raw.subarray(0, stamp.length).equals(stamp)) cachedData = raw.subarray(stamp.length);
  } catch {
    /* first run */
  }
  const source = readFileSync(bundle, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  trace(`launcher: ${bundle.slice(dist.length + 1)} compiled${script.cachedDataRejected ? ' (code cache rejected)' : cachedData ? '' : ' (no code cache yet)'}`);
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
  trace('launcher: bundle evaluated');
  const saveCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]));
      renameSync(tmp, cacheFile);
    } catch {
      /* a read-only install runs without the cache */
    }
  };
  return { main: mod.exports.main, saveCache };
}

async function run() {
  const verifyBundle = join(dist, 'kyso-verify.cjs');
  const bundle = argv[0] === 'verify' && existsSync(verifyBundle) ? verifyBundle : join(dist, 'kyso-cli.cjs');
  if (existsSync(bundle)) {
    const { main, saveCache } = loadBundle(bundle);
    process.exitCode = await main(argv, start);
    // Made after the run, the cache also holds the functions the run compiled.
    saveCache();
  } else if (existsSync(plain)) {
    const { main } = await import(pathToFileURL(plain).href);
    process.exitCode = await main(argv, start);
  } else {
    process.stderr.write('Lỗi: Kyso chưa được biên dịch. Hãy chạy "npm run setup". | Error: Kyso is not built yet. Run "npm run setup".\n');
    process.exitCode = 70;
  }
}

run();
