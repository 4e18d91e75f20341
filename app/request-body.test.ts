// Body limits are enforced while reading: a chunked body without Content-Length is never buffered past its
// cap, a declared Content-Length over it is refused unread, and a form that is not one is a 4xx, never a 500.
import { BodyTooLargeError, readBodyBytes, readForm } from "./request-body.server";

/** A body of `total` bytes in 64 KiB chunks, produced only when pulled; `pulled()` says how much was read. */
function countingBody(total: number) {
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= total) return controller.close();
        const size = Math.min(64 * 1024, total - produced);
        produced += size;
        controller.enqueue(new Uint8Array(size).fill(0x61));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => produced };
}

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://candlecast.test/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("readBodyBytes", () => {
  it("stops reading a chunked body as soon as it passes the limit", async () => {
    const body = countingBody(10 * 1024 * 1024);
    await expect(readBodyBytes(post(body.stream), 256 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(body.pulled()).toBeLessThanOrEqual(256 * 1024 + 64 * 1024);
  });

  it("refuses a declared Content-Length over the limit without reading the body", async () => {
    const body = countingBody(1024 * 1024);
    const request = post(body.stream, { "content-length": String(1024 * 1024) });
    await expect(readBodyBytes(request, 1024)).rejects.toThrow("The body must be at most 1 KiB");
    expect(body.pulled()).toBe(0);
  });

  it("returns a body within the limit whole, and an absent one as empty", async () => {
    const body = countingBody(200 * 1024);
    expect((await readBodyBytes(post(body.stream), 256 * 1024)).byteLength).toBe(200 * 1024);
    expect((await readBodyBytes(new Request("http://candlecast.test/"), 10)).byteLength).toBe(0);
  });
});

describe("readForm", () => {
  const refusal = async (request: Request, limit?: number) => {
    const thrown = await readForm(request, limit).then(
      () => null,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(Response);
    const response = thrown as Response;
    return { status: response.status, message: ((await response.json()) as { message: string }).message };
  };

  it("reads urlencoded and multipart forms", async () => {
    const encoded = await readForm(post(new URLSearchParams({ a: "1", b: "two" })));
    expect(Object.fromEntries(encoded)).toEqual({ a: "1", b: "two" });
    const multipart = new FormData();
    multipart.set("name", "Ann");
    multipart.set("codeFile", new File(["print(1)"], "s.py"));
    const read = await readForm(post(multipart));
    expect(read.get("name")).toBe("Ann");
    expect(await (read.get("codeFile") as File).text()).toBe("print(1)");
  });

  it.each([
    ["a JSON body", post('{"email":"a@b.c"}', { "content-type": "application/json" }), 415],
    ["a text body", post("email=a", { "content-type": "text/plain" }), 415],
    ["no Content-Type", post(null), 415],
    [
      "broken multipart",
      post('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nno closing boundary', {
        "content-type": "multipart/form-data; boundary=x",
      }),
      400,
    ],
    ["multipart without a boundary", post("anything", { "content-type": "multipart/form-data" }), 400],
  ])("answers %s with a 4xx page error", async (_name, request, status) => {
    expect((await refusal(request)).status).toBe(status);
  });

  it("answers 413 to a form over its limit, read no further than the limit, without repeating it", async () => {
    const body = countingBody(5 * 1024 * 1024);
    const request = post(body.stream, { "content-type": "application/x-www-form-urlencoded" });
    const { status, message } = await refusal(request, 64 * 1024);
    expect(status).toBe(413);
    expect(message).toBe("The form is too large: it must be at most 64 KiB.");
    expect(body.pulled()).toBeLessThanOrEqual(128 * 1024);
  });
});
