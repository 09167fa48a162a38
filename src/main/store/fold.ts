// Vietnamese text folded for search: without tone marks and with đ as d, lower case, so that a
// clerk typing "quyet dinh" finds "Quyết định" and "QĐ" matches "qd". Used both when rows are
// indexed (FTS5) and when a query is built, so the two always agree.

/** "Quyết định số 203/QĐ-SYT" → "quyet dinh so 203/qd-syt". */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

/** The words of a folded text (letters and digits), as the FTS5 unicode61 tokenizer splits them. */
export function words(s: string): string[] {
  return fold(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * An FTS5 MATCH expression for what the person typed: every word must occur, the last one as a
 * prefix (typing "quyet di" finds "quyết định"). Each word is quoted, so no input can inject FTS5
 * syntax. Undefined when nothing searchable was typed.
 */
export function ftsQuery(text: string): string | undefined {
  const w = words(text);
  if (w.length === 0) return undefined;
  return w.map((x, i) => (i === w.length - 1 ? `"${x}"*` : `"${x}"`)).join(' ');
}

/** A date typed as YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY, as YYYY-MM-DD; else undefined. */
export function typedDate(text: string): string | undefined {
  const t = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (m) return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  if (m) return `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  return undefined;
}

/** The instants [from, to) of a calendar day in Vietnam (UTC+07:00), as ISO strings like those stored. */
export function vietnamDayBounds(day: string): [string, string] {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const from = Date.UTC(y, m - 1, d) - 7 * 3600_000;
  return [new Date(from).toISOString(), new Date(from + 86_400_000).toISOString()];
}
