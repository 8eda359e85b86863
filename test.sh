#!/usr/bin/env bash
# Runs every test: the designer's unit tests (Vitest), lint (ESLint) and build, then all .NET test projects (engine, expressions,
# flows, persistence and API tests against a throwaway PostgreSQL, browser end-to-end tests in Debian's chromium).
# Prints one closing line "Total: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
status=0

# The designer step (npm ci, Vitest, vite build) and the .NET build use different tools: run them side by side and
# start the .NET tests (the browser tests need designer/dist) once both are done. This saves about a minute in CI.
designer_log=$(mktemp)
(
  cd designer
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
  # The OpenAPI document against Redocly's recommended rules (operationIds, summaries, security, 4xx responses).
  # Every check runs even when one fails (the build too: the browser tests need designer/dist); the step fails if any did.
  npm run lint:api; api=$?
  npx vitest run --reporter=default; unit=$?
  npm run lint; eslint=$?
  npm run build || exit 1
  [ "$api" -eq 0 ] && [ "$unit" -eq 0 ] && [ "$eslint" -eq 0 ]
) >"$designer_log" 2>&1 &
designer_pid=$!

echo "== .NET: build"
dotnet build ApprovalEngine.sln -c Release -p:SkipDesignerBuild=true 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== designer: install, OpenAPI lint, unit tests, build"
wait "$designer_pid" || status=1
cat "$designer_log" | tee -a "$log"
rm -f "$designer_log"

echo "== .NET: test"
dotnet test ApprovalEngine.sln -c Release -p:SkipDesignerBuild=true --no-build 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# Sum what the runners reported: dotnet's "Passed!/Failed!  - Failed: a, Passed: b, Skipped: c" and Vitest's "Tests  n passed (m)".
python3 - "$log" <<'PY'
import re, sys
text = re.sub(r"\x1b\[[0-9;]*m", "", open(sys.argv[1], encoding="utf-8", errors="replace").read())
passed = failed = skipped = 0
for m in re.finditer(r"(?:Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)", text):
    failed += int(m.group(1)); passed += int(m.group(2)); skipped += int(m.group(3))
for m in re.finditer(r"^\s*Tests\s+(.*)\((\d+)\)\s*$", text, re.M):
    parts = dict((k, int(v)) for v, k in re.findall(r"(\d+) (passed|failed|skipped)", m.group(1)))
    passed += parts.get("passed", 0); failed += parts.get("failed", 0); skipped += parts.get("skipped", 0)
print(f"Total: {passed} passed, {failed} failed, {skipped} skipped")
PY
rm -f "$log"
exit $status
