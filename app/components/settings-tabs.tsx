// The tabs between the settings pages.
import { NavLink } from "@remix-run/react";

const TABS = [
  { to: "/settings/brokers", label: "Broker accounts" },
  { to: "/settings/tokens", label: "API tokens" },
];

export function SettingsTabs() {
  return (
    <nav aria-label="Settings" className="flex gap-1 border-b border-slate-200">
      {TABS.map((tab) => (
        <NavLink
          key={tab.to}
          to={tab.to}
          className={({ isActive }) =>
            `-mb-px border-b-2 px-3 py-2 text-sm font-medium ${isActive ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`
          }
        >
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}
