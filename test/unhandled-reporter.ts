// vitest's worker RPC timeout ("Timeout calling onTaskUpdate") is reported as an unhandled error
// when a test worker is busy for a minute, with every test passed; it says nothing about Kyso.
// Every other unhandled error still fails the run.
import type { Reporter } from 'vitest/reporters';

const RPC_TIMEOUT = /^\[vitest-worker\]: Timeout calling "onTaskUpdate"/;

export default class UnhandledErrors implements Reporter {
  onFinished(_files: unknown, errors: readonly unknown[] = []): void {
    const real = errors.filter((e) => !RPC_TIMEOUT.test(String((e as Error | undefined)?.message ?? e)));
    if (real.length) {
      console.error(`${real.length} unhandled error(s) besides vitest's worker RPC timeouts: the run fails.`);
      process.exitCode = 1;
    }
  }
}
