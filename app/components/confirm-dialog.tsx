// The one confirmation before anything destructive: a radix AlertDialog (focus trapped, Escape and the
// cancel button keep things as they are) whose confirming control is the caller's form.
import { AlertDialog } from "radix-ui";
import type { ReactNode } from "react";
import { buttonClass } from "./forms";

export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  cancelLabel,
  children,
  confirm,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: string;
  cancelLabel: string;
  /** What will happen, in plain words. */
  children: ReactNode;
  /** The form that does it (its submit button is the dialog's action). */
  confirm: ReactNode;
}) {
  return (
    <AlertDialog.Root open={open} onOpenChange={onOpenChange}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-6 shadow-xl focus:outline-none">
          <AlertDialog.Title className="text-lg font-semibold text-slate-900">{title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="mt-2 space-y-2 text-sm text-slate-600">{children}</div>
          </AlertDialog.Description>
          <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <AlertDialog.Cancel className={buttonClass("secondary")}>{cancelLabel}</AlertDialog.Cancel>
            {confirm}
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
