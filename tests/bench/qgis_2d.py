#!/usr/bin/python3
# The anchor of viewer.qgis_2d_ms: QGIS 3.22 (Debian's python3-qgis)
# rendering the district GeoPackage's grids, roads and buildings in EPSG:4547
# to an image of WIDTHxHEIGHT pixels with QgsMapRendererParallelJob — the 2D
# top view that gridtwin-viewer --snapshot --view top draws. Prints one JSON
# line: the mean render time of the timed frames (the first, which loads
# the layers, is not counted), frames, version.
#
#   QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_2d.py DISTRICT.gpkg 1920 1080 [FRAMES] [OUT.png]
import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsFillSymbol,  # noqa: E402
                       QgsLineSymbol, QgsMapRendererParallelJob, QgsMapSettings,
                       QgsRectangle, QgsVectorLayer, Qgis)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def main():
    if len(sys.argv) < 4:
        print("usage: qgis_2d.py DISTRICT.gpkg WIDTH HEIGHT [FRAMES] [OUT.png]", file=sys.stderr)
        return 2
    path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    frames = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    out = sys.argv[5] if len(sys.argv) > 5 else None
    app = QgsApplication([], False)
    app.initQgis()
    layers = []
    styles = {
        "grids": QgsFillSymbol.createSimple({"color": "179,205,227", "outline_color": "110,110,110",
                                             "outline_width": "0.26"}),
        "roads": QgsLineSymbol.createSimple({"color": "250,250,250", "width": "0.5"}),
        "buildings": QgsFillSymbol.createSimple({"color": "236,226,206",
                                                 "outline_style": "no"}),
    }
    for name in ("grids", "roads", "buildings"):
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        if not layer.isValid():
            print(f"qgis_2d.py: {path}: no layer {name} QGIS can read", file=sys.stderr)
            return 1
        layer.renderer().setSymbol(styles[name])
        layers.append(layer)
    settings = QgsMapSettings()
    settings.setLayers(list(reversed(layers)))  # buildings on top
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4547"))
    settings.setOutputSize(QSize(width, height))
    settings.setBackgroundColor(QColor(200, 225, 245))
    settings.setFlag(Qgis.MapSettingsFlag.Antialiasing, True)
    extent = QgsRectangle()
    for layer in layers:
        extent.combineExtentWith(settings.layerExtentToOutputExtent(layer, layer.extent()))
    settings.setExtent(extent)
    times = []
    image = None
    for i in range(frames + 1):
        job = QgsMapRendererParallelJob(settings)
        t0 = time.perf_counter()
        job.start()
        job.waitForFinished()
        ms = (time.perf_counter() - t0) * 1000
        if i > 0:
            times.append(ms)
        image = job.renderedImage()
    if out:
        image.save(out)
    print(json.dumps({"qgis_2d_ms": sum(times) / len(times), "frames": len(times),
                      "width": width, "height": height, "version": Qgis.QGIS_VERSION,
                      "features": {l.name(): l.featureCount() for l in layers}}))
    sys.stdout.flush()
    # QGIS 3.22's exitQgis() under the offscreen platform may crash on the way
    # out; the figures are written, so leave without tearing Qt down.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
