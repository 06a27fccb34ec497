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
    service group (OGC API - Features layers and the vector tile layer).
Exits 77 (ctest: skipped) with a message when python3-qgis is missing.
"""
import csv
import json
import os
import shutil
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
try:
    from qgis.core import (QgsApplication, QgsProject, QgsVectorLayer, QgsLayerTreeGroup,
                           QgsMapLayerType)
except ImportError:
    print("SKIP: python3-qgis is not installed (apt-get install python3-qgis)")
    sys.exit(77)


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

    app.exitQgis()
    if failures:
        for f in failures[:40]:
            print("FAIL:", f)
        print(f"{len(failures)} failures")
        return 1
    print(f"ok: {checked} catalogue layers valid and styled; project groups {len(groups)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
