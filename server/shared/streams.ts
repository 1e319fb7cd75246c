/** Reading HTTP bodies with a size cap, shared by the server (requests) and the upstream client (responses). */

/**
 * Read a body stream whole unless it grows past `maxBytes`; the stream is
 * cancelled as soon as it does, so an oversized body is never buffered whole.
 * @returns the bytes, or null when the body is larger than `maxBytes`
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number, declaredLength?: string | null): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(declaredLength ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await body?.cancel().catch(() => undefined);
    return null;
  }
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
