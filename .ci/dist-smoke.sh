#!/usr/bin/env bash
# The production build runs as package.json's `serve` script runs it (node itself, no tsx, no npm in
# between): it starts, answers /healthz 200, and stops cleanly on SIGTERM, the signal a container runtime sends.
# Usage: bash .ci/dist-smoke.sh   (after `npm run build`; uses DATABASE_URL when set, else a throwaway embedded database)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/server.js ] || { echo "dist/server.js is missing: run npm run build first" >&2; exit 1; }

dir=$(mktemp -d /tmp/so-dist-smoke.XXXXXX)
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
NODE_ENV=production PORT=$port HOST=127.0.0.1 PGLITE_DIR="$dir/pglite" LOG_LEVEL=info node --max-old-space-size=192 --max-semi-space-size=8 dist/server.js >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

ok=
for _ in $(seq 1 120); do
  if node -e "fetch('http://127.0.0.1:$port/healthz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"; then ok=1; break; fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.5
done
[ -n "$ok" ] || { echo "node dist/server.js never answered /healthz 200" >&2; cat "$dir/server.log" >&2; exit 1; }
echo "node dist/server.js answers /healthz 200 on port $port"

kill -TERM $pid
status=0
wait $pid || status=$?
[ "$status" = 0 ] && grep -q '"msg":"stopped"' "$dir/server.log" || { echo "SIGTERM did not stop the app cleanly (exit $status)" >&2; cat "$dir/server.log" >&2; exit 1; }
echo "SIGTERM reached the app: it stopped cleanly"
