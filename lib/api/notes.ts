// /api/notes — a tiny real resource per user: GET lists the token user's notes (`read`),
// POST { "text": "…" } creates one (`write`, 201). Notes belong to users, so client_credentials
// tokens (no user) are refused.
import { z } from 'zod';
import type { BearerCall } from '../oauth/endpoint';
import { invalidRequest, sanitizeDescription } from '../oauth/errors';
import { jsonResponse, type OAuthRequest, type OAuthResponse } from '../oauth/http';
import { createNote, listNotes, type Note } from '../db/queries/notes';
import { multiLineText } from '../fields';
import { env } from '../env';

/** A new note: `text` of 1 to limits.noteMaxLength characters. */
export const newNoteSchema = (max = env().limits.noteMaxLength) =>
  z.object({
    text: z.string({ error: 'text must be a string.' }).pipe(
      multiLineText({
        min: 1,
        minMessage: 'text must not be empty.',
        max,
        maxMessage: `text must be at most ${max} characters.`,
        controlMessage: 'text must not contain control characters such as NUL (tabs and line breaks are fine).',
      }),
    ),
  });

const noteJson = (n: Note) => ({ id: n.id, text: n.text, created_at: n.createdAt.toISOString() });

/**
 * GET lists the token user's notes; POST { "text": "…" } creates one (201). The route manifest
 * requires `read` for GET and `write` for POST, and a token with a user.
 * @throws OAuthError invalid_request for a POST body that is not a JSON note
 */
export async function notesEndpoint(req: OAuthRequest, { bearer: { user } }: BearerCall): Promise<OAuthResponse> {
  if (req.method === 'GET') {
    const notes = await listNotes(user!.id);
    return jsonResponse({ notes: notes.map(noteJson) });
  }
  const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw invalidRequest('Send the note as JSON (Content-Type: application/json): an object with a text member.');
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    throw invalidRequest('The request body is not valid JSON.');
  }
  const parsed = newNoteSchema().safeParse(body);
  if (!parsed.success) throw invalidRequest(sanitizeDescription(parsed.error.issues[0]?.message ?? 'Invalid note.'));
  const note = await createNote(user!.id, parsed.data.text);
  return jsonResponse({ note: noteJson(note) }, 201);
}
