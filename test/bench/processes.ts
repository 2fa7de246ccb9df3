/**
 * The processes a benchmark measures from outside: a throwaway PostgreSQL 15 (.ci/postgres.sh),
 * the compiled app (as production runs it: package.json's `serve` script) and the bare Express baseline
 * (bare-server.mjs), each started on a free port, timed to its first /healthz 200, and read for
 * its memory in /proc/<pid>/status.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, …]; null when the process is gone. */
function procStat(pid: number): string[] | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system) each process has used so far, in milliseconds. */
export function cpuMs(pids: readonly number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    const f = procStat(pid);
    if (f) used.set(pid, ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND);
  }
  return used;
}

/**
 * CPU milliseconds used between two readings: a process that appeared in between (a pool's new
 * connection, a backend) counts whole; one that ended in between is lost (idle ones, mostly).
 */
export function cpuSince(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** A process and its children (a PostgreSQL postmaster and its backends). */
function processFamily(pid: number): number[] {
  const family = [pid];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (Number(procStat(Number(name))?.[1]) === pid) family.push(Number(name));
  }
  return family;
}

/** A throwaway PostgreSQL 15, unless DATABASE_URL names one; `pids` lists its processes (none for DATABASE_URL). */
export async function startPostgres(): Promise<{ url: string; stop: () => void; own: boolean; pids: () => number[] }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: () => {}, own: false, pids: () => [] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'so-bench-pg-'));
  const out = execFileSync('bash', [path.join(ROOT, '.ci/postgres.sh'), 'start', dir], { encoding: 'utf8' });
  const url = /DATABASE_URL=(\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`bench: PostgreSQL did not start: ${out}`);
  const postmaster = Number(fs.readFileSync(path.join(dir, 'data/postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url,
    own: true,
    stop: () => execFileSync('bash', [path.join(ROOT, '.ci/postgres.sh'), 'stop', dir]),
    pids: () => processFamily(postmaster),
  };
}

export interface Running {
  name: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn to the first /healthz 200. */
  startMs: number;
  stop(): Promise<void>;
}

/** Resident memory of a process now and at its peak so far, in MiB (VmRSS, VmHWM). */
export function memory(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest seen (MiB). */
export function watchPeak(pid: number, everyMs = 20): () => number {
  let peak = memory(pid).rss;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memory(pid).rss);
    } catch {
      // the process ended
    }
  }, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

async function waitHealthy(port: number, child: ChildProcess, started: number, timeoutMs: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bench: process on port ${port} exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`bench: no /healthz 200 on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The production command, package.json's `serve` script (`node <flags> dist/server.js`): its Node
 * flags (the heap's sizes) and its script. The compose file, the README and the CI smoke test run
 * the same (test/production.test.ts).
 */
export function productionCommand(): { flags: string[]; script: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts.serve!.trim().split(/\s+/);
  if (words[0] !== 'node' || words.length < 2) throw new Error('package.json: the serve script must be `node [flags] <script>`');
  return { flags: words.slice(1, -1), script: words[words.length - 1]! };
}

/**
 * Spawns `node <script>` with the environment given and waits for its first /healthz 200.
 * BENCH_CPU_PROF=<dir> profiles the app processes (node --cpu-prof), written when they stop.
 * BENCH_NODE_FLAGS='--flag …' adds Node flags after production's (`nodeFlags`): a flag given again overrides it.
 */
export async function spawnNode(
  name: string,
  script: string,
  env: Record<string, string>,
  options: { profile?: boolean; nodeFlags?: string[] } = {},
): Promise<Running> {
  const port = await freePort();
  const args: string[] = [];
  if (options.profile && process.env.BENCH_CPU_PROF) args.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`);
  if (options.nodeFlags) args.push(...options.nodeFlags);
  if (options.profile && process.env.BENCH_NODE_FLAGS) args.push(...process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean));
  const logFile = path.join(os.tmpdir(), `so-bench-${name}-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, [...args, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', log, log],
  });
  let startMs: number;
  try {
    startMs = await waitHealthy(port, child, started, 120_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`, { cause: error });
  }
  return {
    name,
    port,
    pid: child.pid!,
    child,
    startMs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          fs.rmSync(logFile, { force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** The compiled app, as production runs it (package.json's `serve` script). */
export function startApp(env: Record<string, string>, name = 'app'): Promise<Running> {
  const serve = productionCommand();
  const script = path.join(ROOT, serve.script);
  if (!fs.existsSync(script)) throw new Error(`bench: ${serve.script} is missing: run npm run build (npm run bench does)`);
  return spawnNode(
    name,
    script,
    { NODE_ENV: 'production', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', ...env },
    { profile: true, nodeFlags: serve.flags },
  );
}

/** The baseline: bare Express, one pg pool, one INSERT route, /healthz and a bare event stream. */
export function startBare(databaseUrl: string): Promise<Running> {
  return spawnNode('bare', path.join(ROOT, 'test/bench/bare-server.mjs'), { DATABASE_URL: databaseUrl });
}
