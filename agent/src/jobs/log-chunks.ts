// Splits job output into UTF-8 chunks of at most N bytes without cutting a character in two.

export function splitUtf8(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError("maxBytes must leave room for one UTF-8 character");
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text.length > 0 ? [text] : [];
  const chunks: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length);
    // 0b10xxxxxx is a continuation byte: back off to the start of that character.
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    chunks.push(bytes.toString("utf8", start, end));
    start = end;
  }
  return chunks;
}
