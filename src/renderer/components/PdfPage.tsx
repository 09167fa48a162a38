// One page of a PDF drawn by pdf.js, with the image being placed shown over it. The image can be
// moved by dragging; positions are kept in PDF points from the lower-left corner of the page's
// crop box, as the signing engine takes them. Dropping a new image from the palette is handled by
// the screen, which asks clientToPdfRect() where the pointer was.
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { ImageKind, Placement } from '../../shared/contract.js';
import { AnnotationMode, type PageViewport, type PdfDocument } from '../pdf.js';

export type Rect = [number, number, number, number];

export interface PlacedImage {
  kind: ImageKind;
  placement: Placement;
  src: string | null;
  /** Text shown when there is no image (the drafter's initials are then written by Kyso). */
  label: string;
}

/** What the screen needs to drop an image on the page: the page's element and its viewport. */
export interface PageTarget {
  page: number;
  element: HTMLElement;
  viewport: PageViewport;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * The rectangle [x, y, w, h] in points (crop-box origin) of an image w × h points centred on the
 * client point, kept inside the page; null when the point is not over the page.
 */
export function clientToPdfRect(target: PageTarget, clientX: number, clientY: number, w: number, h: number): Rect | null {
  const box = target.element.getBoundingClientRect();
  const cx = clientX - box.left;
  const cy = clientY - box.top;
  if (cx < 0 || cy < 0 || cx > box.width || cy > box.height) return null;
  const vp = target.viewport;
  const [px, py] = vp.convertToPdfPoint(cx, cy) as [number, number];
  const [x0, y0, x1, y1] = vp.viewBox as [number, number, number, number];
  const x = Math.min(Math.max(px - w / 2, x0), x1 - w);
  const y = Math.min(Math.max(py - h / 2, y0), y1 - h);
  return [round(x - x0), round(y - y0), w, h];
}

function toViewRect(vp: PageViewport, rect: Rect) {
  const [ox, oy] = [vp.viewBox[0]!, vp.viewBox[1]!];
  const [x, y, w, h] = rect;
  const [a, b, c, d] = vp.convertToViewportRectangle([x + ox, y + oy, x + ox + w, y + oy + h]) as [number, number, number, number];
  return { left: Math.min(a, c), top: Math.min(b, d), width: Math.abs(c - a), height: Math.abs(d - b) };
}

export function PdfPage({
  doc,
  page,
  width,
  placed,
  onMove,
  onTarget,
  highlight,
}: {
  doc: PdfDocument;
  page: number;
  width: number;
  placed?: PlacedImage | null;
  /** Called when the placed image was dragged to a new place. */
  onMove?: (placement: Placement) => void;
  /** Tells the screen where the page is drawn, once drawn (for drops from the palette). */
  onTarget?: (t: PageTarget | null) => void;
  /** Drawn as a drop zone: an image is being dragged. */
  highlight?: boolean;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState<PageViewport | null>(null);
  const [rendering, setRendering] = useState(true);
  const [moving, setMoving] = useState<{ dx: number; dy: number; left: number; top: number } | null>(null);
  const targetRef = useRef(onTarget);
  targetRef.current = onTarget;

  useEffect(() => {
    let cancelled = false;
    let task: { cancel(): void; promise: Promise<void> } | undefined;
    setRendering(true);
    void (async () => {
      const p = await doc.getPage(page);
      if (cancelled) return;
      const base = p.getViewport({ scale: 1 });
      const vp = p.getViewport({ scale: width / base.width });
      const canvas = canvasRef.current;
      if (!canvas) return;
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(vp.width * ratio);
      canvas.height = Math.floor(vp.height * ratio);
      canvas.style.width = `${vp.width}px`;
      canvas.style.height = `${vp.height}px`;
      setViewport(vp);
      // Signature widgets are drawn from their appearances, as a reader shows the signed page.
      task = p.render({ canvas, viewport: p.getViewport({ scale: (width / base.width) * ratio }), annotationMode: AnnotationMode.ENABLE });
      await task.promise.catch(() => undefined);
      if (!cancelled) setRendering(false);
    })();
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [doc, page, width]);

  useEffect(() => {
    if (viewport && wrapRef.current) targetRef.current?.({ page, element: wrapRef.current, viewport });
    return () => targetRef.current?.(null);
  }, [viewport, page]);

  const shown = placed && placed.placement.page === page && viewport ? toViewRect(viewport, placed.placement.rect) : null;
  const startMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (!shown || !onMove) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    setMoving({ dx: e.clientX - shown.left, dy: e.clientY - shown.top, left: shown.left, top: shown.top });
  };
  const move = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (moving) setMoving({ ...moving, left: e.clientX - moving.dx, top: e.clientY - moving.dy });
  };
  const endMove = () => {
    if (moving && placed && shown && viewport && wrapRef.current && onMove) {
      const box = wrapRef.current.getBoundingClientRect();
      const [, , w, h] = placed.placement.rect;
      const rect = clientToPdfRect(
        { page, element: wrapRef.current, viewport },
        box.left + Math.min(Math.max(moving.left + shown.width / 2, 0), box.width),
        box.top + Math.min(Math.max(moving.top + shown.height / 2, 0), box.height),
        w,
        h,
      );
      if (rect) onMove({ page, rect });
    }
    setMoving(null);
  };

  return (
    <div ref={wrapRef} className={`pdf-page ${highlight ? 'drop-target' : ''}`} data-testid="pdf-page" data-rendered={!rendering} data-page={page}>
      <canvas ref={canvasRef} />
      {shown && placed && (
        <div
          className={`placed-image kind-${placed.kind} ${onMove ? 'movable' : ''}`}
          data-testid="placed-image"
          style={{ left: moving?.left ?? shown.left, top: moving?.top ?? shown.top, width: shown.width, height: shown.height }}
          onPointerDown={startMove}
          onPointerMove={move}
          onPointerUp={endMove}
        >
          {placed.src ? <img src={placed.src} alt="" draggable={false} /> : <span>{placed.label}</span>}
        </div>
      )}
    </div>
  );
}
