'use client';
// Deletes the flash cookie once its notice is on the screen, so a reload or a later visit does not
// show it again (app/_lib/flash.ts; without JavaScript it expires within a minute).
import { useEffect } from 'react';

export function ClearFlash({ name, secure }: { name: string; secure: boolean }) {
  useEffect(() => {
    document.cookie = `${name}=; Max-Age=0; Path=/; SameSite=Lax${secure ? '; Secure' : ''}`;
  }, [name, secure]);
  return null;
}
