import { listeningLine, listeningUrlIn } from './listening';

describe('the listening line: a process started with PORT=0 says which port it got', () => {
  it('names the URL in a pretty line and in a JSON log line alike', () => {
    const line = listeningLine('127.0.0.1', 43_210);
    expect(listeningUrlIn(`[Bootstrap] ${line}`)).toBe('http://127.0.0.1:43210');
    expect(listeningUrlIn(JSON.stringify({ level: 'info', msg: line }))).toBe('http://127.0.0.1:43210');
  });

  it('finds nothing in other lines', () => {
    expect(listeningUrlIn('{"msg":"request","path":"/listening"}')).toBeUndefined();
  });
});
