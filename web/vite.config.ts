import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const target = process.env.YUNWEI_API ?? 'http://127.0.0.1:8080';

/**
 * Writes `file.br` and `file.gz` next to every text file of the build (issue #10, item 19); the
 * server sends them as they are (@fastify/static `preCompressed`), so no request compresses
 * anything. Brotli at its best level (the build pays once), gzip for browsers that do not offer
 * br (Chromium over plain http:// to another host). Files under 1 KB, or that do not shrink by
 * a tenth, are left alone.
 */
function precompress(): Plugin {
  const TEXT = /\.(js|mjs|css|html|svg|json|txt|map|webmanifest)$/;
  let outDir = 'dist';
  return {
    name: 'yunwei-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle: {
      sequential: true,
      order: 'post',
      async handler() {
        const walk = (dir: string): string[] =>
          fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
        // libuv's thread pool: the files compress in parallel
        const brotli = promisify(zlib.brotliCompress);
        const gzip = promisify(zlib.gzip);
        const one = async (file: string) => {
          const raw = await fs.promises.readFile(file);
          if (raw.length < 1024) return;
          const [br, gz] = await Promise.all([
            brotli(raw, {
              params: {
                [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
                [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
                [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
              },
            }),
            gzip(raw, { level: zlib.constants.Z_BEST_COMPRESSION }),
          ]);
          if (br.length < raw.length * 0.9) await fs.promises.writeFile(`${file}.br`, br);
          if (gz.length < raw.length * 0.9) await fs.promises.writeFile(`${file}.gz`, gz);
        };
        await Promise.all(walk(outDir).filter((f) => TEXT.test(f)).map(one));
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target, changeOrigin: false },
      '/healthz': { target, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // The Chinese messages (zh-CN.ts and the feature catalogs it spreads) in a chunk of
            // their own: a release that adds keys changes it, not the libraries' chunk that
            // browsers keep cached. English (en-US.ts) is loaded on demand (src/i18n/index.tsx).
            { name: 'zh-CN', test: /[\\/]src[\\/]i18n[\\/](?!index\.|en-US\.)[^\\/]+\.ts$/ },
          ],
        },
      },
    },
  },
});
