// Phase timings on stderr when KYSO_TRACE is set: how `npm run bench` figures are explained.
const enabled = Boolean(process.env.KYSO_TRACE);
const start = performance.now();

export function trace(phase: string): void {
  if (enabled) process.stderr.write(`[trace] ${(performance.now() - start).toFixed(1).padStart(8)} ms  ${phase}\n`);
}
