// The signer's images (signature, seal, initials) to drag onto the page. A drag is made of pointer
// events (down on the image, move, up over the page), so it works the same with a mouse, a pen or
// a touch screen, in Electron and in any browser; while it lasts, a ghost of the image at its real
// printed size follows the pointer.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImageKind } from '../../shared/contract.js';
import { useT } from '../i18n.js';
import { pngInfo } from '../util.js';

const MM = 72 / 25.4;
/** The largest leader's signature image Kyso proposes (NĐ 30 leaves room of about 5 × 2 cm). */
const SIGNATURE_BOX: [number, number] = [150, 60];
/** A seal whose PNG does not state its resolution is drawn at 36 mm, a common seal size. */
const SEAL_MM = 36;
const INITIALS_HEIGHT = 16;

/** The size in points an image of this kind takes on the page. */
export function imageSize(kind: ImageKind, src: string | null): [number, number] {
  const info = src ? pngInfo(src) : null;
  const aspect = info && info.height > 0 ? info.width / info.height : null;
  const r = (v: number) => Math.round(v * 10) / 10;
  switch (kind) {
    case 'signature': {
      const a = aspect ?? SIGNATURE_BOX[0] / SIGNATURE_BOX[1];
      const w = Math.min(SIGNATURE_BOX[0], SIGNATURE_BOX[1] * a);
      return [r(w), r(w / a)];
    }
    case 'seal': {
      const w = info?.dpi ? (info.width / info.dpi) * 72 : SEAL_MM * MM;
      return [r(w), r(w / (aspect ?? 1))];
    }
    case 'initials':
      return aspect ? [r(INITIALS_HEIGHT * aspect), INITIALS_HEIGHT] : [44, 14];
  }
}

export interface Dragging {
  kind: ImageKind;
  src: string | null;
  size: [number, number];
  x: number;
  y: number;
}

/**
 * A drag in progress: start() on pointer down; the drop callback gets the kind, size and the
 * client point where the pointer was released.
 */
export function useImageDrag(onDrop: (d: Dragging) => void): { dragging: Dragging | null; start: (d: Dragging) => void } {
  const [dragging, setDragging] = useState<Dragging | null>(null);
  const current = useRef<Dragging | null>(null);
  const dropRef = useRef(onDrop);
  dropRef.current = onDrop;
  const active = dragging !== null;

  useEffect(() => {
    if (!active) return;
    const move = (e: PointerEvent) => {
      if (!current.current) return;
      current.current = { ...current.current, x: e.clientX, y: e.clientY };
      setDragging(current.current);
    };
    const up = (e: PointerEvent) => {
      const d = current.current;
      current.current = null;
      setDragging(null);
      if (d) dropRef.current({ ...d, x: e.clientX, y: e.clientY });
    };
    const cancel = () => {
      current.current = null;
      setDragging(null);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', cancel);
    return () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', cancel);
    };
  }, [active]);

  const start = useCallback((d: Dragging) => {
    current.current = d;
    setDragging(d);
  }, []);
  return { dragging, start };
}

export function Palette({
  images,
  suggested,
  onStart,
  person,
}: {
  images: Record<ImageKind, string | null>;
  suggested: ImageKind;
  onStart: (d: Dragging) => void;
  person: string;
}) {
  const { t } = useT();
  const kinds: ImageKind[] = ['signature', 'seal', 'initials'];
  return (
    <div className="palette" data-testid="palette">
      {kinds.map((kind) => {
        const src = images[kind];
        return (
          <div
            key={kind}
            className={`palette-item ${suggested === kind ? 'suggested' : ''} ${src ? '' : 'no-image'}`}
            data-testid={`palette-${kind}`}
            title={t('dragHint')}
            onPointerDown={(e) => {
              if (e.button !== 0) return;
              e.preventDefault();
              onStart({ kind, src, size: imageSize(kind, src), x: e.clientX, y: e.clientY });
            }}
          >
            <div className="palette-thumb">{src ? <img src={src} alt="" draggable={false} /> : <span className="muted small">{kind === 'initials' ? t('initialsText') : t('noImage')}</span>}</div>
            <span className="palette-name">{t(`img_${kind}`)}</span>
          </div>
        );
      })}
      {!images[suggested] && suggested !== 'initials' && <p className="muted small palette-note">{t('noImageFor', { kind: t(`img_${suggested}`).toLowerCase(), person })}</p>}
    </div>
  );
}

/** The image following the pointer, at the size it will have on the page (scale: CSS px per point). */
export function DragGhost({ dragging, scale, label }: { dragging: Dragging; scale: number; label: string }) {
  const [w, h] = dragging.size;
  return (
    <div className="drag-ghost" data-testid="drag-ghost" style={{ left: dragging.x - (w * scale) / 2, top: dragging.y - (h * scale) / 2, width: w * scale, height: h * scale }}>
      {dragging.src ? <img src={dragging.src} alt="" draggable={false} /> : <span>{label}</span>}
    </div>
  );
}
