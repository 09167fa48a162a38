// Dates and times as Vietnamese documents write them: Vietnam time (UTC+07:00, no daylight
// saving), ISO 8601 with the offset for stamps, and the issue date's day and month as NĐ 30 pads them.
import { KysoError } from '../../shared/errors.js';

const OFFSET_MS = 7 * 3600_000;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** "2026-05-12T10:15:30+07:00": the signing time in Vietnam time, whatever the machine's zone. */
export function isoVietnam(d: Date): string {
  const v = new Date(d.getTime() + OFFSET_MS);
  return (
    `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}` +
    `T${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}+07:00`
  );
}

/** "2026-05-12": the calendar day in Vietnam at instant d. */
export function vietnamDay(d: Date): string {
  return isoVietnam(d).slice(0, 10);
}

export interface IssueDate {
  year: number;
  month: number;
  day: number;
  /** YYYY-MM-DD. */
  iso: string;
}

/** Reads "YYYY-MM-DD" (a real calendar day) or throws ISSUE_DATE_INVALID. */
export function parseIssueDate(value: string): IssueDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const d = new Date(Date.UTC(year, month - 1, day));
    if (d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day)
      return { year, month, day, iso: `${m[1]}-${m[2]}-${m[3]}` };
  }
  throw new KysoError('ISSUE_DATE_INVALID', { value });
}

/** The issue date of signing time d. */
export function issueDateOf(d: Date): IssueDate {
  return parseIssueDate(vietnamDay(d));
}

/**
 * Day and month as written after "ngày" and "tháng": NĐ 30 adds a leading zero to days below 10
 * and to months 1 and 2 ("ngày 05 tháng 02", but "tháng 3").
 */
export function issueDateParts(d: IssueDate): { day: string; month: string; year: string } {
  return { day: pad(d.day), month: d.month <= 2 ? pad(d.month) : String(d.month), year: String(d.year) };
}

/** Refuses an organisation signature made on another day than the issue date (AG Đ13.2). */
export function checkIssueDate(issued: IssueDate, signingTime: Date): void {
  const today = vietnamDay(signingTime);
  if (today !== issued.iso) throw new KysoError('ISSUE_DATE_NOT_SIGNING_DATE', { issued: issued.iso, today });
}
