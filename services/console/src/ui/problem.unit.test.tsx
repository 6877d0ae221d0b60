import { render, screen } from '@testing-library/preact';
import { describeProblem, ProblemMessage } from './problem';

describe('problem documents, shown as messages', () => {
  it('bad input: each field by its name and what is wrong with it, never the raw document', () => {
    const { container } = render(
      <ProblemMessage
        problem={{
          type: 'urn:cairn:problem:validation',
          title: 'Bad Request',
          status: 400,
          detail: 'name: must not be blank; slug: may contain only lower-case letters',
          rule: 'validation',
          errors: [
            { field: 'name', message: 'must not be blank' },
            { field: 'baseLevel', message: 'is not a role of the lab scheme' },
          ],
        }}
      />,
    );
    expect(screen.getByRole('alert').textContent).toContain('Some fields need another look.');
    expect(screen.getByText('Name').parentElement?.textContent).toBe('Name: must not be blank');
    expect(screen.getByText('Base level').parentElement?.textContent).toBe('Base level: is not a role of the lab scheme');
    expect(container.textContent).not.toMatch(/[{}"]/);
  });

  it('a refusal: its sentence and the rule that refused', () => {
    render(
      <ProblemMessage
        problem={{ type: 'urn:cairn:problem:facility.member-adds-viewers', title: 'Forbidden', status: 403, detail: 'a member may add viewers only', rule: 'facility.member-adds-viewers' }}
      />,
    );
    expect(screen.getByRole('alert').textContent).toContain('A member may add viewers only.');
    expect(screen.getByText('facility.member-adds-viewers').tagName).toBe('CODE');
  });

  it('an expired sign-in and a platform catching up say what to do', () => {
    expect(describeProblem({ type: 'x', title: 'Unauthorized', status: 401, detail: 'token expired' }).headline).toBe('Your sign-in has expired or was not accepted. Sign in again.');
    expect(describeProblem({ type: 'x', title: 'Service Unavailable', status: 503, detail: 'Not yet at position 7.' }).headline).toMatch(/catching up.*Try again in a moment/);
  });
});
