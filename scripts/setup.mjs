#!/usr/bin/env node
// Brings a fresh Debian machine (or a developer's) to the state the app and the tests need,
// and does nothing when it is already there:
//   1. the Debian packages: the test token (SoftHSM2), the independent PDF judges (pdfsig, qpdf),
//      the corpus producers (ghostscript, mutool, imagemagick), NSS tools, fonts, Chromium;
//   2. the npm dependencies (npm install when package-lock.json changed; npm ci rejects the lock because
//      the registry here serves no other-platform rollup builds; native modules built from source);
//   3. the build (TypeScript engine and CLI; the renderer bundle once it exists).
// Uses only Node's own modules, since it runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (m) => {
  if (!quiet) process.stderr.write(`[setup] ${m}\n`);
};

// Debian package -> a file it installs, to tell quickly whether it is there.
const APT = {
  softhsm2: '/usr/lib/softhsm/libsofthsm2.so',
  opensc: '/usr/bin/pkcs11-tool',
  'poppler-utils': '/usr/bin/pdfsig',
  qpdf: '/usr/bin/qpdf',
  ghostscript: '/usr/bin/gs',
  'mupdf-tools': '/usr/bin/mutool',
  'libnss3-tools': '/usr/bin/certutil',
  imagemagick: '/usr/bin/convert-im6.q16',
  openssl: '/usr/bin/openssl',
  'fonts-liberation': '/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf',
  chromium: '/usr/bin/chromium',
  'build-essential': '/usr/bin/g++',
  python3: '/usr/bin/python3',
  time: '/usr/bin/time',
  // Office attachments (.docx, .xlsx, .pptx, .doc, .xls) become PDF with LibreOffice headless.
  'libreoffice-writer-nogui': '/usr/lib/libreoffice/program/libswlo.so',
  'libreoffice-calc-nogui': '/usr/lib/libreoffice/program/libsclo.so',
  'libreoffice-impress-nogui': '/usr/lib/libreoffice/program/libwpftimpresslo.so',
  // The mail transport's tests start their own private Postfix (SMTP) and Dovecot (IMAP, LMTP) on
  // 127.0.0.1 (test/fixtures/mail-server.ts); the system's mail service stays unconfigured.
  postfix: '/usr/sbin/postfix',
  'dovecot-imapd': '/usr/lib/dovecot/imap',
  'dovecot-lmtpd': '/usr/lib/dovecot/lmtp',
  // PDF/A before signing: OCR text layer for scans (kyso doc add --pdfa), Vietnamese model.
  'tesseract-ocr': '/usr/bin/tesseract',
  'tesseract-ocr-vie': '/usr/share/tesseract-ocr/5/tessdata/vie.traineddata',
  // The package check reads archive XML back (xmllint, for well-formedness by an independent parser).
  'libxml2-utils': '/usr/bin/xmllint',
  // The signing service's SignXML is judged by an independent XML-DSig verifier.
  xmlsec1: '/usr/bin/xmlsec1',
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    process.stderr.write(`[setup] failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

function ensureApt() {
  if (process.platform !== 'linux') return;
  const missing = Object.entries(APT)
    .filter(([, file]) => !existsSync(file))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    process.stderr.write(
      `[setup] These Debian packages are needed: ${missing.join(' ')}\n` +
        `[setup] Install them with: sudo apt-get install -y ${missing.join(' ')}\n`,
    );
    process.exit(1);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const aptGet = (args) => (asRoot ? run('apt-get', args, { env }) : run('sudo', ['-n', 'apt-get', ...args], { env }));
  aptGet(['update', '-qq']);
  if (missing.includes('postfix')) {
    // Installed for the tests' private instances only: "No configuration" leaves the system's own
    // Postfix without a main.cf, so the package starts no mail service of its own.
    const sel = 'postfix postfix/main_mailer_type select No configuration\n';
    if (asRoot) run('debconf-set-selections', [], { input: sel, stdio: ['pipe', 'ignore', 'inherit'] });
    else run('sudo', ['-n', 'debconf-set-selections'], { input: sel, stdio: ['pipe', 'ignore', 'inherit'] });
  }
  aptGet(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
}

function hashOf(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function ensureNpm() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.kyso-lock-hash');
  const want = hashOf(lock) + ':' + process.version;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('installing npm dependencies (npm install, following package-lock.json)');
  // The Electron binary cannot be downloaded on every machine; `npm start` fetches it when it can.
  run('npm', ['install', '--no-audit', '--no-fund'], { env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
  mkdirSync(dirname(stamp), { recursive: true });
  // npm install may tidy the lock file; the stamp records the lock as it is now.
  writeFileSync(stamp, hashOf(lock) + ':' + process.version);
}

function newestMtime(dir) {
  let newest = 0;
  const walk = (d) => {
    for (const name of execFileSync('ls', ['-A', d], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else newest = Math.max(newest, s.mtimeMs);
    }
  };
  if (existsSync(dir)) walk(dir);
  return newest;
}

function bundleCli(esbuild) {
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    // CommonJS, so that bin/kyso.cjs can compile it with V8's code cache (vm.Script cachedData):
    // Node 20 has no module compile cache, and parsing ~1 MB of JavaScript is most of a start.
    format: 'cjs',
    target: 'node20',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  };
  const cli = {
    ...common,
    // pdf.js (text positions for placing visible signatures) is an ES module that loads its own worker
    // file: it stays in node_modules and is imported only when a placement reads the document's text.
    // The mail transport's libraries (imapflow, nodemailer) likewise stay in node_modules: the exchange
    // engine imports the mail transport only when a desk's inbox or a peer uses mail.
    external: ['pkcs11js', 'better-sqlite3', 'electron', 'pdfjs-dist', 'imapflow', 'nodemailer'],
    define: { 'import.meta.url': '__kysoModuleUrl' },
    banner: { js: "var __kysoModuleUrl=require('node:url').pathToFileURL(__filename).href;" },
  };
  esbuild.buildSync({ ...cli, entryPoints: ['dist/main/cli/main.js'], outfile: 'dist/kyso-cli.cjs' });
  // `kyso verify` alone (half the size: no token driver, appearance or schema library to evaluate).
  esbuild.buildSync({ ...cli, entryPoints: ['dist/main/cli/verify-main.js'], outfile: 'dist/kyso-verify.cjs' });
  // What `kyso verify` starts first, and the script of its hashing worker: a few kB that Node loads
  // in a millisecond, so the file is being hashed while the command line above is still loading.
  esbuild.buildSync({ ...common, entryPoints: ['dist/main/cli/verify-early.js'], outfile: 'dist/kyso-early.cjs' });
}

function ensureBuild() {
  const stamp = join(root, 'dist', '.build-stamp');
  const src = Math.max(
    newestMtime(join(root, 'src')),
    ...['tsconfig.json', 'package-lock.json', 'vite.config.ts'].filter((f) => existsSync(join(root, f))).map((f) => statSync(join(root, f)).mtimeMs),
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= src) return;
  log('building (tsc)');
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  // The command line as one bundled file: Node loads it in ~0.1 s instead of ~0.35 s for the module
  // graph (pkijs alone is 800 kB in seven packages), which is most of a signature's wall time.
  log('bundling the command line (esbuild)');
  bundleCli(createRequire(join(root, 'package.json'))('esbuild'));
  if (existsSync(join(root, 'vite.config.ts'))) {
    log('building the renderer (vite)');
    run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn']);
  }
  writeFileSync(stamp, new Date().toISOString());
}

ensureApt();
ensureNpm();
ensureBuild();
log('ready');
