// Bundles the page with esbuild into dist/public: index.html (never cached) naming
// assets/app-<hash>.js and assets/app-<hash>.css (cached for a year), and dist/index.js telling
// @skills/server where they are. No CDN, no fonts or images from outside: the page works offline.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'public', 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'src', 'main.ts') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  outdir: join(dist, 'public', 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// The first render's requests, started by a script inlined in index.html (src/boot.ts) as soon as
// the page is parsed, before the module has downloaded; the server's content security policy
// allows it by its hash (apps/server's dashboard-assets.ts).
const boot = await build({
  entryPoints: [join(root, 'src', 'boot.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox115', 'safari16'],
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const bootScript = boot.outputFiles[0].text.trim();

const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((file) => file.endsWith('.js'));
const style = outputs.find((file) => file.endsWith('.css'));
if (script === undefined || style === undefined) throw new Error(`expected one .js and one .css output, got ${outputs.join(', ')}`);

const html = readFileSync(join(root, 'src', 'index.html'), 'utf8')
  .replace('%STYLE%', `/assets/${style}`)
  .replace('/*%BOOT%*/', () => bootScript)
  .replace('%SCRIPT%', `/assets/${script}`);
writeFileSync(join(dist, 'public', 'index.html'), html);
writeFileSync(
  join(dist, 'index.js'),
  `import { fileURLToPath } from 'node:url';\n/** The built page: index.html and assets/ (hashed names). */\nexport const dashboardAssetsDirectory = fileURLToPath(new URL('./public/', import.meta.url));\nexport const dashboardFiles = ${JSON.stringify({ script, style })};\n`,
);
writeFileSync(
  join(dist, 'index.d.ts'),
  `/** The built page: index.html and assets/ (hashed names). */\nexport declare const dashboardAssetsDirectory: string;\nexport declare const dashboardFiles: { script: string; style: string };\n`,
);
