/**
 * Python string semantics the URLconf evaluator needs, as pure functions: literal decoding
 * (prefixes, escapes), `%` formatting, `str.format`, and `re.escape`. Each works on plain
 * strings and reports what it cannot do by returning `undefined`.
 */

/**
 * Decodes the escapes of a non-raw Python 3 string literal body. Unknown escapes stay as written
 * (`\d`), as in Python. Named escapes (`\N{EN DASH}`) need Unicode's name table, which is not
 * modelled: the result is undefined rather than wrong.
 */
export function decodeEscapes(body: string): string | undefined {
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
    } else if (n === 'N') {
      return undefined;
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

/**
 * A value that can be formatted into a string: its `str()` text, or a placeholder that stays
 * symbolic. `isString` and `numeric` say what Python type it had, where `%d` and `%r` care.
 */
export type Formattable = { text: string; symbolic?: boolean; isString?: boolean; numeric?: number } | undefined;

/**
 * Python's `fmt % args` for the conversions `s`, `r`, `d`, `i`, `f`, `%%`, with `%(key)s`, the
 * `-`/`0` flags, widths and precisions. `args` is a list (tuple operand or single value) or a
 * record (dict operand). Returns undefined where Python would raise, where an argument is
 * unknown, and for conversions not modelled.
 */
export function percentFormat(
  fmt: string,
  args: Formattable[] | Record<string, Formattable>,
): { text: string; symbolic: boolean } | undefined {
  let out = '';
  let symbolic = false;
  let next = 0;
  let i = 0;
  const spec = /%(?:\(([^)]*)\))?([-+ #0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])?/y;
  while (i < fmt.length) {
    const at = fmt.indexOf('%', i);
    if (at < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, at);
    spec.lastIndex = at;
    const m = spec.exec(fmt);
    const [whole, key, flags = '', width, precision, conversion] = m!;
    if (!conversion) return undefined; // "incomplete format"
    i = at + whole.length;
    if (conversion === '%') {
      out += '%';
      continue;
    }
    let arg: Formattable;
    if (key !== undefined) {
      if (Array.isArray(args)) return undefined; // "format requires a mapping"
      arg = args[key];
    } else {
      if (!Array.isArray(args)) return undefined;
      arg = args[next++];
    }
    if (!arg) return undefined;
    symbolic ||= !!arg.symbolic;
    const converted = convert(arg, conversion, precision === undefined ? undefined : Number(precision));
    if (converted === undefined) return undefined;
    const pad = Number(width ?? 0) - converted.length;
    if (pad <= 0) out += converted;
    else if (flags.includes('-')) out += converted + ' '.repeat(pad);
    else if (flags.includes('0') && 'dif'.includes(conversion)) {
      const sign = /^[-+]/.test(converted) ? converted[0]! : '';
      out += sign + '0'.repeat(pad) + converted.slice(sign.length);
    } else out += ' '.repeat(pad) + converted;
  }
  if (Array.isArray(args) && next !== args.length) return undefined; // "not all arguments converted"
  return { text: out, symbolic };
}

/** One `%` conversion of a formattable value; undefined where Python raises or it is not modelled. */
function convert(arg: NonNullable<Formattable>, conversion: string, precision: number | undefined): string | undefined {
  const numeric = arg.numeric ?? (/^[-+]?\d+(\.\d+)?$/.test(arg.text) && !arg.isString ? Number(arg.text) : undefined);
  switch (conversion) {
    case 's':
      return precision === undefined ? arg.text : arg.text.slice(0, precision);
    case 'r':
      return arg.isString || arg.numeric === undefined ? pythonRepr(arg.text) : arg.text;
    case 'd':
    case 'i':
      return numeric === undefined || arg.isString ? undefined : String(Math.trunc(numeric));
    case 'f':
    case 'F':
      return numeric === undefined || arg.isString ? undefined : numeric.toFixed(precision ?? 6);
    default:
      return undefined;
  }
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
  let automatic = false;
  let manual = false;
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
    if (field === '') {
      if (manual) return undefined; // "cannot switch from manual field specification to automatic"
      automatic = true;
      arg = args[auto++];
    } else if (/^\d+$/.test(field)) {
      if (automatic) return undefined; // "cannot switch from automatic field numbering to manual"
      manual = true;
      arg = args[Number(field)];
    }
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
