// Crash points for the tests of atomicity: with KYSO_CRASH_AT set to a point's name, the process
// kills itself (SIGKILL: no clean-up, no flush) when it gets there. Unset in normal use.
export type CrashPoint =
  | 'after-sign'
  | 'after-file'
  | 'in-transaction'
  | 'after-commit'
  // The exchange's sync: a package delivered but not yet recorded as sent; recorded; a received
  // package half taken in (inside its transaction); taken in but not yet moved aside.
  | 'exchange-after-send'
  | 'exchange-after-send-commit'
  | 'exchange-in-receive'
  | 'exchange-before-ack';

export function crashPoint(point: CrashPoint): void {
  if (process.env.KYSO_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
