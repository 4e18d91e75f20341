// Form building blocks: labelled fields with help text, unit suffix and inline error; buttons with a pending state.
import { useNavigation } from "@remix-run/react";
import type { ComponentPropsWithoutRef, ReactNode } from "react";

const inputBase =
  "block w-full rounded-md border bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:outline-none focus:ring-2 focus:ring-brand-500";
const inputState = (error?: string) =>
  error ? "border-rose-400 focus:border-rose-500" : "border-slate-300 focus:border-brand-500";

interface FieldShellProps {
  id: string;
  label: string;
  help?: ReactNode;
  error?: string;
  children: (describedBy: string | undefined) => ReactNode;
}

function FieldShell({ id, label, help, error, children }: FieldShellProps) {
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, helpId].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="mt-1">{children(describedBy)}</div>
      {error ? (
        <p id={errorId} className="mt-1 text-sm text-rose-600">
          {error}
        </p>
      ) : null}
      {help ? (
        <p id={helpId} className="mt-1 text-xs text-slate-500">
          {help}
        </p>
      ) : null}
    </div>
  );
}

type InputProps = Omit<ComponentPropsWithoutRef<"input">, "id" | "name"> & {
  name: string;
  label: string;
  help?: ReactNode;
  error?: string;
  /** Shown inside the input on the right (USDT, %, ×). */
  unit?: string;
};

export function TextField({ name, label, help, error, unit, className, ...rest }: InputProps) {
  const id = `field-${name}`;
  return (
    <FieldShell id={id} label={label} help={help} error={error}>
      {(describedBy) => (
        <div className="relative">
          <input
            id={id}
            name={name}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
            className={`${inputBase} ${inputState(error)} ${unit ? "pr-14" : ""} ${className ?? ""}`}
            {...rest}
          />
          {unit ? (
            <span className="pointer-events-none absolute inset-y-0 right-0 flex items-center pr-3 text-sm text-slate-500">
              {unit}
            </span>
          ) : null}
        </div>
      )}
    </FieldShell>
  );
}

type SelectProps = Omit<ComponentPropsWithoutRef<"select">, "id" | "name"> & {
  name: string;
  label: string;
  help?: ReactNode;
  error?: string;
  options: { value: string; label: string }[];
};

export function SelectField({ name, label, help, error, options, className, ...rest }: SelectProps) {
  const id = `field-${name}`;
  return (
    <FieldShell id={id} label={label} help={help} error={error}>
      {(describedBy) => (
        <select
          id={id}
          name={name}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className={`${inputBase} ${inputState(error)} ${className ?? ""}`}
          {...rest}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

/** A form-level error (not tied to one field), announced to screen readers. */
export function FormError({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-700">
      {error}
    </p>
  );
}

const VARIANTS = {
  primary: "bg-brand-600 text-white hover:bg-brand-700 disabled:bg-brand-500/60",
  secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 disabled:text-slate-400",
  danger: "bg-rose-600 text-white hover:bg-rose-700 disabled:bg-rose-400",
  ghost: "text-slate-700 hover:bg-slate-100",
} as const;
export type ButtonVariant = keyof typeof VARIANTS;

export function buttonClass(variant: ButtonVariant = "primary", size: "sm" | "md" = "md") {
  const sizing = size === "sm" ? "px-3 py-1.5 text-sm" : "px-4 py-2 text-sm";
  return `inline-flex items-center justify-center gap-2 rounded-md font-medium shadow-sm transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 focus-visible:ring-offset-2 disabled:cursor-not-allowed ${sizing} ${VARIANTS[variant]}`;
}

/**
 * A submit button that shows `pendingLabel` while its form is being submitted. With several
 * buttons on a page, name/value (e.g. intent=pause) tells which one is pending.
 */
export function SubmitButton({
  children,
  pendingLabel,
  variant = "primary",
  size = "md",
  className,
  name,
  value,
  ...rest
}: ComponentPropsWithoutRef<"button"> & {
  pendingLabel?: string;
  variant?: ButtonVariant;
  size?: "sm" | "md";
}) {
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const pending =
    submitting && (name === undefined || navigation.formData?.get(name) === String(value ?? ""));
  return (
    <button
      type="submit"
      name={name}
      value={value}
      disabled={pending}
      aria-busy={pending || undefined}
      className={`${buttonClass(variant, size)} ${className ?? ""}`}
      {...rest}
    >
      {pending ? <Spinner /> : null}
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}

export function Spinner() {
  return (
    <svg aria-hidden className="h-4 w-4 animate-spin" viewBox="0 0 24 24" fill="none">
      <circle cx="12" cy="12" r="10" stroke="currentColor" strokeOpacity="0.25" strokeWidth="4" />
      <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
    </svg>
  );
}
