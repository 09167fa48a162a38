// Per-agency placement presets (assets/presets.json): where each role's appearance goes and how
// large it is. The values the regulations leave open ([I] or to confirm in the domain notes) live
// there, in one configurable place, not in the code.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { KysoError } from '../../shared/errors.js';
import { assetPath } from './assets.js';

const Colour = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1)]);

const LeaderSchema = z.object({
  /** Largest signature image, points. */
  maxWidth: z.number().positive(),
  maxHeight: z.number().positive(),
  /** Height of the signature box above the name when no title line is found. */
  heightWithoutTitle: z.number().positive(),
  /** Space kept clear below the title and above the name. */
  padding: z.number().min(0),
  /** How far (points) the title's centre may lie from the name's to be the same signature block. */
  columnTolerance: z.number().positive(),
});

const OrgOverLeader = z.object({
  placement: z.literal('over-leader'),
  /** The seal's real diameter when its PNG does not state a resolution. */
  sealSizeMm: z.number().positive(),
  /** Share of the leader's signature image the seal covers, from its left (NĐ 30: about a third). */
  coverFraction: z.number().min(0).max(1),
});

const OrgUnderNumber = z.object({
  placement: z.literal('under-number'),
  anchor: z.string().min(1),
  width: z.number().positive(),
  /** Height wanted, and the least height accepted when text below leaves less room. */
  height: z.number().positive(),
  minHeight: z.number().positive(),
  gap: z.number().min(0),
  nameSize: z.number().positive(),
  timeSize: z.number().positive(),
});

const PresetSchema = z.object({
  label: z.string(),
  leader: LeaderSchema,
  org: z.discriminatedUnion('placement', [OrgOverLeader, OrgUnderNumber]),
  drafter: z.object({
    anchor: z.string().min(1),
    fontSize: z.number().positive(),
    imageHeight: z.number().positive(),
    gap: z.number().min(0),
    color: Colour,
  }),
  stamp: z.object({
    fontSize: z.number().positive(),
    rightMm: z.number().min(0),
    topMm: z.number().min(0),
    leading: z.number().positive(),
  }),
  numbering: z.object({
    numberAnchor: z.string().min(1),
    fontSize: z.number().positive(),
  }),
});

export type Preset = z.infer<typeof PresetSchema>;
export type OrgPlacement = Preset['org'];

const SECTIONS = ['leader', 'org', 'drafter', 'stamp', 'numbering'] as const;
type RawPreset = Record<string, unknown> & { extends?: string };

let cache: Map<string, Preset> | undefined;

/** Merges a preset over the one it extends, section by section. */
function resolveRaw(all: Record<string, RawPreset>, name: string, depth = 0): Record<string, unknown> {
  const raw = all[name];
  if (!raw || typeof raw !== 'object') throw new Error(`preset "${name}" is not defined`);
  if (!raw.extends) return raw;
  if (depth > 8) throw new Error(`preset "${name}" extends itself`);
  const base = resolveRaw(all, raw.extends, depth + 1);
  const out: Record<string, unknown> = { ...base, ...raw };
  for (const s of SECTIONS) {
    const b = base[s];
    const r = raw[s];
    if (b && r && typeof b === 'object' && typeof r === 'object') {
      // A section that changes how it places (org: over-leader -> under-number) replaces the base's.
      const replaces = 'placement' in r && (r as { placement: unknown }).placement !== (b as { placement?: unknown }).placement;
      out[s] = replaces ? r : { ...b, ...r };
    }
  }
  delete out.extends;
  return out;
}

/** Reads presets from a JSON text (the shipped file, or a test's). */
export function parsePresets(json: string, source = 'presets.json'): Map<string, Preset> {
  let all: Record<string, RawPreset>;
  try {
    all = JSON.parse(json) as Record<string, RawPreset>;
  } catch (e) {
    throw new KysoError('ASSET_INVALID', { path: source, reason: (e as Error).message });
  }
  const out = new Map<string, Preset>();
  for (const name of Object.keys(all)) {
    try {
      out.set(name, PresetSchema.parse(resolveRaw(all, name)));
    } catch (e) {
      const reason = e instanceof z.ZodError ? e.issues.map((i) => `${name}.${i.path.join('.')}: ${i.message}`).join('; ') : (e as Error).message;
      throw new KysoError('ASSET_INVALID', { path: source, reason });
    }
  }
  return out;
}

export function loadPresets(): Map<string, Preset> {
  if (cache) return cache;
  const path = assetPath('presets.json');
  cache = parsePresets(readFileSync(path, 'utf8'), path);
  return cache;
}

export const DEFAULT_PRESET = 'nd30';

export function getPreset(name: string = DEFAULT_PRESET): Preset {
  const all = loadPresets();
  const p = all.get(name);
  if (!p) throw new KysoError('PRESET_UNKNOWN', { name, known: [...all.keys()].join(', ') });
  return p;
}
