#!/usr/bin/python3
"""A made diffraction sweep for the DIALS template's tests and demo: five 487 x 195 PILATUS 100K frames in
miniCBF (what dials.import reads as FormatCBFMiniPilatus), 1 degree each, Poisson background and 60 Gaussian
spots that each rise and fall over a frame or two. Nothing here can be downloaded, so the data is made; the
frames are committed beside this script, which remakes them the same (fixed seed) with Debian's python3-fabio
(a dependency of dials): /usr/bin/python3 make-images.py <folder>."""
import numpy as np, fabio.cbfimage, sys, os
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
ny, nx = 195, 487
spots = [(rng.uniform(10, nx-10), rng.uniform(10, ny-10), rng.uniform(0, 5)) for _ in range(60)]
yy, xx = np.mgrid[0:ny, 0:nx]
for i in range(5):
    img = rng.poisson(2.0, size=(ny, nx)).astype(np.float64)
    for (x, y, phi) in spots:
        w = np.exp(-((phi - (i + 0.5)) ** 2) / 0.5)
        img += 800 * w * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * 1.2 ** 2))
    data = img.astype(np.int32)
    hdr = "\n".join([
        "# Detector: PILATUS 100K, S/N 1-0000",
        "# 2026-12-07T12:00:00.000",
        "# Pixel_size 172e-6 m x 172e-6 m",
        "# Silicon sensor, thickness 0.000320 m",
        "# Exposure_time 0.1000000 s",
        "# Exposure_period 0.1000000 s",
        "# Tau = 0 s",
        "# Count_cutoff 1048575 counts",
        "# Threshold_setting: 6000 eV",
        "# Wavelength 0.9795 A",
        "# Detector_distance 0.15000 m",
        "# Beam_xy (243.50, 97.50) pixels",
        f"# Start_angle {i * 1.0:.4f} deg.",
        "# Angle_increment 1.0000 deg.",
        "# Phi 0.0000 deg.",
        "# Oscillation_axis X, CW",
        "# N_oscillations 1",
    ])
    cbf = fabio.cbfimage.CbfImage(data=data, header={"_array_data.header_convention": "PILATUS_1.2", "_array_data.header_contents": hdr})
    cbf.write(os.path.join(out, f"img_{i+1:04d}.cbf"))
