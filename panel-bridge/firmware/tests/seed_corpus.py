#!/usr/bin/env python3
"""Seed the fuzz corpus with every frame and malformed chunk from vectors.json, so the fuzzer
starts from valid protocol traffic instead of discovering COBS and the CRC on its own."""
import json
import os
import sys

vectors = json.load(open(sys.argv[1]))
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
items = [f["wire"] for f in vectors["frames"]] + [m["chunk"] for m in vectors["malformed"]]
for ex in vectors["exchanges"]:
    items += [s["host"] for s in ex["steps"] if s["host"]]
for i, h in enumerate(items):
    with open(os.path.join(out, "seed-%03d" % i), "wb") as f:
        f.write(bytes.fromhex(h))
