// Issue 12: `kyso verify` against other projects' own test files (pyHanko, iText) and the verdicts
// their tests expect, listed in ../shared/peer/MANIFEST.tsv (rules in ../shared/peer/README.md).
// The files are read where they are, never copied into the project. Each class of change these
// files exercise also has a test of its own that builds the case (verify-changes-rules.test.ts),
// so the behaviour stays when the peer files change.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';

const peerDir = resolve(repoRoot(), '..', 'shared', 'peer');
const realDir = resolve(repoRoot(), '..', 'shared', 'real');
const manifestPath = join(peerDir, 'MANIFEST.tsv');
if (!existsSync(manifestPath)) {
  throw new Error(`the peer test files are missing: ${manifestPath} (they live beside the repository, in ../shared/peer/)`);
}

type Expected = 'intact' | 'modified-allowed' | 'modified-disallowed' | 'broken';
type Kind = 'none' | 'form-fill' | 'annotations' | 'signatures' | 'disallowed';

interface Row {
  file: string;
  expected: Expected;
  changes: string;
  trust: string | null;
  evidence: string;
}

interface SignatureJson {
  index: number;
  field: string;
  kind: string;
  signedAtSource: string | null;
  modificationsAfter: Kind;
  indication: string;
  subIndication: string | null;
  details: { faults: string[]; warnings: string[]; changes: string[]; timestamp: { valid: boolean; problem?: string } | null };
}

function readManifest(): Row[] {
  const lines = readFileSync(manifestPath, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift()!.split('\t');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`MANIFEST.tsv has no column ${name}`);
    return i;
  };
  const [f, e, c, t, ev] = ['file', 'expected', 'expected_changes', 'trust', 'evidence'].map(col) as [number, number, number, number, number];
  return lines.map((l) => {
    const cells = l.split('\t');
    const expected = cells[e] as Expected;
    if (!['intact', 'modified-allowed', 'modified-disallowed', 'broken'].includes(expected)) throw new Error(`MANIFEST.tsv: unknown verdict ${expected}`);
    return { file: cells[f]!, expected, changes: cells[c] ?? 'unknown', trust: cells[t] && cells[t] !== '-' ? cells[t]! : null, evidence: cells[ev] ?? '' };
  });
}

/**
 * The change classes a peer's word stands for. Kyso reports the most severe change over all
 * later updates, and ranks a new signature above annotations and form filling, so an update that
 * fills a field and adds a signature is 'signatures' in Kyso's words.
 */
const ACCEPTED_KINDS: Record<string, Kind[]> = {
  none: ['none'],
  signatures: ['signatures', 'none'],
  form: ['form-fill', 'signatures'],
  annotations: ['annotations', 'signatures'],
};

/** Sub-indications that speak of trust, time or revocation, not of the file: no "broken" verdict rests on them. */
const TRUST_ONLY = new Set(['NO_CERTIFICATE_CHAIN_FOUND', 'OUT_OF_BOUNDS_NO_POE', 'TRY_LATER', 'EXPIRED', 'NOT_YET_VALID', 'REVOKED_NO_POE']);

/** Why Kyso's verdict differs from the peer's, where we are convinced the peer is wrong (file → reason). */
const KYSO_DISAGREES: Record<string, string> = {};

function judge(row: Row, sigs: SignatureJson[]): string | null {
  if (sigs.length === 0) return 'no signature found';
  const failed = sigs.filter((s) => s.indication === 'TOTAL_FAILED');
  const first = sigs[0]!;
  switch (row.expected) {
    case 'intact':
      if (failed.length) return `signature ${failed[0]!.index} TOTAL_FAILED (${failed[0]!.subIndication})`;
      if (first.modificationsAfter !== 'none') return `changes after signature 1 reported as ${first.modificationsAfter}`;
      return null;
    case 'modified-allowed': {
      if (failed.length) return `signature ${failed[0]!.index} TOTAL_FAILED (${failed[0]!.subIndication})`;
      if (first.modificationsAfter === 'disallowed') return 'changes after signature 1 reported as disallowed';
      const accepted = ACCEPTED_KINDS[row.changes];
      if (accepted && !accepted.includes(first.modificationsAfter))
        return `changes after signature 1 are ${first.modificationsAfter}, the peer says ${row.changes}`;
      return null;
    }
    case 'modified-disallowed':
      if (sigs.some((s) => s.modificationsAfter === 'disallowed') || failed.length) return null;
      return `no disallowed change reported (${sigs.map((s) => s.modificationsAfter).join(', ')})`;
    case 'broken':
      if (failed.length) return null;
      if (sigs.some((s) => s.indication === 'INDETERMINATE' && s.subIndication && !TRUST_ONLY.has(s.subIndication))) return null;
      return `no signature failed (${sigs.map((s) => `${s.indication}/${s.subIndication}`).join(', ')})`;
  }
}

const rows = readManifest();
let work: string;
const results: Array<{ row: Row; problem: string | null; summary: string }> = [];

function verify(row: Row): SignatureJson[] {
  return verifyFile(join(peerDir, row.file), row.trust ? [join(peerDir, row.trust)] : []);
}

function verifyFile(file: string, trust: string[]): SignatureJson[] {
  const args = ['verify', file, '--json', '--offline', ...trust.flatMap((t) => ['--trust', t])];
  const r = spawnSync(join(repoRoot(), 'bin', 'kyso'), args, {
    encoding: 'utf8',
    env: { ...process.env, KYSO_TRUST: '', XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache') },
    timeout: 60_000,
  });
  if (!r.stdout.trim().startsWith('{')) throw new Error(`kyso verify ${file}: exit ${r.status}, ${r.stderr.trim()}`);
  return (JSON.parse(r.stdout) as { signatures: SignatureJson[] }).signatures;
}

beforeAll(() => {
  work = makeTempDir('verify-peer');
});

afterAll(() => {
  const bySource = new Map<string, { agree: number; total: number }>();
  for (const { row, problem } of results) {
    const source = row.file.split('/')[0]!;
    const s = bySource.get(source) ?? { agree: 0, total: 0 };
    s.total++;
    if (!problem) s.agree++;
    bySource.set(source, s);
  }
  const agree = results.filter((r) => !r.problem).length;
  const parts = [...bySource].map(([k, v]) => `${k} ${v.agree}/${v.total}`).join(', ');
  console.log(`peer agreement: ${agree}/${results.length} (${parts})`);
  for (const r of results) if (r.problem) console.log(`  ${KYSO_DISAGREES[r.row.file] ? 'kept ' : 'DIFF '}${r.row.file}: ${r.problem} [${r.summary}]`);
  removeTempDir(work);
});

describe('peer test files (../shared/peer/MANIFEST.tsv)', () => {
  test.each(rows.map((r) => [r.file, r] as const))('%s', (_name, row) => {
    const sigs = verify(row);
    const problem = judge(row, sigs);
    const summary = sigs.map((s) => `${s.index}:${s.indication}/${s.subIndication ?? '-'} ${s.modificationsAfter}`).join('; ');
    results.push({ row, problem, summary });
    const reason = KYSO_DISAGREES[row.file];
    if (reason) {
      // Kyso keeps its own verdict here; the test guards that it does not drift to the peer's by accident.
      expect(problem, `${row.file}: expected Kyso to keep its verdict (${reason})`).not.toBeNull();
    } else {
      expect(problem, `${row.file} (${row.expected}, ${row.changes}; ${row.evidence}): ${summary}`).toBeNull();
    }
  });
});

describe('the VGCA-signed PDF (../shared/real/pdf): its signature timestamp', () => {
  const pdf = join(realDir, 'pdf', 'vgca-g1_bo-tttt_guide-install-openvpn.signed.pdf');
  const vgcaRoot = join(realDir, 'certs', 'vgca-g1_rootca_co-quan-chung-thuc-so-chuyen-dung-chinh-phu.pem');
  if (!existsSync(pdf) || !existsSync(vgcaRoot)) throw new Error(`the real test files are missing in ${realDir}`);

  test('with the VGCA root trusted, the timestamp verifies and dates the signature', () => {
    const [sig] = verifyFile(pdf, [vgcaRoot]);
    expect(sig!.details.timestamp).toMatchObject({ valid: true });
    expect(sig!.signedAtSource).toBe('timestamp');
    expect(sig!.details.warnings.join('\n')).not.toMatch(/timestamp does not verify/);
  });

  test('without it, the report says which check failed: the TSA certificate is not trusted', () => {
    const [sig] = verifyFile(pdf, []);
    expect(sig!.details.timestamp?.problem).toMatch(/^the TSA certificate \(.+\) does not chain to a trusted root$/);
    expect(sig!.signedAtSource).toBe('claimed');
  });
});
