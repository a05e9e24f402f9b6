'use client';
// A heading that takes the focus when it appears (a confirmation that just opened), so keyboard and
// screen-reader users land on the question instead of the top of the page.
import { useEffect, useRef, type ReactNode } from 'react';

export function FocusOnMount({ as: Tag, id, className, children }: { as: 'h1' | 'h2' | 'h3'; id: string; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  return (
    <Tag ref={ref} id={id} tabIndex={-1} className={`focus:outline-none ${className ?? ''}`}>
      {children}
    </Tag>
  );
}
