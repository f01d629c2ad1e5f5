// A small GraphQL reader for the Data Kiosk queries the simulator answers: one operation of fields, aliases,
// arguments (strings, numbers, enums, lists, objects) and nested selections; commas and comments anywhere, as
// GraphQL allows. Fragments, variables and directives are valid GraphQL the simulator does not take: they are
// reported as `unsupported` rather than as syntax errors, so a caller can tell "cannot be parsed" from "not
// understood here".

export type GqlValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; raw: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'enum'; value: string }
  | { kind: 'list'; values: GqlValue[] }
  | { kind: 'object'; fields: Record<string, GqlValue> };

export interface GqlField {
  /** The key the field's value gets in the result: its alias, or its name. */
  key: string;
  name: string;
  args: { name: string; value: GqlValue }[];
  /** Undefined for a leaf (no braces); a list, possibly empty, when braces were written. */
  selections?: GqlField[];
  line: number;
  column: number;
}

export interface GqlOperation {
  operation: 'query';
  name?: string;
  selections: GqlField[];
}

export class GraphQLParseError extends Error {
  constructor(
    readonly kind: 'syntax' | 'unsupported',
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} (line ${line}, column ${column})`);
  }
}

interface Token {
  type: 'punct' | 'name' | 'number' | 'string' | 'eof';
  value: string;
  line: number;
  column: number;
}

const PUNCTUATORS = new Set(['{', '}', '(', ')', '[', ']', ':', '!', '$', '@', '=', '|', '&']);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const NAME = /[_A-Za-z][_0-9A-Za-z]*/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = () => ({ line, column: i - lineStart + 1 });
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '\n') {
      i += 1;
      line += 1;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === ',' || ch === '\uFEFF') {
      i += 1;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
      continue;
    }
    const at = here();
    if (text.startsWith('...', i)) {
      tokens.push({ type: 'punct', value: '...', ...at });
      i += 3;
      continue;
    }
    if (PUNCTUATORS.has(ch)) {
      tokens.push({ type: 'punct', value: ch, ...at });
      i += 1;
      continue;
    }
    if (ch === '"') {
      const { value, end, newlines, lastNewline } = readString(text, i, at);
      tokens.push({ type: 'string', value, ...at });
      if (newlines > 0) {
        line += newlines;
        lineStart = lastNewline + 1;
      }
      i = end;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (name) {
      tokens.push({ type: 'name', value: name[0], ...at });
      i += name[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (number) {
      tokens.push({ type: 'number', value: number[0], ...at });
      i += number[0].length;
      continue;
    }
    throw new GraphQLParseError('syntax', `Unexpected character '${ch}'`, at.line, at.column);
  }
  tokens.push({ type: 'eof', value: '', ...here() });
  return tokens;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function readString(
  text: string,
  start: number,
  at: { line: number; column: number },
): { value: string; end: number; newlines: number; lastNewline: number } {
  if (text.startsWith('"""', start)) {
    const close = text.indexOf('"""', start + 3);
    if (close < 0) throw new GraphQLParseError('syntax', 'Unterminated block string', at.line, at.column);
    const raw = text.slice(start + 3, close);
    const newlines = raw.split('\n').length - 1;
    return { value: raw.trim(), end: close + 3, newlines, lastNewline: start + 3 + raw.lastIndexOf('\n') };
  }
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') return { value, end: i + 1, newlines: 0, lastNewline: -1 };
    if (ch === '\n') break;
    if (ch === '\\') {
      const next = text[i + 1] ?? '';
      if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      const escaped = ESCAPES[next];
      if (escaped === undefined) {
        throw new GraphQLParseError('syntax', `Invalid escape sequence \\${next}`, at.line, at.column);
      }
      value += escaped;
      i += 2;
      continue;
    }
    value += ch;
    i += 1;
  }
  throw new GraphQLParseError('syntax', 'Unterminated string', at.line, at.column);
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  document(): GqlOperation {
    const operation = this.operation();
    const extra = this.peek();
    if (extra.type !== 'eof') {
      if (extra.type === 'name' && extra.value === 'fragment') {
        throw this.unsupported(extra, 'Fragments are not supported by the simulator');
      }
      throw this.unsupported(extra, 'Only one operation per query is supported');
    }
    return operation;
  }

  private operation(): GqlOperation {
    const first = this.peek();
    if (first.type === 'punct' && first.value === '{')
      return { operation: 'query', selections: this.selectionSet() };
    if (first.type !== 'name') throw this.unexpected(first);
    if (first.value === 'mutation' || first.value === 'subscription') {
      throw this.unsupported(first, `A ${first.value} is not supported: Data Kiosk takes queries`);
    }
    if (first.value !== 'query') throw this.unexpected(first);
    this.next();
    let name: string | undefined;
    if (this.peek().type === 'name') name = this.next().value;
    const after = this.peek();
    if (after.type === 'punct' && after.value === '(') {
      throw this.unsupported(after, 'Variables are not supported: write the values into the query');
    }
    this.directives();
    return { operation: 'query', ...(name ? { name } : {}), selections: this.selectionSet() };
  }

  private selectionSet(): GqlField[] {
    this.expect('{');
    const fields: GqlField[] = [];
    while (!this.at('}')) {
      const token = this.peek();
      if (token.type === 'punct' && token.value === '...') {
        throw this.unsupported(token, 'Fragments are not supported by the simulator');
      }
      fields.push(this.field());
    }
    this.expect('}');
    if (fields.length === 0)
      throw this.unexpected(this.tokens[this.index - 1] as Token, 'an empty selection');
    return fields;
  }

  private field(): GqlField {
    const first = this.expectName();
    const key = first.value;
    let name = first.value;
    if (this.at(':')) {
      this.next();
      name = this.expectName().value;
    }
    const args: GqlField['args'] = [];
    if (this.at('(')) {
      this.next();
      while (!this.at(')')) {
        const argName = this.expectName().value;
        this.expect(':');
        args.push({ name: argName, value: this.value() });
      }
      this.next();
      if (args.length === 0)
        throw this.unexpected(this.tokens[this.index - 1] as Token, 'an empty argument list');
    }
    this.directives();
    const field: GqlField = { key, name, args, line: first.line, column: first.column };
    if (this.at('{')) field.selections = this.selectionSet();
    return field;
  }

  private directives(): void {
    const token = this.peek();
    if (token.type === 'punct' && token.value === '@') {
      throw this.unsupported(token, 'Directives are not supported by the simulator');
    }
  }

  private value(): GqlValue {
    const token = this.next();
    if (token.type === 'string') return { kind: 'string', value: token.value };
    if (token.type === 'number') return { kind: 'number', value: Number(token.value), raw: token.value };
    if (token.type === 'name') {
      if (token.value === 'true' || token.value === 'false')
        return { kind: 'boolean', value: token.value === 'true' };
      if (token.value === 'null') return { kind: 'null' };
      return { kind: 'enum', value: token.value };
    }
    if (token.type === 'punct' && token.value === '[') {
      const values: GqlValue[] = [];
      while (!this.at(']')) values.push(this.value());
      this.next();
      return { kind: 'list', values };
    }
    if (token.type === 'punct' && token.value === '{') {
      const fields: Record<string, GqlValue> = {};
      while (!this.at('}')) {
        const name = this.expectName().value;
        this.expect(':');
        fields[name] = this.value();
      }
      this.next();
      return { kind: 'object', fields };
    }
    if (token.type === 'punct' && token.value === '$') {
      throw this.unsupported(token, 'Variables are not supported: write the values into the query');
    }
    throw this.unexpected(token, 'a value');
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.tokens[this.index] as Token;
    if (token.type !== 'eof') this.index += 1;
    return token;
  }

  private at(punct: string): boolean {
    const token = this.peek();
    if (token.type === 'eof') throw this.unexpected(token);
    return token.type === 'punct' && token.value === punct;
  }

  private expect(punct: string): void {
    const token = this.next();
    if (token.type !== 'punct' || token.value !== punct) throw this.unexpected(token, `'${punct}'`);
  }

  private expectName(): Token {
    const token = this.next();
    if (token.type !== 'name') throw this.unexpected(token, 'a name');
    return token;
  }

  private unexpected(token: Token, wanted?: string): GraphQLParseError {
    const found = token.type === 'eof' ? 'the end of the query' : `'${token.value}'`;
    return new GraphQLParseError(
      'syntax',
      wanted ? `Expected ${wanted}, found ${found}` : `Unexpected ${found}`,
      token.line,
      token.column,
    );
  }

  private unsupported(token: Token, message: string): GraphQLParseError {
    return new GraphQLParseError('unsupported', message, token.line, token.column);
  }
}

/** Reads one GraphQL query operation; throws GraphQLParseError. */
export function parseGraphQL(text: string): GqlOperation {
  return new Parser(tokenize(text)).document();
}

/** The query with the whitespace GraphQL does not need removed: what Data Kiosk's 8000-character limit counts. */
export function compactGraphQL(text: string): string {
  let out = '';
  let i = 0;
  let pendingSpace = false;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      const end = text.startsWith('"""', i) ? text.indexOf('"""', i + 3) + 3 : stringEnd(text, i);
      const stop = end <= i ? text.length : end;
      if (pendingSpace && /[_0-9A-Za-z]$/.test(out)) out += ' ';
      out += text.slice(i, stop);
      pendingSpace = false;
      i = stop;
      continue;
    }
    if (/[\s,\uFEFF]/.test(ch)) {
      pendingSpace = true;
      i += 1;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && /[_0-9A-Za-z]$/.test(out) && /[_0-9A-Za-z-]/.test(ch)) out += ' ';
    pendingSpace = false;
    out += ch;
    i += 1;
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}
