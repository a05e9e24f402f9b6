// The request guard for Next.js server actions, run by the front door before Next.js sees the
// request. Next.js answers two kinds of bad action request with a 500: a POST whose Origin is not
// the host's (its CSRF check throws), and a body its decoders cannot read (garbage multipart, a
// missing boundary, a reply that is not React's encoding). Here they get what they are: 403 and
// 400, with a short page. Next.js itself still answers an unknown action id (400 or 409).
//
// "A possible server action" is what Next.js treats as one (next/dist/server/lib/
// server-action-request-meta.js): a POST with a `Next-Action` header (a fetch action, sent by the
// page's JavaScript), or a multipart/form-data POST (perhaps a form submitted without JavaScript).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'next/dist/compiled/busboy';
import { env } from '../env';
import { htmlErrorPage } from '../oauth/error-page';
import type { OAuthResponse } from '../oauth/http';
import { ReplayedRequest } from './request-gate';

// The bounds are Settings.limits.actionMax* (lib/env.ts): Next.js's limit on an action's arguments
// (SERVER_ACTION_ARGS_LIMIT; more is its 500), React's on array slots in one reply (arraySizeLimit;
// more is an error thrown while decoding), and a depth beyond any state our forms send back.

const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * True for a request that Next.js's action handler inspects (next/dist/server/lib/
 * server-action-request-meta.js): a POST with a `Next-Action` header (a fetch action, sent by the
 * page's JavaScript), or a multipart/form-data POST (a form sent without JavaScript, or before the
 * page's JavaScript ran, naming its action in a `$ACTION_ID_<id>` field).
 */
export function isPossibleServerAction(req: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
  if (req.method !== 'POST') return false;
  const type = req.headers['content-type'];
  return typeof req.headers['next-action'] === 'string' || (typeof type === 'string' && type.startsWith('multipart/form-data'));
}

/** Why a request was refused: the status and the words of its page. */
export interface Refusal {
  status: 400 | 403;
  title: string;
  message: string;
}

const CROSS_ORIGIN: Refusal = {
  status: 403,
  title: 'Form from another site',
  message: 'This form was not sent from a page of this site, so it was refused. Open the page on this site and send the form from there.',
};

const undecodable = (why: string): Refusal => ({
  status: 400,
  title: 'Unreadable form',
  message: `The form data could not be read (${why}). Reload the page and send the form again.`,
});

/**
 * OWASP CSRF Prevention (verifying origin with standard headers): a possible server action whose
 * Origin is not this server's is refused. Ours means ISSUER's origin, and also the host the request
 * names (x-forwarded-host, else Host), which is what Next.js compares. No Origin (a hand-made
 * request; every browser sends one with a POST) passes, as it does in Next.js.
 *
 * `Origin: null` is what a browser sends with a form submitted from one of our own pages without
 * JavaScript: our pages' Referrer-Policy is no-referrer (next.config.mjs), and the Fetch standard
 * then serializes the request's origin as "null". Fetch Metadata tells that form apart from one
 * sent by a sandboxed or foreign page (OWASP CSRF Prevention, Fetch Metadata headers):
 * `Sec-Fetch-Site: same-origin`, which no page can set, makes it ours.
 * @returns null when the request may go on, else the 403 to answer
 */
export function checkActionOrigin(headers: IncomingHttpHeaders, issuer = env().ISSUER): Refusal | null {
  const origin = header(headers, 'origin');
  if (origin === undefined) return null;
  const ours = new URL(issuer);
  const forwarded = header(headers, 'x-forwarded-host')?.split(',')[0]?.trim();
  const host = forwarded || header(headers, 'host');
  if (origin === 'null') return header(headers, 'sec-fetch-site') === 'same-origin' && host === ours.host ? null : CROSS_ORIGIN;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return CROSS_ORIGIN;
  }
  return from.origin === ours.origin && host === from.host ? null : CROSS_ORIGIN;
}

/**
 * Names ISSUER's origin in a same-origin `Origin: null` request (checkActionOrigin let it through),
 * in `headers` and `rawHeaders`, so that Next.js's own comparison of Origin and Host agrees.
 */
function nameOurOrigin(req: IncomingMessage, issuer = env().ISSUER): void {
  if (req.headers.origin !== 'null') return;
  const origin = new URL(issuer).origin;
  req.headers.origin = origin;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'origin') req.rawHeaders[i + 1] = origin;
}

/**
 * Checks one React reply model (the JSON text of a server action's arguments, or of a form's
 * bound arguments): the forms React's encodeReply writes for the values our pages send (JSON,
 * `$$` escapes, `$undefined`, numbers, dates, bigints, FormData) and nothing that refers to parts
 * elsewhere (promises, streams, maps, blobs, server references, path references), which no page of
 * ours sends and which the decoder fails on when they dangle.
 * @param text the JSON text of an argument list (an array of at most limits.actionMaxArgs values)
 * @returns null when it decodes, else the reason
 */
export function checkReplyModel(text: string): string | null {
  let model: unknown;
  try {
    model = JSON.parse(text);
  } catch {
    return 'the arguments are not JSON';
  }
  if (!Array.isArray(model)) return 'the arguments are not a list';
  const limits = env().limits;
  if (model.length > limits.actionMaxArgs) return 'too many arguments';
  let slots = 0;
  const stack: Array<[unknown, number]> = [[model, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > limits.actionMaxDepth) return 'the arguments are nested too deeply';
    if (typeof v === 'string') {
      if (v.startsWith('$') && !isPlainReference(v)) return 'the arguments refer to parts that were not sent';
    } else if (Array.isArray(v)) {
      slots += v.length;
      if (slots > limits.actionMaxArraySlots) return 'the arguments hold too many values';
      for (const x of v) stack.push([x, depth + 1]);
    } else if (v !== null && typeof v === 'object') {
      for (const x of Object.values(v)) stack.push([x, depth + 1]);
    }
  }
  return null;
}

/**
 * A `$`-string React's reply decoder turns into a value on its own (react-server-dom-webpack's
 * parseModelString): `$$…` (a string starting with $), `$undefined`, `$Infinity`, `$-Infinity`,
 * `$-0`, `$NaN`, `$D<date>`, `$n<integer>` (a bigint, at most 300 digits), `$K<n>` (FormData),
 * `$T` (an opaque temporary reference).
 */
function isPlainReference(s: string): boolean {
  switch (s[1]) {
    case '$':
    case 'u':
    case 'I':
    case '-':
    case 'N':
    case 'D':
    case 'K':
    case 'T':
      return true;
    case 'n':
      return /^(-?[0-9]{1,300})?$/.test(s.slice(2));
    default:
      return false;
  }
}

/** Multipart fields as busboy (the parser Next.js uses for fetch actions) reads them; throws on a malformed body. */
function busboyFields(headers: IncomingHttpHeaders, body: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let bb: ReturnType<typeof busboy>;
    try {
      bb = busboy({ defParamCharset: 'utf8', headers });
    } catch (e) {
      reject(e); // no boundary, or not multipart at all
      return;
    }
    bb.on('field', (name: string, value: string) => fields.set(name, value));
    bb.on('file', (_name: string, stream: NodeJS.ReadableStream) => stream.resume());
    bb.on('error', reject);
    bb.on('close', () => resolve(fields));
    bb.end(body);
  });
}

/** Multipart fields as the Fetch API (what Next.js uses for forms sent without JavaScript) reads them; throws on a malformed body. */
async function fetchApiFields(contentType: string, body: Buffer): Promise<Array<[string, string]>> {
  const form = await new Request('http://localhost/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) }).formData();
  return [...form].filter((e): e is [string, string] => typeof e[1] === 'string');
}

/**
 * A form sent without JavaScript (Next.js "MPA" action): for each bound action reference
 * (`$ACTION_REF_<k>`), its descriptor `$ACTION_<k>:0` must be `{"id": "…", "bound": null | "$@<n>"}`
 * and the bound arguments `$ACTION_<k>:<n>` a reply model. Ids are left to Next.js (400 or 409).
 */
function checkFormActionFields(fields: Array<[string, string]>): string | null {
  const get = (name: string) => fields.filter(([k]) => k === name).map(([, v]) => v);
  for (const [key] of fields) {
    if (!key.startsWith('$ACTION_REF_')) continue;
    const prefix = `$ACTION_${key.slice('$ACTION_REF_'.length)}:`;
    const descriptors = get(prefix + '0');
    if (descriptors.length !== 1) continue; // Next.js refuses it itself (400)
    let d: unknown;
    try {
      d = JSON.parse(descriptors[0]);
    } catch {
      return 'the action descriptor is not JSON';
    }
    if (typeof d !== 'object' || d === null || typeof (d as { id?: unknown }).id !== 'string') return 'the action descriptor is malformed';
    const bound = (d as { bound?: unknown }).bound;
    if (bound === null || bound === undefined) continue;
    const m = typeof bound === 'string' ? /^\$@([0-9a-f]+)$/.exec(bound) : null;
    if (!m) return 'the action descriptor is malformed';
    const parts = get(prefix + parseInt(m[1], 16));
    if (parts.length !== 1) return 'the bound arguments are missing';
    const bad = checkReplyModel(parts[0]);
    if (bad) return bad;
  }
  return null;
}

/**
 * Whether Next.js can decode a possible server action's body, checked the way Next.js decodes it:
 * - Next-Action with a multipart body: busboy's fields; field `0` is the argument list (checkReplyModel);
 * - Next-Action with any other body but a urlencoded one: the body is the argument list;
 * - multipart without Next-Action (a form sent without JavaScript): the Fetch API's FormData, and
 *   its bound action references (checkFormActionFields);
 * - urlencoded: Next.js does not decode it (not an action); nothing to check.
 * @param body the whole body (bounded by MAX_ACTION_BODY_BYTES before it was read)
 * @returns null when decodable, else the 400 to answer
 */
export async function checkActionBody(headers: IncomingHttpHeaders, body: Buffer): Promise<Refusal | null> {
  const contentType = header(headers, 'content-type');
  if (contentType === 'application/x-www-form-urlencoded') return null;
  const multipart = contentType?.startsWith('multipart/form-data') ?? false;
  const fetchAction = typeof headers['next-action'] === 'string';
  try {
    if (fetchAction && multipart) {
      const fields = await busboyFields(headers, body);
      const args = fields.get('0');
      const bad = args === undefined ? 'the argument list is missing' : checkReplyModel(args);
      return bad ? undecodable(bad) : null;
    }
    if (fetchAction) {
      const bad = checkReplyModel(body.toString('utf8'));
      return bad ? undecodable(bad) : null;
    }
    const bad = checkFormActionFields(await fetchApiFields(contentType!, body));
    return bad ? undecodable(bad) : null;
  } catch {
    return undecodable('the multipart body is malformed');
  }
}

/** The whole body of a request the gate has bounded already. */
function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, r: OAuthResponse): void {
  res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

/**
 * The front door's step for a possible server action (isPossibleServerAction) that Next.js will
 * answer: 403 for a foreign Origin (checkActionOrigin), 400 for a body Next.js cannot decode
 * (checkActionBody), else `pass` with the request, its body replayed from memory.
 * @param req a request whose body the request gate has bounded (MAX_ACTION_BODY_BYTES)
 */
export function guardServerAction(req: IncomingMessage, res: ServerResponse, pass: (req: IncomingMessage) => void): void {
  const foreign = checkActionOrigin(req.headers);
  if (foreign) return answer(res, htmlErrorPage(foreign));
  nameOurOrigin(req);
  readAll(req).then(
    async (body) => {
      const bad = await checkActionBody(req.headers, body);
      if (bad) return answer(res, htmlErrorPage(bad));
      pass(new ReplayedRequest(req, body));
    },
    () => res.destroy(), // the client went away: nothing to answer
  );
}
