import type { Config } from "tailwindcss";

export default {
  content: ["./app/**/*.{ts,tsx}"],
  theme: {
    extend: {
      fontFamily: {
        sans: ["Inter", "ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        mono: ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
      },
      colors: {
        brand: {
          50: "#eef7ff",
          100: "#d9edff",
          500: "#2f7cf6",
          600: "#1f63d6",
          700: "#1a4fab",
          900: "#0f2a5c",
        },
      },
    },
  },
  plugins: [],
} satisfies Config;
