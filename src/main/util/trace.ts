// Phase timings on stderr when KYSO_TRACE is set, in milliseconds since the process started:
// how `npm run bench` figures are explained.
const enabled = Boolean(process.env.KYSO_TRACE);

export function trace(phase: string): void {
  if (enabled) process.stderr.write(`[trace] ${performance.now().toFixed(1).padStart(8)} ms  ${phase}\n`);
}
