// Type-checking is part of the test run: the engine (tsconfig.json), the Electron main process,
// the preload and the renderer each compile without errors under strict settings.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function typecheck(project: string, extra: string[] = ['--noEmit']): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', project, ...extra, '--pretty', 'false'], { cwd: root });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('type-checking', () => {
  test.each(['tsconfig.json', 'tsconfig.electron.json', 'tsconfig.preload.json', 'tsconfig.renderer.json'])('%s compiles without errors', async (project) => {
    const r = await typecheck(project);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('the Electron app builds', () => {
  test('main process (tsc) and preload (esbuild bundle for the sandbox) build without errors', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kyso-build-'));
    try {
      const main = await typecheck('tsconfig.electron.json', ['--outDir', out]);
      expect(main.out).toBe('');
      expect(main.code).toBe(0);
      expect(readFileSync(join(out, 'main', 'electron', 'main.js'), 'utf8')).toContain('contextIsolation');
      const esbuild = (await import('esbuild')) as typeof import('esbuild');
      const r = await esbuild.build({
        entryPoints: [join(root, 'src', 'preload', 'preload.ts')],
        bundle: true,
        platform: 'browser',
        format: 'cjs',
        external: ['electron'],
        outfile: join(out, 'preload.cjs'),
        logLevel: 'silent',
      });
      expect(r.errors).toEqual([]);
      const preload = readFileSync(join(out, 'preload.cjs'), 'utf8');
      // A sandboxed preload may require only "electron": everything else is bundled.
      expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
