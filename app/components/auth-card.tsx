// The centred card the sign-up and log-in pages share, and the link between them that keeps redirectTo.
import { Link, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";

/** Where to go after signing in (from ?redirectTo=), and the link to the other auth page that keeps it. */
export function useAuthRedirect() {
  const [params] = useSearchParams();
  const redirectTo = params.get("redirectTo") ?? "";
  const switchTo = (path: string, label: string) => (
    <Link
      to={`${path}${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ""}`}
      className="font-medium text-brand-600 hover:underline"
    >
      {label}
    </Link>
  );
  return { redirectTo, switchTo };
}

export function AuthCard({
  title,
  subtitle,
  children,
  footer,
}: {
  title: string;
  subtitle: string;
  children: ReactNode;
  footer: ReactNode;
}) {
  return (
    <div className="mx-auto max-w-md">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        <p className="mt-1 text-sm text-slate-600">{subtitle}</p>
        <div className="mt-6">{children}</div>
      </div>
      <p className="mt-4 text-center text-sm text-slate-600">{footer}</p>
    </div>
  );
}
