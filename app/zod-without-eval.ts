// Imported first by root.tsx, before any schema is built: in the browser zod must not compile validators with
// `new Function`, which the Content-Security-Policy refuses. Zod probes for it when an object schema is built,
// and that probe alone is reported as a violation. The server keeps the compiled validators.
import { z } from "zod";

if (typeof document !== "undefined") z.config({ jitless: true });
