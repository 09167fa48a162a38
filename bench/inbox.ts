// `npm run bench`, the inbox part: 100,000 received documents generated into a temporary
// database (the store's own insert, so the same indexes and full-text index as in use), then the
// screens' queries through the workflow service — first page by urgency and by date, the new
// ones, and searches by number, title word, signer and date — timed as the median of several
// runs, against the goal of 50 ms per query.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptInbox, insertInbox, rejectInbox, type NewInboxRow } from '../src/main/store/inbox.js';
import { loadTrustStore } from '../src/main/verify/chain.js';
import { WorkflowService } from '../src/main/workflow/service.js';
import type { InboxQuery } from '../src/main/store/inbox.js';

const COUNT = Number(process.env.KYSO_BENCH_INBOX ?? 100_000);
const RUNS = Number(process.env.KYSO_BENCH_INBOX_RUNS ?? 15);
const GOAL_MS = 50;

/** A small deterministic generator, so every run measures the same inbox. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Quốc', 'Thanh', 'Đức', 'Ngọc'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Giang', 'Hà', 'Hùng', 'Lan', 'Long', 'Mai', 'Nam', 'Phong', 'Quang', 'Sơn', 'Thảo', 'Tuấn', 'Việt', 'Yến'];
const AGENCIES = ['UBND tỉnh Quảng Ninh', 'Sở Y tế', 'Sở Tài chính', 'Sở Nội vụ', 'Sở Giáo dục và Đào tạo', 'Sở Thông tin và Truyền thông', 'Bộ Y tế', 'Văn phòng Chính phủ', 'UBND thành phố Hạ Long', 'Sở Kế hoạch và Đầu tư'];
const SYMBOLS = ['UBND-VP', 'SYT-NVY', 'STC-QLNS', 'SNV-TCBC', 'BYT-KCB', 'VPCP-KSTT', 'QĐ-UBND', 'KH-SYT', 'TB-STTTT'];
const KINDS = ['Công văn', 'Quyết định', 'Kế hoạch', 'Thông báo', 'Báo cáo', 'Tờ trình', 'Giấy mời'];
const TOPICS = [
  'về việc triển khai chuyển đổi số',
  'về công tác phòng, chống dịch bệnh',
  'về việc báo cáo kết quả thực hiện nhiệm vụ quý',
  'về việc tổ chức hội nghị sơ kết',
  'về việc cử cán bộ tham dự tập huấn',
  'về việc phân bổ kinh phí năm',
  'về việc kiện toàn ban chỉ đạo',
  'về tăng cường công tác văn thư, lưu trữ',
  'về việc sử dụng chữ ký số chuyên dùng',
  'về việc kiểm tra an toàn thực phẩm',
  'về việc tuyển dụng viên chức',
  'về việc xây dựng dự toán ngân sách',
];

/** The number and symbol of the i-th generated document (so the bench knows one to look for). */
const numberOf = (i: number): string => `${1 + (i % 9999)}/${SYMBOLS[i % SYMBOLS.length]}`;

function verdictJson(signers: string[], indication: string, at: string): string {
  // The shape and size of a real FileVerdict (one object per signature with its messages).
  return JSON.stringify({
    indication,
    subIndication: indication === 'TOTAL_PASSED' ? null : 'NO_CERTIFICATE_CHAIN_FOUND',
    messages: { vi: 'Tất cả chữ ký số hợp lệ.', en: 'All signatures are valid.' },
    verifiedAt: at,
    signatures: signers.map((cn, i) => ({
      index: i + 1,
      field: i === signers.length - 1 ? 'Organisation1' : 'Leader1',
      signer: { commonName: cn, organization: 'Sở Y tế tỉnh Quảng Ninh', issuer: 'CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN', notBefore: at, notAfter: at },
      signedAt: at,
      signedAtSource: 'claimed',
      integrity: 'valid',
      chain: 'trusted',
      certificate: 'valid',
      modificationsAfter: 'none',
      indication,
      subIndication: null,
      messages: { vi: `Chữ ký ${i + 1} của ${cn}: HỢP LỆ. Chứng thư số còn hiệu lực và được tin cậy.`, en: `Signature ${i + 1} by ${cn}: VALID. The certificate is valid and trusted.` },
    })),
  });
}

function generate(desk: WorkflowService, n: number): void {
  const r = rng(20260512);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const start = Date.UTC(2025, 0, 1);
  const span = Date.UTC(2026, 11, 31) - start;
  const db = desk.store.db;
  const BATCH = 10_000;
  for (let done = 0; done < n; done += BATCH) {
    desk.store.tx(() => {
      for (let i = done; i < Math.min(n, done + BATCH); i++) {
        // Arrival order: received_at grows with the row id, as it does in use.
        const at = new Date(start + (span * i) / n + Math.floor(r() * 60_000)).toISOString();
        const leader = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
        const agency = pick(AGENCIES);
        const signers = [leader, agency];
        const u = r();
        const urgency = u < 0.01 ? 'flash' : u < 0.05 ? 'very-urgent' : u < 0.15 ? 'urgent' : 'normal';
        const s = r();
        const row: NewInboxRow = {
          file_name: `van-ban-${i + 1}.pdf`,
          sha256: (i + 1).toString(16).padStart(64, '0'),
          size: 50_000 + Math.floor(r() * 2_000_000),
          received_at: at,
          sender: agency,
          title: `${pick(KINDS)} ${pick(TOPICS)}`,
          number_symbol: numberOf(i),
          issue_date: at.slice(0, 10),
          urgency,
          secrecy: 'none',
          signers: signers.join('; '),
          indication: s < 0.97 ? 'TOTAL_PASSED' : s < 0.99 ? 'INDETERMINATE' : 'TOTAL_FAILED',
          verdict_json: verdictJson(signers, 'TOTAL_PASSED', at),
          verified_at: at,
        };
        const id = insertInbox(db, row);
        // Most of an inbox has been handled: registered (số đến per year) or returned.
        if (i < n - 2000) {
          if (s < 0.99) acceptInbox(db, id, Number(at.slice(0, 4)), at);
          else rejectInbox(db, id, 'Chữ ký số không hợp lệ', at);
        }
      }
    });
  }
  db.pragma('optimize');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchInbox(keepDir?: string): Promise<boolean> {
  const dir = keepDir ?? mkdtempSync(join(tmpdir(), 'kyso-bench-inbox-'));
  try {
    const desk = WorkflowService.open({ dataDir: dir, trust: () => loadTrustStore([]) });
    const t0 = performance.now();
    generate(desk, COUNT);
    const genS = (performance.now() - t0) / 1000;
    const size = statSync(join(dir, 'kyso.db')).size;
    process.stdout.write(`\ninbox: ${COUNT.toLocaleString('en')} documents generated in ${genS.toFixed(1)} s (database ${(size / 1048576).toFixed(0)} MB); median of ${RUNS} runs per query, 50 per page\n`);
    const queries: Array<[string, InboxQuery]> = [
      ['list: first page, urgency order', { order: 'urgency' }],
      ['list: first page, date order', { order: 'date' }],
      ['list: new (not yet decided), urgency', { status: 'new' }],
      ['list: page 40, date order', { order: 'date', offset: 2000 }],
      [`search: number "${numberOf(54_321)}"`, { text: numberOf(54_321) }],
      ['search: title word "chuyển đổi số"', { text: 'chuyển đổi số' }],
      ['search: rare word "tuyển dụng"', { text: 'tuyển dụng', order: 'date' }],
      ['search: signer "Nguyễn Văn Hùng"', { text: 'Nguyễn Văn Hùng' }],
      ['search: sender "Sở Tài chính", new', { text: 'Sở Tài chính', status: 'new' }],
      ['search: date "12/05/2026"', { text: '12/05/2026' }],
      ['search: prefix "kiểm tr"', { text: 'kiểm tr', order: 'date' }],
    ];
    let allPass = true;
    for (const [name, q] of queries) {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        rows = desk.listInbox({ limit: 50, ...q }).length;
        times.push(performance.now() - t);
      }
      const ms = median(times);
      const pass = ms <= GOAL_MS && rows > 0;
      allPass &&= pass;
      process.stdout.write(`${pass ? 'PASS' : 'MISS'}  ${name.padEnd(40)} ${ms.toFixed(2).padStart(7)} ms  (${rows} rows; max ${Math.max(...times).toFixed(1)} ms)\n`);
    }
    desk.close();
    return allPass;
  } finally {
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
}
