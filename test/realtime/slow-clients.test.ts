import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Response } from 'express';
import { SignalBus } from '../../src/realtime/bus.ts';
import { SseHub } from '../../src/realtime/sse.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

/**
 * 500 open streams of one meeting, 100 of which never read. Over a Unix socket, whose kernel
 * buffers are small (a TCP connection on loopback swallows megabytes before the app holds a
 * byte): what the app itself holds for a reader that does not keep up is what is measured.
 */
const FAST = 400;
const SLOW = 100;
const CAP = 64 * 1024;
const CHANGES = 8;

let database: TestDatabase;
let bus: SignalBus;
let hub: SseHub;
let server: http.Server;
let socketPath: string;
const meetingId = '00000000-0000-4000-8000-000000000013';
let composed = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  bus = new SignalBus(database);
  await bus.start();
  hub = new SseHub(bus, { maxBuffered: CAP });
  // What a change sends: to a slow reader, as much as a big meeting's region (128 KiB); to the others, which change it is.
  const big = Buffer.from(`event: live\ndata: ${'x'.repeat(128 * 1024)}\n\n`);
  hub.setComposer(async (_meeting, contexts) => {
    composed += 1;
    const small = Buffer.from(`event: live\ndata: change ${composed}\n\n`);
    return contexts.map((c) => ((c as { slow: boolean }).slow ? [big] : [small]));
  });
  socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'so-slow-')), 'app.sock');
  let n = 0;
  server = http.createServer((req, res) => {
    n += 1;
    hub.open(meetingId, { sessionId: `session-${n}`, personId: `person-${n}` }, res as unknown as Response, undefined, { slow: req.url === '/slow' });
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
});
afterAll(async () => {
  hub.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await bus.close();
  await database.dispose();
});

describe('slow readers of the live stream', () => {
  it('when 100 of 500 streams never read, then the app closes them once they hold too much, and the 400 others get every change', async () => {
    const seen: number[] = Array.from({ length: FAST }, () => 0);
    const requests: http.ClientRequest[] = [];
    const opened: Promise<void>[] = [];
    for (let i = 0; i < FAST + SLOW; i++) {
      const slow = i >= FAST;
      opened.push(
        new Promise((ready) => {
          const req = http.get({ socketPath, path: slow ? '/slow' : '/fast' }, (res) => {
            ready();
            if (slow) return res.pause(); // never reads a byte
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              for (const m of chunk.matchAll(/data: change (\d+)/g)) seen[i] = Math.max(seen[i]!, Number(m[1]));
            });
          });
          req.on('error', () => {});
          requests.push(req);
        }),
      );
    }
    await Promise.all(opened);
    expect(hub.size()).toBe(FAST + SLOW);

    let most = 0;
    for (let k = 0; k < CHANGES; k++) {
      const target = composed + 1;
      await bus.publish({ name: 'meeting-changed', meetingId });
      // every fast reader gets this change (or a later one, when changes were sent together)
      while (seen.some((s) => s < target)) await new Promise((r) => setTimeout(r, 20));
      most = Math.max(most, hub.buffered());
      // what the app holds unsent stays bounded: at most the cap and one message per open stream
      expect(hub.buffered()).toBeLessThanOrEqual((FAST + SLOW) * (CAP + 140 * 1024));
    }
    // the slow readers were closed (they reconnect and are told to fetch everything); the others are all open
    expect(hub.size()).toBe(FAST);
    expect(seen.every((s) => s === composed)).toBe(true);
    expect(most).toBeLessThanOrEqual(SLOW * (CAP + 140 * 1024));
    for (const r of requests) r.destroy();
  });
});
