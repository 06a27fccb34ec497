// MapLibre GL JS reads gridtwin serve's vector tiles (issue 13.3), in
// headless Chromium, from a page of another origin (CORS), as a web map
// would. Usage:
//   node maplibre_test.mjs GRIDTWIN_CLI DATASET.gpkg NODE_MODULES WORK_DIR
//
// Checks:
//  - the map loads the TileJSON and every tile it asks for without an error
//    event (a tile MapLibre cannot parse, a CORS refusal, a 4xx/5xx);
//  - per layer, the features MapLibre holds for the source (querySourceFeatures,
//    by id) are exactly those GDAL's MVT driver (ogr2ogr) reads from the
//    same tile bytes, and it drew some (queryRenderedFeatures);
//  - a grid head's map (its token sent by transformRequest) holds no feature
//    of another grid, and the district's holds features of several grids.
// A screenshot of each map is left in WORK_DIR. Exit 0 passed, 1 failed, 77
// skipped (MapLibre, Playwright or Chromium not installed).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';

const [cli, dataset, nodeModules, work] = process.argv.slice(2);
if (!work) {
  console.error('usage: maplibre_test.mjs GRIDTWIN_CLI DATASET NODE_MODULES WORK_DIR');
  process.exit(2);
}
const chromiumPath = process.env.GRIDTWIN_CHROMIUM || '/usr/bin/chromium';
// Skipped (ctest: 77), not passed, when scripts/setup could not install them.
for (const [what, where] of [['maplibre-gl and playwright-core (npm ci, scripts/setup)',
  path.join(nodeModules, 'playwright-core')], ['Chromium (apt-get install chromium)', chromiumPath]]) {
  if (!fs.existsSync(where)) {
    console.log(`SKIP: ${what} not installed: ${where}`);
    process.exit(77);
  }
}
const require = createRequire(path.join(nodeModules, 'noop.js'));
const { chromium } = require('playwright-core');
const maplibreDist = path.join(nodeModules, 'maplibre-gl', 'dist');

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

// `gridtwin serve` on a free loopback port; resolves { proc, base }.
function startServer(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cli, ['serve', dataset, '--listen', '127.0.0.1:0', '--threads', '2',
      '--access-log', 'off', '--no-geocode-cases', '--tile-seed-zoom', '-1', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve({ proc, base: m[1] });
    });
    proc.on('exit', (code) => reject(new Error(`gridtwin serve exited ${code}: ${out}`)));
  });
}

function stopServer({ proc }) {
  return new Promise((resolve) => {
    proc.removeAllListeners('exit');
    proc.on('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
}

async function getJson(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

// The page's own origin (another port than the service's): the map page and
// MapLibre's files.
function startPageServer() {
  const page = `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/maplibre-gl.css">
<style>html,body,#map{margin:0;width:1024px;height:768px}</style>
<script src="/maplibre-gl.js"></script></head><body><div id="map"></div>
<script>
window.__errors = [];
window.openMap = (tilejson, token, center, zoom, layers) => {
  const style = { version: 8, sources: { twin: { type: 'vector', url: tilejson } }, layers: [
    { id: 'bg', type: 'background', paint: { 'background-color': '#ffffff' } }] };
  for (const l of layers) {
    if (l === 'buildings') {
      style.layers.push({ id: l, type: 'fill', source: 'twin', 'source-layer': l,
        paint: { 'fill-color': '#8a6d3b' } });
    } else if (l === 'grids') {
      style.layers.push({ id: l, type: 'line', source: 'twin', 'source-layer': l,
        paint: { 'line-color': '#2255cc', 'line-width': 2 } });
    } else {
      style.layers.push({ id: l, type: 'circle', source: 'twin', 'source-layer': l,
        paint: { 'circle-color': '#d62728', 'circle-radius': 3 } });
    }
  }
  const map = new maplibregl.Map({ container: 'map', style, center, zoom, fadeDuration: 0,
    prefetchZoomDelta: 0, attributionControl: false,
    transformRequest: (url) => token ? { url, headers: { Authorization: 'Bearer ' + token } } : { url } });
  map.on('error', (e) => window.__errors.push(String(e.error && e.error.message || e.error || e)));
  window.__idle = false;
  map.once('idle', () => { window.__idle = true; });
  window.__map = map;
};
</script></body></html>`;
  const files = {
    '/': ['text/html', Buffer.from(page)],
    '/maplibre-gl.js': ['application/javascript', fs.readFileSync(path.join(maplibreDist, 'maplibre-gl.js'))],
    '/maplibre-gl.css': ['text/css', fs.readFileSync(path.join(maplibreDist, 'maplibre-gl.css'))],
  };
  const server = http.createServer((req, res) => {
    const f = files[req.url.split('?')[0]];
    if (!f) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': f[0] });
    res.end(f[1]);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// GDAL's reading of one saved tile: layer -> [{id, grid}].
function gdalFeatures(file, layers) {
  const out = {};
  for (const layer of layers) {
    let text;
    try {
      // CLIP=NO: every feature the tile carries, its buffer's included, as
      // MapLibre holds them.
      text = execFileSync('ogr2ogr', ['-oo', 'CLIP=NO', '-f', 'GeoJSON', '/vsistdout/', file, layer],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
    } catch {
      continue; // the tile has no such layer
    }
    out[layer] = JSON.parse(text).features.map((f) => f.properties);
  }
  return out;
}

// One map in Chromium for `token` (null: anonymous); returns MapLibre's and
// GDAL's features per layer, the grids seen, and what went wrong.
async function readMap(browser, pageBase, service, who, token, center, zoom, layers) {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  const tiles = [];
  page.on('response', async (r) => {
    const m = r.url().match(/\/tiles\/(\d+)\/(\d+)\/(\d+)\.mvt$/);
    if (m && r.status() === 200) tiles.push({ zxy: m.slice(1, 4), body: await r.body() });
  });
  page.on('pageerror', (e) => console.log(`${who}: page error ${e}`));
  await page.goto(pageBase + '/');
  await page.evaluate(([tj, t, c, z, l]) => window.openMap(tj, t, c, z, l),
    [service + '/tiles.json', token, center, zoom, layers]);
  await page.waitForFunction(() => window.__idle === true, null, { timeout: 90000 });
  const result = await page.evaluate((l) => {
    const map = window.__map;
    const held = {}, drawn = {};
    for (const layer of l) {
      held[layer] = map.querySourceFeatures('twin', { sourceLayer: layer })
        .map((f) => ({ id: f.properties.id ?? f.properties.code, grid: f.properties.grid ?? f.properties.code }));
      drawn[layer] = map.queryRenderedFeatures({ layers: [layer] })
        .map((f) => String(f.properties.grid ?? f.properties.code));
    }
    return { held, drawn, errors: window.__errors };
  }, layers);
  await page.screenshot({ path: path.join(work, `${who}.png`) });
  await page.close();
  // GDAL reads the same bytes, saved as z/x/y.mvt (its driver takes the
  // tile's place from the path).
  const gdal = {};
  for (const t of tiles) {
    const dir = path.join(work, who, t.zxy[0], t.zxy[1]);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${t.zxy[2]}.mvt`);
    fs.writeFileSync(file, t.body);
    for (const [layer, feats] of Object.entries(gdalFeatures(file, layers))) {
      (gdal[layer] ??= []).push(...feats.map((p) => ({ id: p.id ?? p.code, grid: p.grid ?? p.code })));
    }
  }
  return { ...result, gdal, tiles: tiles.length };
}

const ids = (feats) => [...new Set((feats || []).map((f) => String(f.id)))].sort();
const grids = (feats) => new Set((feats || []).map((f) => String(f.grid)));
const sameList = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

let browser, pages, service;
try {
  // The map's centre and the grid codes, from the service itself; a token
  // per grid head.
  const probe = await startServer([]);
  const tj = await getJson(probe.base + '/tiles.json');
  const center = tj.center.slice(0, 2);
  const codes = (await getJson(probe.base + '/collections/grids/items?limit=10000'))
    .features.map((f) => f.properties.code);
  await stopServer(probe);
  check(codes.length > 1, `the service lists ${codes.length} grids`);
  const tokens = path.join(work, 'tokens.txt');
  fs.writeFileSync(tokens, ['DISTRICT-T district', ...codes.map((c) => `HEAD-${c} grid_head ${c}`)].join('\n') + '\n');

  service = await startServer(['--tokens', tokens]);
  pages = await startPageServer();
  const pageBase = `http://127.0.0.1:${pages.address().port}`;
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist'] });
  const layers = ['grids', 'buildings', 'events_reported', 'events_handling'];
  const zoom = 15;
  const maps = {};
  let headGrid = null;
  for (const who of ['district', 'head']) {
    if (who === 'head') {
      // The grid with the most buildings drawn on the district's map.
      const per = {};
      for (const g of maps.district.drawn.buildings) per[g] = (per[g] || 0) + 1;
      headGrid = Object.keys(per).sort((a, b) => per[b] - per[a])[0];
    }
    const token = who === 'district' ? 'DISTRICT-T' : `HEAD-${headGrid}`;
    const m = await readMap(browser, pageBase, service.base, who, token, center, zoom, layers);
    maps[who] = m;
    check(m.errors.length === 0, `${who}: the map loaded without an error event ${JSON.stringify(m.errors.slice(0, 3))}`);
    check(m.tiles > 0, `${who}: MapLibre fetched ${m.tiles} tiles across origins`);
    for (const layer of layers) {
      const mine = ids(m.held[layer]), theirs = ids(m.gdal[layer]);
      check(sameList(mine, theirs), `${who}: ${layer}: MapLibre holds ${mine.length} features, GDAL reads ${theirs.length}, the same ids`);
    }
    check(m.drawn.buildings.length > 0 && m.drawn.grids.length > 0,
      `${who}: MapLibre drew ${m.drawn.buildings.length} buildings and ${m.drawn.grids.length} grid features`);
  }
  const headSeen = new Set([...layers.flatMap((l) => [...grids(maps.head.held[l])])]);
  check(headSeen.size === 1 && headSeen.has(headGrid), `head: every feature is of grid ${headGrid} (seen: ${[...headSeen].slice(0, 5)})`);
  check(grids(maps.district.held.buildings).size > 1, `district: buildings of ${grids(maps.district.held.buildings).size} grids`);
  check(ids(maps.head.held.buildings).length < ids(maps.district.held.buildings).length,
    'head: fewer buildings than the district over the same view');
} catch (e) {
  check(false, `the run: ${e.stack || e}`);
} finally {
  if (browser) await browser.close();
  if (pages) pages.close();
  if (service) check(await stopServer(service) === 0, 'gridtwin serve exits 0 on SIGTERM');
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
