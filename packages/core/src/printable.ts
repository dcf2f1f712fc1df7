/**
 * Text from an input file as an error message may quote it: control and bidirectional-formatting
 * characters written as \uXXXX, and cut to `max` characters. Messages reach terminals (the CLI),
 * logs and the console, and a hostile file must not be able to move a cursor, clear a screen or
 * reverse the text around it: C0/C1 controls (ECMA-48), U+2028/U+2029 (line breaks to a log
 * reader), U+202A–U+202E and U+2066–U+2069 (the Unicode bidirectional algorithm, UAX #9; the
 * "Trojan Source" attack).
 */
export function printable(text: string, max = Infinity): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(
    // eslint-disable-next-line no-control-regex -- these characters are exactly what is escaped
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
