#!/usr/bin/env python3
"""openSMILE eGeMAPS v02 functionals of one file (the comparison point benchmarks/compare.sh
times when the PyPI package `opensmile` is installed)."""
import sys

import opensmile

smile = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                        feature_level=opensmile.FeatureLevel.Functionals)
features = smile.process_file(sys.argv[1])
print(features.shape[1], "features")
