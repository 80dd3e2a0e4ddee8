#!/usr/bin/env python3
"""Fails when a JUnit XML report shows a skipped test, or when no test ran at all; prints the totals."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

total = failed = skipped = 0
skips = []
for d in sys.argv[1:]:
    for f in glob.glob(os.path.join(d, "TEST-*.xml")):
        suite = ET.parse(f).getroot()
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        for case in suite.iter("testcase"):
            s = case.find("skipped")
            if s is not None:
                skipped += 1
                skips.append(f"{case.get('classname')}.{case.get('name')}: {s.get('message', '')}")
for line in skips:
    print("skipped:", line)
print(f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped")
if total == 0:
    print("no test ran")
    sys.exit(1)
sys.exit(1 if failed or skipped else 0)
