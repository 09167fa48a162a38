// Type-checking is part of the test run: the engine (tsconfig.json), the Electron main process,
// the preload and the renderer each compile without errors under strict settings.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function typecheck(project: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', project, '--noEmit', '--pretty', 'false'], { cwd: root });
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
