// Any path no other route matches. Remix renders a no-match 404 without running the root loader, so the
// error page would show a signed-in user the "Log in" header; thrown from here, the root's data is there.
const notFound = () => {
  throw new Response("Not found", { status: 404 });
};

export const loader = notFound;
export const action = notFound;

export default function NotFound() {
  return null;
}
