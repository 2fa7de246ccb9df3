/** What a participant's phone downloads: the page, its scripts and style sheets, a fragment re-fetch, each as sent with gzip and uncompressed. */
import { request } from './client.ts';
import type { Running } from './processes.ts';
import type { Section } from './results.ts';
import type { BenchMeeting } from './setup.ts';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export async function bytesPart(app: Running, meeting: BenchMeeting): Promise<Section> {
  const who = meeting.order[0]!;
  const page = `/seances/${meeting.meetingId}/participant`;
  const get = (path: string, headers: Record<string, string> = {}) => request(app.port, { path, headers: { cookie: who.cookie, ...headers } });
  const gz = await get(page, { 'accept-encoding': 'gzip' });
  const raw = await get(page);
  const fragmentHeaders = { 'hx-request': 'true', 'hx-target': 'live' };
  const fragGz = await get(`${page}?proposition=${meeting.proposalId}`, { ...fragmentHeaders, 'accept-encoding': 'gzip' });
  const fragRaw = await get(`${page}?proposition=${meeting.proposalId}`, fragmentHeaders);
  const scripts = [...gz.body.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
  const styles = [...gz.body.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"|<link[^>]*href="([^"]+)"[^>]*rel="stylesheet"/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
  const size = async (paths: string[]) => {
    let wire = 0;
    let plain = 0;
    for (const p of paths) {
      const r = await get(p, { 'accept-encoding': 'gzip' });
      if (r.status !== 200) throw new Error(`bench: ${p} answered ${r.status}`);
      wire += r.wire;
      plain += Buffer.byteLength(r.body);
    }
    return { wire, plain };
  };
  const js = await size(scripts);
  const css = await size(styles);
  console.log(
    `bytes: page ${kib(gz.wire)} gzipped (${kib(raw.wire)}), fragment ${kib(fragGz.wire)} (${kib(fragRaw.wire)}), JS ${kib(js.wire)}, CSS ${kib(css.wire)}`,
  );
  return {
    part: 'bytes',
    title: 'Bytes a participant downloads',
    rows: [
      {
        figure: 'participant page (HTML)',
        value: `${kib(gz.wire)} gzipped`,
        baseline: `uncompressed: ${kib(raw.wire)}`,
        ratio: (gz.wire / raw.wire).toFixed(2),
        goal: 'compressed',
        met: gz.headers['content-encoding'] === 'gzip',
      },
      {
        figure: 'participant fragment re-fetch (HTML)',
        value: `${kib(fragGz.wire)} gzipped`,
        baseline: `uncompressed: ${kib(fragRaw.wire)}`,
        ratio: (fragGz.wire / fragRaw.wire).toFixed(2),
        goal: 'compressed',
        met: fragGz.headers['content-encoding'] === 'gzip',
      },
      {
        figure: `JavaScript on the page (${scripts.length} files)`,
        value: `${kib(js.wire)} gzipped`,
        baseline: `uncompressed: ${kib(js.plain)}`,
        ratio: (js.wire / js.plain).toFixed(2),
        goal: '≤ 60 KB',
        met: js.wire <= 60_000,
      },
      {
        figure: `CSS on the page (${styles.length} files)`,
        value: `${kib(css.wire)} gzipped`,
        baseline: `uncompressed: ${kib(css.plain)}`,
        ratio: (css.wire / css.plain).toFixed(2),
        goal: '—',
        met: null,
      },
    ],
    how: 'As sent by the app to a client sending `Accept-Encoding: gzip` (bytes on the wire, headers excluded), next to the same without it; a small séance (3 guests, clarification round open).',
  };
}
