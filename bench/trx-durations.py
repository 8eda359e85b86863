#!/usr/bin/env python3
"""Per-fixture and per-test durations from a TRX file (NUnit adapter).
Fixture wall = first test start .. last test end; 'gap before' = time between the previous test's end and this
fixture's first start (OneTimeSetUp of this fixture + OneTimeTearDown of the previous, when fixtures run one by one)."""
import sys, re, collections
import xml.etree.ElementTree as ET
from datetime import datetime

def ts(s):
    # 2026-12-03T06:30:01.1234567+00:00 -> python datetime (trim to microseconds)
    m = re.match(r"(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)", s)
    frac = (m.group(2) or ".0")[:7]
    tz = m.group(3).replace("Z", "+00:00")
    return datetime.fromisoformat(m.group(1) + frac + tz)

def dur(s):
    h, m, sec = s.split(":")
    return int(h) * 3600 + int(m) * 60 + float(sec)

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
root = ET.parse(sys.argv[1]).getroot()
cls = {}
for ut in root.iterfind(".//t:TestDefinitions/t:UnitTest", ns):
    tm = ut.find("t:TestMethod", ns)
    cls[ut.get("id")] = tm.get("className")
rows = []
for r in root.iterfind(".//t:Results/t:UnitTestResult", ns):
    rows.append(dict(name=r.get("testName"), cls=cls.get(r.get("testId"), "?"), outcome=r.get("outcome"),
                     dur=dur(r.get("duration", "0:0:0")), start=ts(r.get("startTime")), end=ts(r.get("endTime"))))
times = root.find("t:Times", ns)
run_start, run_end = ts(times.get("start")), ts(times.get("finish"))
total = (run_end - run_start).total_seconds()
rows.sort(key=lambda r: r["start"])
outcomes = collections.Counter(r["outcome"] for r in rows)
fx = collections.OrderedDict()
prev_end = run_start
for r in rows:
    f = fx.get(r["cls"])
    if f is None:
        f = fx[r["cls"]] = dict(n=0, body=0.0, first=r["start"], last=r["end"], gap=max(0.0, (r["start"] - prev_end).total_seconds()))
    f["n"] += 1; f["body"] += r["dur"]; f["last"] = max(f["last"], r["end"])
    prev_end = max(prev_end, r["end"])
body = sum(r["dur"] for r in rows)
gaps = sum(f["gap"] for f in fx.values())
print(f"run {total:.0f} s, {len(rows)} results {dict(outcomes)}; sum of test durations {body:.0f} s ({100*body/total:.0f}%), gaps between fixtures {gaps:.0f} s ({100*gaps/total:.0f}%)")
top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
print(f"\n-- fixtures by wall (gap before + first start..last end), top {top}")
print(f"{'wall s':>7} {'share':>6} {'gap s':>6} {'body s':>7} {'tests':>5}  fixture")
for c, f in sorted(fx.items(), key=lambda kv: -(kv[1]['gap'] + (kv[1]['last'] - kv[1]['first']).total_seconds()))[:top]:
    wall = f["gap"] + (f["last"] - f["first"]).total_seconds()
    print(f"{wall:7.1f} {100*wall/total:5.1f}% {f['gap']:6.1f} {f['body']:7.1f} {f['n']:5}  {c.replace('ApprovalEngine.Server.Tests.', '')}")
print(f"\n-- slowest tests, top {top}")
for r in sorted(rows, key=lambda r: -r["dur"])[:top]:
    print(f"{r['dur']:7.1f}  {r['cls'].replace('ApprovalEngine.Server.Tests.', '')}.{r['name']}")
# histogram of test durations
b = collections.Counter()
for r in rows:
    d = r["dur"]; k = "<0.1" if d < .1 else "<0.5" if d < .5 else "<1" if d < 1 else "<2" if d < 2 else "<5" if d < 5 else "<10" if d < 10 else ">=10"
    b[k] += 1
print("\n-- test durations:", {k: b[k] for k in ["<0.1", "<0.5", "<1", "<2", "<5", "<10", ">=10"]})
