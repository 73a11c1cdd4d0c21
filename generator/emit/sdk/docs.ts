/**
 * Text that goes into JSDoc comments: docstrings are CATMAID authors' prose and may contain
 * anything, so nothing in them may end the comment (`*\/`) or be read as a tag.
 */

/** Makes text safe inside a block comment; lines stay lines. */
export function commentText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\*\//g, '*\\/')
    .replace(/\/\*/g, '/\\*')
    .replace(/^(\s*)@/gm, '$1\\@')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u2028\u2029]/g, ' ')
    .trimEnd();
}

/** Inline code in a comment, with backticks that cannot be closed early (a leading `@` is no tag there). */
export function code(text: string): string {
  const safe = commentText(text).replace(/^\\@/, '@');
  return '`' + safe.replace(/`/g, "'") + '`';
}
