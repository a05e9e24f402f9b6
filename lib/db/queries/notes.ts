// The example protected resource behind /api/notes: a user's short notes.
import { desc, eq } from 'drizzle-orm';
import { getDb } from '../index';
import { notes } from '../schema';

export interface Note {
  id: number;
  text: string;
  createdAt: Date;
}

export async function listNotes(userId: string, limit = 100): Promise<Note[]> {
  const db = await getDb();
  return db
    .select({ id: notes.id, text: notes.text, createdAt: notes.createdAt })
    .from(notes)
    .where(eq(notes.userId, userId))
    .orderBy(desc(notes.createdAt), desc(notes.id))
    .limit(limit);
}

export async function createNote(userId: string, text: string): Promise<Note> {
  const db = await getDb();
  const [n] = await db.insert(notes).values({ userId, text }).returning({ id: notes.id, text: notes.text, createdAt: notes.createdAt });
  return n;
}
