import { describe, expect, it } from 'vitest';
import { readJsonlLines, type JsonlLine } from '../src/index.js';

async function collect(chunks: (string | Buffer)[], maxLineBytes?: number): Promise<JsonlLine[]> {
  const lines: JsonlLine[] = [];
  for await (const line of readJsonlLines(chunks, maxLineBytes === undefined ? {} : { maxLineBytes })) lines.push(line);
  return lines;
}

describe('readJsonlLines', () => {
  it('joins lines split across chunks, including inside a multi-byte character', async () => {
    const bytes = Buffer.from('{"a":"é"}\n{"b":2}\n');
    const lines = await collect([bytes.subarray(0, 7), bytes.subarray(7, 12), bytes.subarray(12)]);
    expect(lines.map((l) => [l.number, l.text])).toEqual([
      [1, '{"a":"é"}'],
      [2, '{"b":2}'],
    ]);
  });

  it('skips blank lines but counts them, strips CR and a BOM, reads a last line without newline', async () => {
    const lines = await collect(['\uFEFF{"a":1}\r\n\r\n   \n{"b":2}']);
    expect(lines.map((l) => [l.number, l.text])).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":2}'],
    ]);
  });

  it('reports bytes consumed after each line', async () => {
    const lines = await collect(['ab\ncd\n', 'ef']);
    expect(lines.map((l) => l.bytesRead)).toEqual([3, 6, 8]);
  });

  it('flags a line longer than the limit instead of buffering it, and goes on', async () => {
    const lines = await collect(['{"a":1}\n', 'x'.repeat(30), 'y'.repeat(30), '\n{"b":2}\n'], 40);
    expect(lines.map((l) => [l.number, l.text, l.tooLong ?? false])).toEqual([
      [1, '{"a":1}', false],
      [2, '', true],
      [3, '{"b":2}', false],
    ]);
  });
});
