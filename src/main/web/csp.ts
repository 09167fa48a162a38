// The Content-Security-Policy of the renderer, in one place: the web server sends it as a header,
// the build writes it into index.html (the only way it reaches a page Electron loads from file://),
// and the Electron shell adds it to every response. The page may load only its own files (scripts,
// styles, the pdf.js worker), talk only to its own origin, show images it was given as data, and
// be framed by no one. No 'unsafe-inline', no eval: React sets styles through the CSSOM.
const DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self' data:"],
  ['worker-src', "'self'"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-src', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** The policy as a response header. */
export const CONTENT_SECURITY_POLICY = DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');

/** The policy as a <meta> element may carry it (browsers ignore, and complain about, frame-ancestors there). */
export const CONTENT_SECURITY_POLICY_META = DIRECTIVES.filter(([k]) => k !== 'frame-ancestors')
  .map(([k, v]) => `${k} ${v}`)
  .join('; ');
