// This response's Content-Security-Policy nonce, from the server entry (entry.server.tsx) to the inline scripts
// Remix renders in root.tsx. The browser needs none: it only checks the nonce of server-rendered scripts.
import { createContext, useContext } from "react";

export const CspNonceContext = createContext<string | undefined>(undefined);

export const useCspNonce = (): string | undefined => useContext(CspNonceContext);
