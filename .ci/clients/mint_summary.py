"""Summarises a run of minio-go's functional tests (JSON lines, one per
check) against the list of tests localaws does not claim to pass.

    python3 mint_summary.py NOT_CLAIMED_FILE LOG

A test passes when none of its lines is FAIL. A failing test that the list
names is reported as not claimed; any other failing test, a crash of the
runner, or a listed test that now passes (the list is stale) fails the run.
"""
import collections
import json
import sys

not_claimed = {}
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if line:
        name, _, why = line.partition(" ")
        not_claimed[name] = why.strip()

status = collections.defaultdict(set)
first_error = {}
crashed = []
for raw in open(sys.argv[2], encoding="utf-8", errors="replace"):
    try:
        d = json.loads(raw)
    except ValueError:
        if raw.startswith(("panic:", "fatal error:")):
            crashed.append(raw.strip())
        continue
    name = d.get("name", "").removeprefix("minio-go: ")
    status[name].add(d.get("status"))
    if d.get("status") == "FAIL" and name not in first_error:
        first_error[name] = f'{d.get("function", "")}: {d.get("error") or d.get("message") or ""}'[:300]

passed, failed, excused, na, stale = [], [], [], [], []
for name, st in sorted(status.items()):
    if "FAIL" in st:
        (excused if name in not_claimed else failed).append(name)
    elif st == {"NA"}:
        na.append(name)
    else:
        passed.append(name)
        if name in not_claimed:
            stale.append(name)

for name in failed:
    print(f"FAIL minio-go {name}: {first_error[name]}")
for name in stale:
    print(f"FAIL minio-go {name}: passes but is listed as not claimed; drop it from the list")
for line in crashed:
    print(f"FAIL minio-go runner crashed: {line}")
print(f"minio-go functional tests: {len(passed)} passed, {len(failed)} failed "
      f"({len(excused)} not claimed, {len(na)} NA)")
sys.exit(1 if failed or stale or crashed else 0)
