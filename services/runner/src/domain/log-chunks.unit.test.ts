import { LastLines, LogChunker } from './log-chunks';

describe('log chunks ("streams stdout/stderr as ordered log chunks")', () => {
  it('numbers chunks 1, 2, 3... in the order the output was read, one stream per chunk', () => {
    const chunker = new LogChunker(1024);
    const chunks = [...chunker.add('stdout', 'a\n'), ...chunker.add('stdout', 'b\n'), ...chunker.add('stderr', 'oops\n'), ...chunker.add('stdout', 'c\n'), ...chunker.flush()];
    expect(chunks).toEqual([
      { seq: 1, stream: 'stdout', text: 'a\nb\n' },
      { seq: 2, stream: 'stderr', text: 'oops\n' },
      { seq: 3, stream: 'stdout', text: 'c\n' },
    ]);
  });

  it('holds output until a chunk is full or flushed, so a chatty command sends few reports', () => {
    const chunker = new LogChunker(1024);
    expect(chunker.add('stdout', 'progress 1%\n')).toEqual([]);
    expect(chunker.add('stdout', 'progress 2%\n')).toEqual([]);
    expect(chunker.flush()).toEqual([{ seq: 1, stream: 'stdout', text: 'progress 1%\nprogress 2%\n' }]);
    expect(chunker.flush()).toEqual([]);
  });

  it('never makes a chunk larger than its bound in UTF-8 bytes, nor cuts a character in two', () => {
    const chunker = new LogChunker(10);
    const text = 'ééééééééééé🧪🧪🧪abc';
    const chunks = [...chunker.add('stdout', text), ...chunker.flush()];
    expect(chunks.every((chunk) => Buffer.byteLength(chunk.text) <= 10)).toBe(true);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
    expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_chunk, index) => index + 1));
  });

  it('ends a full chunk at a line break when one is near the limit', () => {
    const chunker = new LogChunker(16);
    expect(chunker.add('stdout', 'line one\nline two is long')).toEqual([{ seq: 1, stream: 'stdout', text: 'line one\n' }]);
  });
});

describe('the last log lines of a failure', () => {
  it('keeps the last lines of both streams in the order read, the unfinished ones too', () => {
    const lines = new LastLines(3);
    lines.add('stdout', 'one\ntwo\nthr');
    lines.add('stderr', 'error: bad\n');
    lines.add('stdout', 'ee\nfour\nfi');
    expect(lines.current()).toEqual(['three', 'four', 'fi']);
  });

  it('shortens very long lines', () => {
    const lines = new LastLines(2, 5);
    lines.add('stderr', `${'x'.repeat(50)}\n`);
    expect(lines.current()).toEqual(['xxxxx…']);
  });
});
