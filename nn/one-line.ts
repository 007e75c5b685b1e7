/**
 * Keeping error messages on one line.
 *
 * @module
 */

/**
 * `text` with every control character and line separator escaped (`\n`, `\r`, `\t`,
 * others as `\uXXXX`), so a message that quotes a file's content — a header with a
 * newline, say — stays one line in a terminal and in a log.
 *
 * @example
 * oneLine('bad header "{\n"'); // 'bad header "{\\n"'
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
