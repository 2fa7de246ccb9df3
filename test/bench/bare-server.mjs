/* global process */
// The baseline of `npm run bench`: bare Express and one pg pool (the app's default size, 10), with
// the floor of each thing the app does: POST /insert parses a form and runs one INSERT; /healthz
// answers without the database; /flux holds an event stream open. Plain JavaScript, run by node as
// the compiled app is. PORT and DATABASE_URL come from the environment.
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
await pool.query('create table if not exists bench_bare_inserts (id bigserial primary key, body text not null, at timestamptz not null default now())');

const app = express();
app.set('x-powered-by', false);
app.use(express.urlencoded({ extended: false, limit: '256kb' }));
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/insert', async (req, res) => {
  await pool.query('insert into bench_bare_inserts (body) values ($1)', [String(req.body?.texte ?? '')]);
  res.redirect(303, '/healthz');
});
app.get('/flux', (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.write('retry: 2000\n\n');
});
const server = app.listen(Number(process.env.PORT ?? 3999), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => pool.end().then(() => process.exit(0)));
});
