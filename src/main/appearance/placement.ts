// Where each signature's appearance goes, as the regulations place it (NĐ 30, Appendix I):
// the leader's image between the title and the name, the seal over the left third of it, the
// Quảng Ninh organisation block under "Số:", the drafter's initials after the "Lưu:" line, the
// attachment stamp at the top right of page 1; or an explicit rectangle. Every placement by
// text fails with ANCHOR_NOT_FOUND rather than guess.
import { KysoError } from '../../shared/errors.js';
import type { PageInfo } from '../pdf/reader.js';
import { charsBox, findInLines, type DocumentText, type TextLine, type TextMatch } from './anchors.js';
import { box, fromFrame, height, insideCrop, toCropRect, toFrame, visualPage, width, type Box, type Rotation } from './geometry.js';
import type { Preset } from './presets.js';

/** A placed appearance: the page, the annotation's rectangle in user space, and which way is up. */
export interface Placement {
  /** 0-based page index. */
  page: number;
  box: Box;
  rotation: Rotation;
}

const MM = 72 / 25.4;

/** The visual size (upright) of a placement's box. */
export function visualSize(p: Placement): { width: number; height: number } {
  return p.rotation === 90 || p.rotation === 270 ? { width: height(p.box), height: width(p.box) } : { width: width(p.box), height: height(p.box) };
}

/** Refuses a computed placement that is not on the visible page. */
export function checkInside(pages: PageInfo[], p: Placement): Placement {
  const page = pages[p.page]!;
  if (!insideCrop(page, p.box)) throw new KysoError('PLACEMENT_OUTSIDE_PAGE', { page: p.page + 1, rect: toCropRect(page, p.box).join(',') });
  return p;
}

/** The first run of the page's text a box (user space) would cover, or undefined when it covers none. */
export function coveredText(lines: TextLine[], b: Box, tolerance = 0.5): string | undefined {
  for (const line of lines) {
    const f = toFrame(b, line.rotation);
    const bottom = line.baseline - 0.22 * line.size;
    const top = line.baseline + 0.92 * line.size;
    if (top <= f.y0 + tolerance || bottom >= f.y1 - tolerance) continue;
    const hit = line.chars.findIndex((c) => c.ch !== ' ' && c.x1 > f.x0 + tolerance && c.x0 < f.x1 - tolerance);
    if (hit < 0) continue;
    // The word hit, for the message.
    let a = hit;
    let z = hit;
    while (a > 0 && line.chars[a - 1]!.ch !== ' ') a--;
    while (z < line.chars.length - 1 && line.chars[z + 1]!.ch !== ' ') z++;
    return line.text.slice(a, z + 1);
  }
  return undefined;
}

/** Refuses a computed placement that would draw over the document's text: PLACEMENT_NO_ROOM, never a silent overlap. */
export async function checkClearOfText(text: DocumentText, pages: PageInfo[], p: Placement): Promise<Placement> {
  const covered = coveredText(await text.lines(p.page), p.box);
  if (covered !== undefined) throw new KysoError('PLACEMENT_NO_ROOM', { page: p.page + 1, rect: toCropRect(pages[p.page]!, p.box).join(','), text: covered });
  return p;
}

/** An explicit rectangle [x, y, w, h] from the crop box's lower-left corner, upright as the page is seen. */
export function placeExplicit(pages: PageInfo[], pageIndex: number, rect: [number, number, number, number]): Placement {
  const page = pages[pageIndex];
  if (!page) throw new KysoError('PDF_PAGE_OUT_OF_RANGE', { page: pageIndex + 1, pages: pages.length });
  const [cx, cy] = page.cropBox;
  const [x, y, w, h] = rect;
  return { page: pageIndex, box: box(cx + x, cy + y, cx + x + w, cy + y + h), rotation: page.rotate };
}

/** Pages to search: the one asked for, or all from `order`. */
function pageOrder(count: number, only: number | undefined, order: 'first' | 'last'): number[] {
  if (only !== undefined) return [only];
  const all = [...Array(count).keys()];
  return order === 'last' ? all.reverse() : all;
}

function where(count: number, only: number | undefined): string {
  return only !== undefined ? String(only + 1) : count > 1 ? `1–${count}` : '1';
}

/** Matches of the first anchor found, on the first page (in `order`) that has one. */
async function findOnPages(text: DocumentText, anchor: string, pages: number[]): Promise<{ page: number; matches: TextMatch[]; lines: TextLine[] } | undefined> {
  for (const page of pages) {
    const lines = await text.lines(page);
    const matches = findInLines(lines, anchor);
    if (matches.length) return { page, matches, lines };
  }
  return undefined;
}

const centre = (b: Box): number => (b.x0 + b.x1) / 2;

export interface LeaderRequest {
  text: DocumentText;
  preset: Preset['leader'];
  /** The signer's name as printed under the signature (cell 7b). */
  name?: string;
  /** The signer's title line (cell 7a), e.g. "GIÁM ĐỐC". */
  title?: string;
  /** Width / height of the signature image; the box takes this shape. */
  aspect?: number;
  /** 0-based page to search only. */
  page?: number;
}

/** The leader's signature box: centred between the title and the name (cell 7c). */
export async function placeLeader(req: LeaderRequest): Promise<Placement> {
  const { text, preset: p } = req;
  const pages = pageOrder(text.pageCount, req.page, 'last');
  const byName = req.name ? await findOnPages(text, req.name, pages) : undefined;
  let name: TextMatch | undefined;
  let title: TextMatch | undefined;
  let page: number;
  if (byName) {
    page = byName.page;
    name = byName.matches[byName.matches.length - 1]!;
    if (req.title) {
      const n = name;
      const candidates = findInLines(byName.lines, req.title).filter(
        (t) => t.line.rotation === n.line.rotation && t.box.y0 > n.box.y1 && Math.abs(centre(t.box) - centre(n.box)) <= p.columnTolerance,
      );
      title = candidates.sort((a, b) => a.box.y0 - b.box.y0)[0];
    }
  } else if (req.title) {
    const byTitle = await findOnPages(text, req.title, pages);
    if (!byTitle) throw new KysoError('ANCHOR_NOT_FOUND', { anchor: [req.name, req.title].filter(Boolean).join('" / "'), where: where(text.pageCount, req.page) });
    page = byTitle.page;
    title = byTitle.matches[byTitle.matches.length - 1]!;
  } else {
    throw new KysoError('ANCHOR_NOT_FOUND', { anchor: req.name ?? '', where: where(text.pageCount, req.page) });
  }
  const rotation = (name ?? title)!.line.rotation;
  let top: number;
  let bottom: number;
  if (name && title) {
    top = title.box.y0 - p.padding;
    bottom = name.box.y1 + p.padding;
  } else if (name) {
    bottom = name.box.y1 + p.padding;
    top = bottom + p.heightWithoutTitle;
  } else {
    top = title!.box.y0 - p.padding;
    bottom = top - p.heightWithoutTitle;
  }
  const available = Math.min(top - bottom, p.maxHeight);
  const cx = name && title ? (centre(name.box) + centre(title.box)) / 2 : centre((name ?? title)!.box);
  const cy = (top + bottom) / 2;
  let h = available;
  let w = p.maxWidth;
  if (req.aspect && req.aspect > 0) {
    h = Math.min(available, p.maxWidth / req.aspect);
    w = h * req.aspect;
  }
  if (h < 8) throw new KysoError('ANCHOR_NOT_FOUND', { anchor: `${req.title ?? ''} … ${req.name ?? ''}`, where: String(page + 1) });
  const frameBox = box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
  return { page, box: fromFrame(frameBox, rotation), rotation };
}

/**
 * The seal at its real size over the left part of the leader's signature image (cell 8): its
 * right edge at `coverFraction` of the image's width, vertically centred on it.
 */
export function placeSealOverLeader(leader: Placement, seal: { width: number; height: number }, coverFraction: number): Placement {
  const l = toFrame(leader.box, leader.rotation);
  const right = l.x0 + coverFraction * width(l);
  const cy = (l.y0 + l.y1) / 2;
  const frameBox = box(right - seal.width, cy - seal.height / 2, right, cy + seal.height / 2);
  return { page: leader.page, box: fromFrame(frameBox, leader.rotation), rotation: leader.rotation };
}

/**
 * Quảng Ninh (QN Đ14.3a): page 1, at the left margin (where the page's text column starts),
 * just under the number and symbol. The block is as tall as the preset asks, but stops short of
 * the first line of text below it that it would cover (the title, in the NĐ 30 layout); when less
 * than `minHeight` is left, PLACEMENT_NO_ROOM, rather than draw over the text.
 */
export async function placeUnderNumber(
  text: DocumentText,
  pages: PageInfo[],
  o: { anchor: string; width: number; height: number; minHeight: number; gap: number },
  pageIndex = 0,
): Promise<Placement> {
  const found = await findOnPages(text, o.anchor, [pageIndex]);
  if (!found) throw new KysoError('ANCHOR_NOT_FOUND', { anchor: o.anchor, where: String(pageIndex + 1) });
  const m = found.matches[0]!;
  const rotation = m.line.rotation;
  const sameWay = found.lines.filter((l) => l.rotation === rotation);
  const left = Math.min(m.box.x0, ...sameWay.map((l) => l.chars[0]!.x0));
  const right = left + o.width;
  const top = m.box.y0 - o.gap;
  let bottom = top - o.height;
  for (const l of sameWay) {
    if (l === m.line) continue;
    const covered = l.chars.some((c) => c.ch !== ' ' && c.x1 > left && c.x0 < right);
    if (!covered) continue;
    const lineBox = charsBox(l, 0, l.chars.length);
    if (lineBox.y0 >= top || lineBox.y1 <= bottom - o.gap) continue;
    bottom = Math.max(bottom, lineBox.y1 + o.gap);
  }
  const frameBox = box(left, Math.min(bottom, top - o.minHeight), right, top);
  const placement: Placement = { page: found.page, box: fromFrame(frameBox, rotation), rotation };
  if (top - bottom < o.minHeight) {
    throw new KysoError('PLACEMENT_NO_ROOM', { page: found.page + 1, rect: toCropRect(pages[found.page]!, placement.box).join(','), text: coveredText(found.lines, placement.box) ?? '' });
  }
  return placement;
}

/** End of the run of text the match starts, before a gap wider than a column gutter. */
export function segmentEnd(line: TextLine, from: number): number {
  let end = line.chars[from]!.x1;
  for (let i = from; i < line.chars.length; i++) {
    const c = line.chars[i]!;
    if (c.ch === ' ' && c.x1 - c.x0 > 1.5 * line.size) break;
    if (c.ch !== ' ') end = c.x1;
  }
  return end;
}

/** The drafter's initials (ký nháy): a small mark after the line holding the anchor ("Lưu: VT, …"). */
export async function placeAfterLine(
  text: DocumentText,
  o: { anchor: string; gap: number; width: number; height: number; page?: number },
): Promise<Placement> {
  const found = await findOnPages(text, o.anchor, pageOrder(text.pageCount, o.page, 'last'));
  if (!found) throw new KysoError('ANCHOR_NOT_FOUND', { anchor: o.anchor, where: where(text.pageCount, o.page) });
  const m = found.matches[found.matches.length - 1]!;
  const x0 = segmentEnd(m.line, m.start) + o.gap;
  const y0 = m.line.baseline - 0.3 * o.height;
  const frameBox = box(x0, y0, x0 + o.width, y0 + o.height);
  return { page: found.page, box: fromFrame(frameBox, m.line.rotation), rotation: m.line.rotation };
}

/** Below an arbitrary anchor, left-aligned with it: a generic placement for --anchor. */
export async function placeBelowAnchor(
  text: DocumentText,
  o: { anchor: string; width: number; height: number; gap: number; page?: number },
): Promise<Placement> {
  const found = await findOnPages(text, o.anchor, pageOrder(text.pageCount, o.page, 'first'));
  if (!found) throw new KysoError('ANCHOR_NOT_FOUND', { anchor: o.anchor, where: where(text.pageCount, o.page) });
  const m = found.matches[0]!;
  const top = m.box.y0 - o.gap;
  const frameBox = box(m.box.x0, top - o.height, m.box.x0 + o.width, top);
  return { page: found.page, box: fromFrame(frameBox, m.line.rotation), rotation: m.line.rotation };
}

/** The attachment or copy stamp: top right of the page as the reader sees it, inside the margins. */
export function placeTopRight(page: PageInfo, size: { width: number; height: number }, o: { rightMm: number; topMm: number }): Placement {
  const vp = visualPage(page);
  const x1 = vp.width - o.rightMm * MM;
  const y1 = vp.height - o.topMm * MM;
  return { page: page.index, box: vp.toUser(box(x1 - size.width, y1 - size.height, x1, y1)), rotation: page.rotate };
}
