// The site's name with its mark, as the header shows it (app/layout.tsx, app/global-error.tsx).
export function BrandMark() {
  return (
    <>
      <span className="grid size-7 place-items-center rounded-md bg-indigo-600 text-xs font-bold text-white" aria-hidden>
        OA
      </span>
      OAuth Provider
    </>
  );
}
