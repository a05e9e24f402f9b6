// The floor: the least work one client_credentials token can cost on this stack — parse Basic,
// find the client in an in-process cache, insert one hashed token row, write JSON. No framework,
// no validation. `npm run bench` measures it in the same run, and reports every scenario against it.
import http from 'node:http';
import crypto from 'node:crypto';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });
const port = Number(process.env.PORT ?? 8701);
const clients = new Map<string, { id: number; secret: string }>();

async function client(clientId: string) {
  let c = clients.get(clientId);
  if (!c) {
    const [row] = await sql`SELECT id, client_secret FROM applications WHERE client_id = ${clientId}`;
    if (!row) return null;
    // The floor skips argon2 entirely: it compares the secret given to it at start (BENCH_FLOOR_SECRET).
    c = { id: Number(row.id), secret: process.env.BENCH_FLOOR_SECRET ?? '' };
    clients.set(clientId, c);
  }
  return c;
}

http
  .createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').slice(6), 'base64').toString().split(':');
      const c = await client(id);
      if (!c || c.secret !== secret) {
        res.writeHead(401).end();
        return;
      }
      const token = crypto.randomBytes(32).toString('base64url');
      const hash = crypto.createHash('sha256').update(token).digest('base64url');
      await sql`INSERT INTO access_tokens (token_hash, application_id, scope, grant_type, expires_at)
                VALUES (${hash}, ${c.id}, 'read', 'client_credentials', now() + interval '10 hours')`;
      const body = JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 36000, scope: 'read' });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`floor ready on ${port}`));
