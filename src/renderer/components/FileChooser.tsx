// Choosing a file to give Kyso. In the browser: a file field, and each chosen file is streamed to
// the server (PUT /files) at once, while the clerk fills in the rest. In the desktop app: a button
// that opens the main process's own dialog (files.pick), which reads the file itself. Either way
// the screen gets a reference (name, SHA-256), never the bytes.
import type { ReactNode } from 'react';
import type { FileKind, Result } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { chooseWithDialog, pickFile, uploadFile, type Uploaded } from '../files.js';

export interface Chosen {
  name: string;
  /** Settles when Kyso has the whole file. */
  uploaded: Promise<Result<Uploaded>>;
}

export function FileChooser({
  kind,
  accept,
  testId,
  disabled,
  multiple,
  className,
  children,
  onChoose,
  onError,
}: {
  kind: FileKind;
  accept: string;
  testId: string;
  disabled?: boolean;
  multiple?: boolean;
  className?: string;
  children: ReactNode;
  onChoose: (chosen: Chosen[]) => void;
  onError: (e: ErrorPayload) => void;
}) {
  if (chooseWithDialog) {
    return (
      <button
        type="button"
        className={className}
        data-testid={testId}
        disabled={disabled}
        onClick={async () => {
          const r = await pickFile(kind);
          if (!r.ok) return onError(r.error);
          if (r.value) onChoose([{ name: r.value.name, uploaded: Promise.resolve({ ok: true, value: r.value }) }]);
        }}
      >
        {children}
      </button>
    );
  }
  return (
    <label className={className}>
      {children}
      <input
        type="file"
        accept={accept}
        multiple={multiple}
        data-testid={testId}
        disabled={disabled}
        onChange={(e) => {
          const input = e.target;
          const files = [...(input.files ?? [])];
          input.value = '';
          if (files.length) onChoose(files.map((f) => ({ name: f.name, uploaded: uploadFile(f) })));
        }}
      />
    </label>
  );
}
