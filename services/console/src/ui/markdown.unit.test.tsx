import { render } from '@testing-library/preact';
import { DiffView } from '../pages/logbook';
import { markMentions } from './comments';
import { Markdown } from './markdown';

describe('markdown of entries, descriptions and comments', () => {
  it('renders headings, lists, paragraphs and inline marks as elements', () => {
    const { container } = render(<Markdown text={'## Goal / Dataset\n\n_What the project is for._\n\n- job **abc**: `view=all`\n- next\n\nPlain text\ngoes on.'} />);
    expect(container.querySelector('h4')?.textContent).toBe('Goal / Dataset');
    expect(container.querySelector('em')?.textContent).toBe('What the project is for.');
    expect([...container.querySelectorAll('li')].map((item) => item.textContent)).toEqual(['job abc: view=all', 'next']);
    expect(container.querySelector('strong')?.textContent).toBe('abc');
    expect(container.querySelector('code')?.textContent).toBe('view=all');
    expect(container.querySelectorAll('p')[1].textContent).toBe('Plain text goes on.');
  });

  it('keeps underscores inside words literal: file names and snake_case stay as written', () => {
    const { container } = render(<Markdown text={'Uploaded raw_data_v2.csv and my_file_name.txt, _really_ checked.'} />);
    expect(container.textContent).toBe('Uploaded raw_data_v2.csv and my_file_name.txt, really checked.');
    expect([...container.querySelectorAll('em')].map((mark) => mark.textContent)).toEqual(['really']);
  });

  it('never as HTML: what someone wrote cannot run in another browser', () => {
    const { container } = render(<Markdown text={'<img src=x onerror="alert(1)"> <script>alert(2)</script>'} />);
    expect(container.querySelector('img, script')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('marks the @mentions the service resolved, and only those', () => {
    const { container } = render(<Markdown text="@bob look, not @nobody" decorate={markMentions([{ userId: 'u-bob', username: 'bob' }])} />);
    expect([...container.querySelectorAll('.mention')].map((mention) => mention.textContent)).toEqual(['@bob']);
  });
});

describe("a revision's diff", () => {
  it('shows each line as added, removed or kept, and says so to assistive technology', () => {
    const { container, getByRole } = render(
      <DiffView diff={{ added: 1, removed: 1, hunks: [{ oldStart: 1, oldLines: 2, newStart: 1, newLines: 2, lines: [' kept', '-old', '+new'] }] }} />,
    );
    expect(getByRole('group').getAttribute('aria-label')).toBe('1 lines added, 1 removed');
    expect([...container.querySelectorAll('.diff-line')].map((line) => `${line.className.split(' ')[1]}|${line.textContent}`)).toEqual([
      'diff-kept| kept',
      'diff-removed|removed: -old',
      'diff-added|added: +new',
    ]);
  });
});
