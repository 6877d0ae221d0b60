import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { ALL_EVENT_DEFINITIONS } from './events';
import { ASYNCAPI_FILE } from './generate-asyncapi';

/** The published document as a subscriber's tooling reads it: the official AsyncAPI parser, all its rules. */
describe('libs/contracts/asyncapi.json, read by the official @asyncapi/parser', () => {
  let parsed: Awaited<ReturnType<Parser['parse']>>;
  beforeAll(async () => {
    parsed = await new Parser().parse(readFileSync(ASYNCAPI_FILE, 'utf8'));
  });

  it('is valid: no error or warning from the parser', () => {
    const problems = parsed.diagnostics
      .filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error || diagnostic.severity === DiagnosticSeverity.Warning)
      .map((diagnostic) => `${diagnostic.code} at ${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(problems).toEqual([]);
    expect(parsed.document).toBeDefined();
  });

  it('describes every event type of the catalogue as a message with its payload schema', () => {
    const messages = parsed.document!.allMessages().all();
    expect(messages.map((message) => message.id()).sort()).toEqual(ALL_EVENT_DEFINITIONS.map((definition) => definition.type).sort());
    for (const message of messages) expect(message.hasPayload()).toBe(true);
  });
});
