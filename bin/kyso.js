#!/usr/bin/env node
// The `kyso` command. Runs the bundled command line (dist/kyso-cli.mjs) made by the setup script
// (`npm run setup`; `npm test`, `npm run demo` and `npm run bench` run it first), or the unbundled
// build when the bundle is missing.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/kyso-cli.mjs', import.meta.url);
const plain = new URL('../dist/main/cli/main.js', import.meta.url);
const entry = existsSync(fileURLToPath(bundle)) ? bundle : plain;
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'Lỗi: Kyso chưa được biên dịch. Hãy chạy "npm run setup". | Error: Kyso is not built yet. Run "npm run setup".\n',
  );
  process.exit(70);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
