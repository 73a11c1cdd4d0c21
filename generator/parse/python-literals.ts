/**
 * Python string semantics the URLconf evaluator needs, as pure functions: literal decoding
 * (prefixes, escapes), `%` formatting, `str.format`, and `re.escape`. Each works on plain
 * strings and reports what it cannot do by returning `undefined`.
 */

/** Decodes the escapes of a non-raw Python 3 string literal body. Unknown escapes stay as written (`\d`). */
export function decodeEscapes(body: string): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const n = body[i + 1]!;
    const simple: Record<string, string> = {
      '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
    };
    if (n in simple) {
      out += simple[n];
      i++;
    } else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (n === 'U' && /^[0-9a-fA-F]{8}$/.test(body.slice(i + 2, i + 10))) {
      out += String.fromCodePoint(parseInt(body.slice(i + 2, i + 10), 16));
      i += 9;
    } else if (/[0-7]/.test(n)) {
      const oct = body.slice(i + 1).match(/^[0-7]{1,3}/)![0];
      out += String.fromCharCode(parseInt(oct, 8));
      i += oct.length;
    } else {
      out += c; // unknown escape: Python keeps the backslash
    }
  }
  return out;
}

/** A value that can be formatted into a string: text, or a placeholder that stays symbolic. */
export type Formattable = { text: string; symbolic?: boolean } | undefined;

/**
 * Python's `fmt % args` for `%s`, `%d`, `%i`, `%r`, `%%` and `%(key)s`. `args` is a list (tuple
 * operand or single value) or a record (dict operand). Returns undefined when a conversion is not
 * supported or an argument is unknown.
 */
export function percentFormat(
  fmt: string,
  args: Formattable[] | Record<string, Formattable>,
): { text: string; symbolic: boolean } | undefined {
  let out = '';
  let symbolic = false;
  let next = 0;
  const re = /%(\(([^)]*)\))?([-+ #0]*\d*(?:\.\d+)?)([sdirf%])/g;
  let last = 0;
  for (let m = re.exec(fmt); m; m = re.exec(fmt)) {
    out += fmt.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[4] === '%') {
      out += '%';
      continue;
    }
    let arg: Formattable;
    if (m[2] !== undefined) {
      if (Array.isArray(args)) return undefined;
      arg = args[m[2]];
    } else {
      if (!Array.isArray(args)) return undefined;
      arg = args[next++];
    }
    if (!arg) return undefined;
    symbolic ||= !!arg.symbolic;
    out += m[4] === 'r' ? pythonRepr(arg.text) : arg.text;
  }
  out += fmt.slice(last);
  if (Array.isArray(args) && next !== args.length) return undefined; // Python: "not all arguments converted"
  return { text: out, symbolic };
}

/**
 * Python's `fmt.format(*args, **kwargs)` for `{}`, `{0}`, `{name}`, `{{`/`}}`, with conversions and
 * format specs ignored (they do not occur in URL regexes). Undefined when a field is unknown.
 */
export function strFormat(
  fmt: string,
  args: Formattable[],
  kwargs: Record<string, Formattable>,
): { text: string; symbolic: boolean } | undefined {
  let out = '';
  let symbolic = false;
  let auto = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if ((c === '{' || c === '}') && fmt[i + 1] === c) {
      out += c;
      i++;
      continue;
    }
    if (c === '}') return undefined;
    if (c !== '{') {
      out += c;
      continue;
    }
    const close = fmt.indexOf('}', i);
    if (close < 0) return undefined;
    const field = fmt.slice(i + 1, close).split(/[!:]/)[0]!;
    let arg: Formattable;
    if (field === '') arg = args[auto++];
    else if (/^\d+$/.test(field)) arg = args[Number(field)];
    else if (/^[A-Za-z_]\w*$/.test(field)) arg = kwargs[field];
    else return undefined;
    if (!arg) return undefined;
    symbolic ||= !!arg.symbolic;
    out += arg.text;
    i = close;
  }
  return { text: out, symbolic };
}

/** Python 3.7+ `re.escape`: escapes only characters special in regular expressions. */
export function reEscape(text: string): string {
  return text.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => '\\' + c);
}

/** Python's repr of a str, as `%r` would render it (single quotes unless the text has one). */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .split(quote)
    .join('\\' + quote);
  return quote + body + quote;
}
