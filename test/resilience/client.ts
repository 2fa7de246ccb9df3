/** A participant's device seen from outside: cookies, the CSRF token of the last page, forms, and a live stream. */
import http from 'node:http';

export class Device {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(public base: string) {}

  async request(
    path: string,
    init: { method?: string; form?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<{ status: number; text: string; headers: Headers }> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams({ _csrf: this.csrf, ...init.form }).toString();
    }
    // a bound on every request: a test of outages must fail on a hang, not wait forever
    const res = await fetch(this.base + path, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const text = await res.text();
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: res.status, text, headers: res.headers };
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.request('/connexion');
    const res = await this.request('/connexion', { form: { email, password } });
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
    await this.request('/');
  }

  async join(code: string, displayName: string): Promise<void> {
    await this.request('/rejoindre');
    const res = await this.request('/rejoindre', { form: { code, displayName } });
    if (res.status !== 303) throw new Error(`join failed: ${res.status}`);
    await this.request(res.headers.get('location')!);
  }

  /** Opens the meeting's live stream, as EventSource does (with Last-Event-ID when it reconnects). */
  stream(meetingId: string, lastEventId?: string): LiveStream {
    return new LiveStream(this.base, `/seances/${meetingId}/flux`, [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), lastEventId);
  }
}

export class LiveStream {
  private text = '';
  private readonly waiters: (() => void)[] = [];
  readonly opened: Promise<number>;
  readonly ended: Promise<void>;
  private readonly req: http.ClientRequest;

  constructor(base: string, path: string, cookie: string, lastEventId?: string) {
    const url = new URL(base + path);
    let open!: (status: number) => void;
    let end!: () => void;
    this.opened = new Promise((r) => (open = r));
    this.ended = new Promise((r) => (end = r));
    const headers: Record<string, string> = { cookie, accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    this.req = http.get({ host: url.hostname, port: url.port, path: url.pathname, headers }, (res) => {
      open(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        this.text += chunk;
        for (const w of this.waiters.splice(0)) w();
      });
      res.on('end', end);
      res.on('close', end);
    });
    this.req.on('error', () => end());
  }

  /** The `changed` messages received so far, by their data. */
  messages(): string[] {
    return [...this.text.matchAll(/event: changed\ndata: ([^\n]*)/g)].map((m) => m[1]!);
  }

  lastEventId(): string | undefined {
    return [...this.text.matchAll(/^id: (\S+)$/gm)].pop()?.[1];
  }

  /** Resolves once `count` changed messages have arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages().length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.messages().length} of ${count} messages arrived:\n${this.text}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 250);
      });
    }
    return this.messages();
  }

  close(): void {
    this.req.destroy();
  }
}

/** Resolves with the promise, or rejects after `ms`: a hang is a failure, never a wait forever. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms).unref())]);
}
