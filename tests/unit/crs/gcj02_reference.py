#!/usr/bin/env python3
"""Reference outputs for gcj02_test.cpp (kFixedOutputs), computed at 40
significant digits with mpmath from the published GCJ-02 formula as
googollee/eviltransform writes it (its arrangement of the radii, not the
engine's) and from the published BD-09 formula. Run: python3 gcj02_reference.py
The known pairs in ../shared/data/coord agree with this to < 4e-15 deg."""
import mpmath as mp

mp.mp.dps = 40
A = mp.mpf(6378245)  # Krasovsky 1940 semi-major axis
EE = mp.mpf('0.00669342162296594323')  # Krasovsky 1940 first eccentricity squared
PI = mp.pi


def transform_lat(x, y):
    r = -100 + 2 * x + 3 * y + mp.mpf('0.2') * y * y + mp.mpf('0.1') * x * y + mp.mpf('0.2') * mp.sqrt(abs(x))
    r += (20 * mp.sin(6 * x * PI) + 20 * mp.sin(2 * x * PI)) * 2 / 3
    r += (20 * mp.sin(y * PI) + 40 * mp.sin(y / 3 * PI)) * 2 / 3
    r += (160 * mp.sin(y / 12 * PI) + 320 * mp.sin(y / 30 * PI)) * 2 / 3
    return r


def transform_lon(x, y):
    r = 300 + x + 2 * y + mp.mpf('0.1') * x * x + mp.mpf('0.1') * x * y + mp.mpf('0.1') * mp.sqrt(abs(x))
    r += (20 * mp.sin(6 * x * PI) + 20 * mp.sin(2 * x * PI)) * 2 / 3
    r += (20 * mp.sin(x * PI) + 40 * mp.sin(x / 3 * PI)) * 2 / 3
    r += (150 * mp.sin(x / 12 * PI) + 300 * mp.sin(x / 30 * PI)) * 2 / 3
    return r


def wgs_to_gcj(lon, lat):
    x, y = lon - 105, lat - 35
    rad = lat / 180 * PI
    magic = 1 - EE * mp.sin(rad) ** 2
    sqrt_magic = mp.sqrt(magic)
    dlat = transform_lat(x, y) * 180 / ((A * (1 - EE)) / (magic * sqrt_magic) * PI)
    dlon = transform_lon(x, y) * 180 / (A / sqrt_magic * mp.cos(rad) * PI)
    return lon + dlon, lat + dlat


def gcj_to_bd(lon, lat):
    bd_pi = PI * 3000 / 180
    z = mp.sqrt(lon * lon + lat * lat) + mp.mpf('0.00002') * mp.sin(lat * bd_pi)
    theta = mp.atan2(lat, lon) + mp.mpf('0.000003') * mp.cos(lon * bd_pi)
    return z * mp.cos(theta) + mp.mpf('0.0065'), z * mp.sin(theta) + mp.mpf('0.006')


# The seat of Chancheng, two corners and two inner points of its box.
POINTS = [('113.112414', '23.019643'), ('112.95', '22.90'), ('113.20', '23.10'),
          ('113.05', '22.95'), ('113.15', '23.05')]

for lon_text, lat_text in POINTS:
    p = (mp.mpf(lon_text), mp.mpf(lat_text))
    gcj = wgs_to_gcj(*p)
    bd = gcj_to_bd(*p)  # the point read as GCJ-02
    print('    {{%s, %s}, {%s, %s}, {%s, %s}},' %
          (lon_text, lat_text, mp.nstr(gcj[0], 17), mp.nstr(gcj[1], 17),
           mp.nstr(bd[0], 17), mp.nstr(bd[1], 17)))
