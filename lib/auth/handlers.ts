import { NextRequest } from 'next/server';
import { handlers } from './index';
import { headAsGet } from '../server/next-door';

export const { GET, POST } = handlers;

/** next-auth answers GET only; HEAD on its GET routes (session, providers, csrf…) is the same without content (RFC 9110 §9.3.2). */
export const HEAD = headAsGet(GET, (req: NextRequest) => new NextRequest(req.url, { method: 'GET', headers: req.headers }));
