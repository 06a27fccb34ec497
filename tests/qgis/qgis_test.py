#!/usr/bin/env python3
"""QGIS opens the district styled (issue 13.8), headless.

Usage: qgis_test.py GRIDTWIN_CLI DATASET.gpkg CATALOG.csv WORK_DIR

Checks, with python3-qgis (QT_QPA_PLATFORM=offscreen):
  - every catalogue layer of the dataset loads valid from the GeoPackage and
    comes with its default style from layer_styles: the symbol's colour and
    opacity are the catalogue's (fill for polygons and points, stroke for
    lines);
  - `gridtwin export-qgis DATASET out.qgs --service URL` opens in QGIS with
    the layer tree grouped by the catalogue's categories (in the catalogue's
    order), each layer valid and pointing at its GeoPackage table, plus the
    service group (OGC API - Features layers and the vector tile layer);
  - the live service: `gridtwin serve DATASET --listen 127.0.0.1:0` started
    here, QGIS's OAPIF provider loads its grids collection valid with the
    dataset's grid count and codes (anonymous: the whole district), and its
    vector tile layer loads valid and draws features of a z14 tile over the
    district (pixels painted by a basic renderer); the server is stopped
    with SIGTERM and exits 0.
Exits 77 (ctest: skipped) with a message when python3-qgis is missing.
"""
import csv
import json
import math
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
try:
    from qgis.core import (QgsApplication, QgsProject, QgsVectorLayer, QgsLayerTreeGroup,
                           QgsMapLayerType, QgsVectorTileLayer, QgsVectorTileBasicRenderer,
                           QgsMapSettings, QgsMapRendererParallelJob, QgsRectangle,
                           QgsCoordinateReferenceSystem)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
except ImportError:
    print("SKIP: python3-qgis is not installed (apt-get install python3-qgis)")
    sys.exit(77)


def start_server(cli, dataset):
    """`gridtwin serve` on a free loopback port; returns (process, base URL)."""
    proc = subprocess.Popen([cli, "serve", dataset, "--listen", "127.0.0.1:0", "--threads", "2",
                             "--access-log", "off", "--no-geocode-cases"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if m:
            return proc, m.group(1)
    proc.wait()
    raise RuntimeError(f"gridtwin serve exited {proc.returncode} before listening")


def stop_server(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        rest, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return -1, "did not stop within 30 s of SIGTERM"
    return proc.returncode, rest


def tile_xy(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def check_service(cli, dataset, expect):
    """QGIS's OAPIF provider and vector tile layer on a live `gridtwin serve`."""
    db = sqlite3.connect(dataset)
    codes = sorted(r[0] for r in db.execute("SELECT code FROM grids"))
    # A point of the district: an address (the tile holding it has features).
    minx, miny = db.execute("SELECT minx, miny FROM rtree_addresses_geom LIMIT 1").fetchone()
    db.close()
    proc, base = start_server(cli, dataset)
    try:
        # OGC API - Features: the form QGIS 3.22 writes itself.
        grids = QgsVectorLayer(f"pagingEnabled='true' preferCoordinatesForWfsT11='false' "
                               f"restrictToRequestBBOX='1' typename='grids' url='{base}'",
                               "grids", "OAPIF")
        expect(grids.isValid(), f"OAPIF grids layer from {base} not valid")
        if grids.isValid():
            got = sorted(f["code"] for f in grids.getFeatures())
            expect(grids.featureCount() == len(codes),
                   f"OAPIF grids: {grids.featureCount()} features, the dataset has {len(codes)}")
            expect(got == codes, f"OAPIF grids: {len(got)} codes read, not the dataset's")
        # Vector tiles: valid, and a z14 tile's features drawn.
        tiles = QgsVectorTileLayer(f"type=xyz&url={base}/tiles/{{z}}/{{x}}/{{y}}.mvt"
                                   "&zmin=10&zmax=18", "tiles")
        expect(tiles.isValid(), f"vector tile layer from {base} not valid")
        if tiles.isValid():
            renderer = QgsVectorTileBasicRenderer()
            renderer.setStyles(QgsVectorTileBasicRenderer.simpleStyleWithRandomColors())
            tiles.setRenderer(renderer)
            x, y = tile_xy(minx, miny, 14)
            size = 2 * 20037508.342789244 / 2 ** 14
            west, north = -20037508.342789244 + x * size, 20037508.342789244 - y * size
            settings = QgsMapSettings()
            settings.setLayers([tiles])
            settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
            settings.setExtent(QgsRectangle(west, north - size, west + size, north))
            settings.setOutputSize(QSize(256, 256))
            settings.setBackgroundColor(QColor(255, 255, 255))
            job = QgsMapRendererParallelJob(settings)
            job.start()
            job.waitForFinished()
            image = job.renderedImage()
            painted = sum(1 for i in range(0, 256, 2) for j in range(0, 256, 2)
                          if image.pixelColor(i, j) != QColor(255, 255, 255))
            expect(painted > 0, f"vector tile layer: nothing drawn of tile 14/{x}/{y}")
    finally:
        code, rest = stop_server(proc)
    expect(code == 0, f"gridtwin serve exit {code} after SIGTERM: {rest[-500:]}")
    return len(codes)


def main():
    cli, fixture, catalog, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    dataset = os.path.join(work, "district.gpkg")
    shutil.copyfile(fixture, dataset)

    with open(catalog, encoding="utf-8") as f:
        specs = list(csv.DictReader(f))
    app = QgsApplication([], False)
    app.initQgis()
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    # 1. Each catalogue layer from the GeoPackage, with its default style.
    checked = 0
    for spec in specs:
        table = spec["table"]
        layer = QgsVectorLayer(f"{dataset}|layername={table}", spec["name"], "ogr")
        expect(layer.isValid(), f"{table}: not valid in QGIS")
        if not layer.isValid():
            continue
        style = json.loads(spec["style"])
        geometry = spec["geometry_type"]
        colour = style.get("stroke") if geometry == "LineString" else style.get("fill")
        symbol = layer.renderer().symbol() if layer.renderer() else None
        expect(symbol is not None, f"{table}: no single-symbol renderer (default style not loaded)")
        if symbol is None:
            continue
        if colour:
            expect(symbol.color().name().lower() == colour.lower(),
                   f"{table}: colour {symbol.color().name()} is not the catalogue's {colour}")
        opacity = float(style.get("opacity", 1))
        expect(abs(symbol.opacity() - opacity) < 1e-6,
               f"{table}: opacity {symbol.opacity()} is not the catalogue's {opacity}")
        checked += 1
    expect(checked == len(specs), f"{checked} of {len(specs)} catalogue layers styled")

    # 2. The project: layer tree by category, service layers.
    qgs = os.path.join(work, "district.qgs")
    run = subprocess.run([cli, "export-qgis", dataset, qgs, "--service", "http://127.0.0.1:9"],
                         capture_output=True, text=True)
    expect(run.returncode == 0, f"export-qgis exit {run.returncode}: {run.stderr}")
    project = QgsProject.instance()
    expect(project.read(qgs), f"QGIS cannot read {qgs}")
    root = project.layerTreeRoot()
    groups = [c for c in root.children() if isinstance(c, QgsLayerTreeGroup)]
    categories = []
    for spec in specs:
        if spec["category"] not in categories:
            categories.append(spec["category"])
    names = [g.name() for g in groups]
    expect(names == categories + ["服务 service"], f"groups {names} are not the categories {categories}")
    for group in groups:
        if group.name() == "服务 service":
            kinds = sorted({l.layer().providerType() if l.layer() else "missing"
                            for l in group.findLayers()})
            expect("OAPIF" in kinds, f"service group holds no OAPIF layer: {kinds}")
            expect(any(l.layer() is not None and l.layer().type() == QgsMapLayerType.VectorTileLayer
                       for l in group.findLayers()), "service group holds no vector tile layer")
            continue
        want = [s["id"] + "_" + s["table"] for s in specs if s["category"] == group.name()]
        got = [l.layerId() for l in group.findLayers()]
        expect(got == want, f"group {group.name()}: layers {got} are not {want}")
        for l in group.findLayers():
            layer = l.layer()
            expect(layer is not None and layer.isValid(), f"project layer {l.layerId()} not valid")
            if layer is not None:
                table = l.layerId().split("_", 1)[1]
                expect(layer.source().endswith(f"layername={table}"),
                       f"project layer {l.layerId()} points at {layer.source()}")

    # 3. The live service through QGIS's own providers.
    served = check_service(cli, dataset, expect)

    app.exitQgis()
    if failures:
        for f in failures[:40]:
            print("FAIL:", f)
        print(f"{len(failures)} failures")
        return 1
    print(f"ok: {checked} catalogue layers valid and styled; project groups {len(groups)}; "
          f"OAPIF grids {served} as the dataset's; vector tiles drawn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
