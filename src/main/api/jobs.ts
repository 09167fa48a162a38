// Long tasks (batch signing) run in the background and are polled by the screens: the same on
// IPC and HTTP, and a progress bar needs nothing more than total/done.
import { randomUUID } from 'node:crypto';
import { KysoError, toKysoError } from '../../shared/errors.js';
import type { Job } from '../../shared/contract.js';

export class Jobs {
  private readonly jobs = new Map<string, Job>();

  /**
   * Starts `work` on each item in turn inside `around` (one token login for the whole batch); one
   * failure does not stop the others, and a failure of `around` itself (a wrong PIN) fails them all.
   */
  start<S>(ids: string[], around: (loop: (session: S) => Promise<void>) => Promise<void>, work: (session: S, id: string) => Promise<void>): string {
    const job: Job = { id: randomUUID(), total: ids.length, done: 0, failed: 0, current: null, finished: false, results: [] };
    this.jobs.set(job.id, job);
    void (async () => {
      try {
        await around(async (session) => {
          for (const id of ids) {
            job.current = id;
            try {
              await work(session, id);
              job.results.push({ id, ok: true });
            } catch (e) {
              job.failed++;
              job.results.push({ id, ok: false, error: toKysoError(e).toPayload() });
            }
            job.done++;
          }
        });
      } catch (e) {
        const error = toKysoError(e).toPayload();
        for (const id of ids.slice(job.done)) {
          job.failed++;
          job.done++;
          job.results.push({ id, ok: false, error });
        }
      }
      job.current = null;
      job.finished = true;
    })();
    return job.id;
  }

  get(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new KysoError('JOB_NOT_FOUND', { id });
    return structuredClone(job);
  }
}
