import { readEventStream } from './event-stream';

/** A body that arrives in the given chunks, as a network delivers it. */
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>) {
  const events = [];
  for await (const event of readEventStream(stream)) events.push(event);
  return events;
}

describe('reading text/event-stream through fetch (EventSource cannot send the bearer token)', () => {
  it('given events split anywhere across chunks, then each arrives whole, with its type, data and id', async () => {
    const events = await all(body('id: 7\nevent: activ', 'ity\ndata: {"type":', '"a"}\n\n: keep-alive\n\nid: 8\r\nevent: end\r\ndata: {"rule":"x"}\r\n\r\n'));
    expect(events).toEqual([
      { event: 'activity', data: '{"type":"a"}', id: '7' },
      { event: 'end', data: '{"rule":"x"}', id: '8' },
    ]);
  });

  it('data lines join with newlines; an unnamed event is a message; a comment alone dispatches nothing', async () => {
    expect(await all(body(': hello\n\ndata: first\ndata:second\n\n'))).toEqual([{ event: 'message', data: 'first\nsecond' }]);
  });

  it('a character split between chunks is decoded whole', async () => {
    const bytes = new TextEncoder().encode('data: Crème\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 9));
        controller.enqueue(bytes.slice(9));
        controller.close();
      },
    });
    expect(await all(stream)).toEqual([{ event: 'message', data: 'Crème' }]);
  });
});
