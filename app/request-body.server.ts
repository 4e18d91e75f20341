// Reads a request body with a size cap enforced while reading (Web Fetch API only: the Node and Deno entries
// alike), and turns it into form data whose parse failures are 4xx pages, never a 500.
/** Every form but the author's; the largest is a version's metadata, far below this. */
export const FORM_BODY_LIMIT = 64 * 1024;
/** The author's forms: a version's code (at most 200,000 characters, typed or uploaded) and its metadata. */
export const AUTHOR_FORM_BODY_LIMIT = 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`The body must be at most ${formatBytes(limit)}`);
  }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/**
 * The body's bytes, or a BodyTooLargeError as soon as more than `limit` arrived (or were announced by
 * Content-Length): a chunked body is never buffered past the limit. The rest is left unread; the entry
 * drains or closes the connection.
 */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  if (Number(request.headers.get("content-length") ?? 0) > limit) throw new BodyTooLargeError(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

/** The media type of a Content-Type header, lower case and without parameters ("" when absent). */
export function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

/** A page error (the root ErrorBoundary shows the status and this message; it never repeats the input). */
function refuse(status: number, message: string): Response {
  return Response.json({ message }, { status });
}

/**
 * A form post's fields, read within `limit` bytes. Throws a 413, 415 (not a form: JSON, text…) or 400
 * (a form that does not parse, e.g. broken multipart) response for the route's ErrorBoundary.
 */
export async function readForm(request: Request, limit = FORM_BODY_LIMIT): Promise<FormData> {
  const type = mediaType(request);
  if (!FORM_TYPES.includes(type))
    throw refuse(415, "This page accepts form submissions only (urlencoded or multipart).");
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readBodyBytes(request, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw refuse(413, `The form is too large: it must be at most ${formatBytes(limit)}.`);
    throw refuse(400, "The form could not be read: the upload was cut off.");
  }
  try {
    return await new Response(bytes, {
      headers: { "content-type": request.headers.get("content-type")! },
    }).formData();
  } catch {
    throw refuse(400, "The form could not be read: its encoding is broken.");
  }
}
