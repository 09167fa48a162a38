// Crash points for the tests of atomicity: with KYSO_CRASH_AT set to a point's name, the process
// kills itself (SIGKILL: no clean-up, no flush) when it gets there. Unset in normal use.
export type CrashPoint = 'after-sign' | 'after-file' | 'in-transaction' | 'after-commit';

export function crashPoint(point: CrashPoint): void {
  if (process.env.KYSO_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
