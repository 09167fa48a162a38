#!/usr/bin/env node
// The `kyso` command. Runs the bundled command line (dist/kyso-cli.cjs, made by the setup script:
// `npm run setup`; `npm test`, `npm run demo` and `npm run bench` run it first) through V8's code
// cache, so a signature or a verification does not spend its time parsing JavaScript; falls back
// to the unbundled build. CommonJS on purpose: Node starts a CommonJS entry ~20 ms sooner.
'use strict';
const { existsSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'kyso-cli.cjs');
const plain = join(__dirname, '..', 'dist', 'main', 'cli', 'main.js');

function loadBundle() {
  const cacheFile = `${bundle}.${process.version}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    /* first run */
  }
  const source = readFileSync(bundle, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
  const saveCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      /* a read-only install runs without the cache */
    }
  };
  return { main: mod.exports.main, saveCache };
}

async function run() {
  if (existsSync(bundle)) {
    const { main, saveCache } = loadBundle();
    process.exitCode = await main(process.argv.slice(2));
    // Made after the run, the cache also holds the functions the run compiled.
    saveCache();
  } else if (existsSync(plain)) {
    const { main } = await import(pathToFileURL(plain).href);
    process.exitCode = await main(process.argv.slice(2));
  } else {
    process.stderr.write('Lỗi: Kyso chưa được biên dịch. Hãy chạy "npm run setup". | Error: Kyso is not built yet. Run "npm run setup".\n');
    process.exitCode = 70;
  }
}

run();
