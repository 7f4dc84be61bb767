/**
 * How lsns (libsmartcols 2.38, in a UTF-8 locale) writes a cell's bytes.
 * - Raw output (-r, fputs_nonblank): every byte that is blank (space, tab), a backslash, or not
 *   printable by isprint() — controls, DEL, and in UTF-8 every byte >= 0x80 on its own — becomes
 *   \xHH (two lowercase hex digits), so cells never contain the separator.
 * - Tables (mbs_safe_encode): control characters and DEL become \xHH, and so does a backslash
 *   that is followed by 'x' (so an escape can be told from the text); a character iswprint()
 *   refuses (the C1 controls U+0080-U+009F) becomes its UTF-8 bytes, each \xHH. `keep` characters
 *   ('\n' in a multi-line NSFS cell) stay.
 */
const hex = (byte: number): string => `\\x${byte.toString(16).padStart(2, '0')}`;
const encoder = new TextEncoder();

export function rawEscape(text: string): string {
  let out = '';
  for (const byte of encoder.encode(text)) {
    const printable = byte > 0x20 && byte < 0x7f && byte !== 0x5c;
    out += printable ? String.fromCharCode(byte) : hex(byte);
  }
  return out;
}

export function safeEncode(text: string, keep = ''): string {
  let out = '';
  const chars = [...text];
  chars.forEach((ch, i) => {
    const cp = ch.codePointAt(0)!;
    if (keep.includes(ch)) out += ch;
    else if (cp < 0x20 || cp === 0x7f || (ch === '\\' && chars[i + 1] === 'x')) out += hex(cp);
    else if (cp >= 0x80 && cp <= 0x9f) for (const byte of encoder.encode(ch)) out += hex(byte);
    else out += ch;
  });
  return out;
}

/** wcwidth(), close enough for command lines: combining marks 0, East Asian wide characters 2. */
function charWidth(ch: string): number {
  if (/[\p{Mn}\p{Me}\u200b]/u.test(ch)) return 0;
  const cp = ch.codePointAt(0)!;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

/** Terminal cells a (safe-encoded) text takes. */
export function cellWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

/** The longest start of `text` that fits `width` cells (libsmartcols's mbs_truncate). */
export function cutToWidth(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > width) break;
    out += ch;
    used += w;
  }
  return out;
}
