// Builds the renderer (src/renderer) into dist/renderer: relative asset paths, so the same files
// load from file:// in Electron and from the web mode's server; the Content-Security-Policy is
// written into index.html from the one definition the server and the shell use too.
import { defineConfig, type Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY_META } from './src/main/web/csp.js';

function contentSecurityPolicy(): Plugin {
  return {
    name: 'kyso-csp',
    transformIndexHtml: (html) => html.replace('%KYSO_CSP%', CONTENT_SECURITY_POLICY_META),
  };
}

export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [contentSecurityPolicy()],
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    // pdf.js and its worker are large by nature; the app loads from disk, not the network.
    chunkSizeWarningLimit: 2000,
    target: 'es2022',
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry /*#__PURE__*/ notes Rollup cannot place: harmless, and noise.
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
});
