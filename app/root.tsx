import "~/zod-without-eval";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  NavLink,
  useNavigation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { useCspNonce } from "~/csp-nonce";
import { useErrorId } from "~/error-id";
import { getUser } from "~/session.server";
import stylesheet from "~/tailwind.css";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  return json({ user: user ? { email: user.email, name: user.name } : null });
}

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [
  { title: "Candlecast — trading strategies, run once, followed by many" },
  { name: "description", content: "Subscribe to Python trading strategies with your own risk settings." },
];

export function Layout({ children }: { children: React.ReactNode }) {
  const nonce = useCspNonce();
  return (
    <html lang="en" className="h-full">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-full">
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function NavigationProgress() {
  const navigation = useNavigation();
  if (navigation.state === "idle") return null;
  return (
    <div role="progressbar" aria-label="Loading" className="fixed inset-x-0 top-0 z-50 h-0.5 overflow-hidden">
      <div className="h-full w-1/3 animate-pulse bg-brand-500" />
    </div>
  );
}

const navLink = ({ isActive }: { isActive: boolean }) =>
  `whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium ${isActive ? "bg-slate-100 text-slate-900" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900"}`;

function UserNav() {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  if (!user) {
    return (
      <nav aria-label="Account" className="flex items-center gap-1 sm:gap-2">
        <NavLink to="/login" className={navLink}>
          Log in
        </NavLink>
        <Link
          to="/signup"
          className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-brand-700"
        >
          Sign up
        </Link>
      </nav>
    );
  }
  // On a phone the links take a row of their own under the logo and Log out (they do not fit beside it).
  return (
    <>
      <nav
        aria-label="Account"
        className="order-last -mx-2.5 flex w-full gap-1 overflow-x-auto sm:order-none sm:mx-0 sm:w-auto sm:gap-2"
      >
        <NavLink to="/subscriptions" className={navLink}>
          My subscriptions
        </NavLink>
        <NavLink to="/author/strategies" className={navLink}>
          My strategies
        </NavLink>
        <NavLink to="/settings" className={navLink}>
          Settings
        </NavLink>
      </nav>
      <div className="flex items-center gap-1 sm:gap-2">
        <span
          className="hidden max-w-[14rem] truncate px-1 text-sm text-slate-500 md:inline"
          title={user.email}
        >
          {user.email}
        </span>
        <Form method="post" action="/logout">
          <button
            type="submit"
            className="whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-50 hover:text-slate-900"
          >
            Log out
          </button>
        </Form>
      </div>
    </>
  );
}

function Header() {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-2 gap-y-2 px-4 py-3 sm:gap-x-4">
        <Link to="/" className="mr-auto flex items-center gap-2 font-semibold text-slate-900">
          <span aria-hidden className="inline-block h-5 w-2 rounded-sm bg-emerald-500" />
          Candlecast
        </Link>
        <UserNav />
      </div>
    </header>
  );
}

export default function App() {
  return (
    <>
      <NavigationProgress />
      <Header />
      <main className="mx-auto max-w-6xl px-4 py-8">
        <Outlet />
      </main>
    </>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  // A request refused as it stands (too large, not a form, unreadable): the status and the server's own message.
  const refused =
    isRouteErrorResponse(error) && error.status >= 400 && error.status < 500 && !notFound
      ? {
          status: error.status,
          message:
            typeof error.data === "string"
              ? error.data
              : String(error.data?.message ?? "It cannot be served."),
        }
      : null;
  const serverErrorId = useErrorId();
  const errorId = isRouteErrorResponse(error)
    ? ((error.data?.errorId as string | undefined) ?? serverErrorId)
    : serverErrorId;
  const [status, title, message] = notFound
    ? ["404", "Page not found", "We couldn't find what you were looking for."]
    : refused
      ? [String(refused.status), "The request was refused", refused.message]
      : [
          "500",
          "Something went wrong",
          "An unexpected error occurred. It has been logged; please mention the error id if you contact us.",
        ];
  return (
    <>
      <Header />
      <main className="mx-auto max-w-xl px-4 py-24 text-center">
        <p className="text-sm font-semibold text-brand-600">{status}</p>
        <h1 className="mt-2 text-2xl font-semibold">{title}</h1>
        <p className="mt-2 text-slate-600">{message}</p>
        {!notFound && !refused && errorId ? (
          <p className="mt-2 font-mono text-xs text-slate-500" data-error-id={errorId}>
            Error id: {errorId}
          </p>
        ) : null}
        <Link
          to="/"
          className="mt-6 inline-block rounded-md bg-brand-600 px-4 py-2 text-white hover:bg-brand-700"
        >
          Back to the marketplace
        </Link>
      </main>
    </>
  );
}
