// The React UI (DESIGN §7): built to dist/renderer with relative asset paths, so the same
// bundle loads from the node's HTTP server, a custom protocol or a file. No inline scripts:
// the page runs under `script-src 'self'`.
import react from '@vitejs/plugin-react';
import postcssPresetMantine from 'postcss-preset-mantine';
import { defineConfig, type Plugin } from 'vite';

// import.meta.dirname, not node:path: the renderer's lint rule bans Node built-ins even here.
const root = import.meta.dirname;
/** The node the dev server forwards /api to: NOTARY_API=http://127.0.0.1:PORT npx vite --config renderer/vite.config.ts */
const nodeApi = process.env.NOTARY_API ?? 'http://127.0.0.1:8080';

/**
 * The node's content security policy (electron/node/api/static-ui.ts) on every file `vite preview`
 * serves; verify.html's also allows compiling WebAssembly, for libsodium (decision #75).
 */
function previewPolicy(): Plugin {
  const policy = (wasm: boolean) =>
    `default-src 'self'; script-src 'self'${wasm ? " 'wasm-unsafe-eval'" : ''}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: ; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return {
    name: 'preview-policy',
    configurePreviewServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = (request.url ?? '/').split(/[?#]/)[0];
        response.setHeader('content-security-policy', policy(path === '/verify.html'));
        next();
      });
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [react(), previewPolicy()],
  css: { postcss: { plugins: [postcssPresetMantine()] } },
  build: {
    outDir: `${root}/../dist/renderer`,
    emptyOutDir: true,
    // keep every asset a file: no data: URLs for scripts, nothing inlined into index.html
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2_000,
    sourcemap: false,
    // the desktop app, and the pages the public gateway serves: the voter's (renderer/voter/) and
    // the citizen's verification page (renderer/verify/, with public/verify-sw.js and verify.webmanifest)
    rollupOptions: {
      input: { index: `${root}/index.html`, voter: `${root}/voter.html`, verify: `${root}/verify.html` },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: nodeApi, changeOrigin: true, ws: true },
    },
  },
  // `vite preview` serves the built bundle under the node's policy (previewPolicy), to catch CSP violations
  preview: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: nodeApi, changeOrigin: true, ws: true },
    },
  },
});
