#!/usr/bin/env bash
# The HTTP benchmark of issue 10: throwaway PostgreSQL + pgbench baseline + the server in Release + load generator.
# Usage: bench/run-http.sh [--quick] [options]   (bench/run-http.sh --help lists them). Never part of ./test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project bench/ApprovalEngine.LoadTest -- "$@"
