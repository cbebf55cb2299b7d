import { isUtf8 } from 'node:buffer';

/** One non-blank line of a JSON Lines stream. */
export interface JsonlLine {
  /** 1-based line number in the stream, counting blank lines too. */
  number: number;
  /** The line without its line ending (and without a leading byte-order mark). */
  text: string;
  /** Bytes of the stream consumed up to and including this line. */
  bytesRead: number;
  /** Set when the line is longer than `maxLineBytes`; `text` is then empty. */
  tooLong?: true;
  /** Set when the line's bytes are not valid UTF-8 (`text` then holds U+FFFD where they were). */
  invalidUtf8?: true;
}

export interface ReadLinesOptions {
  /** Longer lines are reported (`tooLong`) instead of buffered: one runaway line cannot exhaust memory. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Split a byte stream into lines as it arrives, holding at most one line (and one chunk) in
 * memory, so files of any size stream through. Blank lines are skipped but counted.
 * Splitting on the byte 0x0A is safe in UTF-8: it never occurs inside a multi-byte character.
 *
 * @example
 * for await (const line of readJsonlLines(createReadStream('events.jsonl'))) JSON.parse(line.text);
 */
export async function* readJsonlLines(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: ReadLinesOptions = {},
): AsyncGenerator<JsonlLine> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let pieces: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let number = 0;
  let bytesRead = 0;

  const finishLine = (chunk: Buffer, start: number, end: number): JsonlLine | undefined => {
    const length = pendingBytes + (end - start);
    number++;
    bytesRead += length + 1;
    let line: JsonlLine | undefined;
    if (oversized || length > maxLineBytes) {
      line = { number, text: '', bytesRead, tooLong: true };
    } else {
      const bytes = pieces.length === 0 ? chunk.subarray(start, end) : Buffer.concat([...pieces, chunk.subarray(start, end)]);
      let text = bytes.toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (number === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
      // Decoding would silently replace bad bytes with U+FFFD: say so instead.
      if (text.trim() !== '') line = isUtf8(bytes) ? { number, text, bytesRead } : { number, text, bytesRead, invalidUtf8: true };
    }
    pieces = [];
    pendingBytes = 0;
    oversized = false;
    return line;
  };

  for await (const data of source) {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) {
        const rest = chunk.length - start;
        if (rest > 0) {
          if (!oversized && pendingBytes + rest > maxLineBytes) {
            oversized = true;
            pieces = [];
          }
          if (!oversized) pieces.push(chunk.subarray(start));
          pendingBytes += rest;
        }
        break;
      }
      const line = finishLine(chunk, start, end);
      if (line) yield line;
      start = end + 1;
    }
  }
  if (pendingBytes > 0) {
    const line = finishLine(Buffer.alloc(0), 0, 0);
    // The last line had no newline: it consumed one byte less than counted.
    if (line) yield { ...line, bytesRead: line.bytesRead - 1 };
  }
}
