import { SelectorNode } from './selector.ast';
import { SelectorParseError } from './selector.errors';

const MAX_KEY = 512;

function isIdentChar(c: number): boolean {
  // [a-zA-Z0-9_./-], the label-key alphabet Calico's tokenizer accepts.
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 47 || c === 45
  );
}

function isSpace(c: number): boolean {
  // Calico only skips space and tab; newlines are accepted too because YAML literal blocks
  // (`selector: |`) keep them and users do not expect that to be an error.
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Recursive-descent parser over the raw string (no token array) so every error can name the exact
 * 0-based offset. Grammar: or := and ('||' and)*; and := unary ('&&' unary)*; unary := '!' unary |
 * primary. `&&` therefore binds tighter than `||` and `!` binds to the next term only.
 */
class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parse(): SelectorNode {
    this.skip();
    if (this.pos >= this.src.length) return { t: 'all' };
    const node = this.parseOr();
    this.skip();
    if (this.pos < this.src.length) this.fail(`'&&', '||' or end of selector`);
    return node;
  }

  private fail(expected: string, at = this.pos): never {
    throw new SelectorParseError(this.src, at, expected);
  }

  private skip(): void {
    while (this.pos < this.src.length && isSpace(this.src.charCodeAt(this.pos))) this.pos++;
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  /** Matches a keyword only when it is not the prefix of a longer identifier. */
  private keyword(word: string): boolean {
    if (!this.startsWith(word)) return false;
    const next = this.src.charCodeAt(this.pos + word.length);
    if (!Number.isNaN(next) && isIdentChar(next)) return false;
    this.pos += word.length;
    return true;
  }

  private parseOr(): SelectorNode {
    const operands = [this.parseAnd()];
    for (;;) {
      this.skip();
      if (!this.startsWith('||')) break;
      this.pos += 2;
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0] : { t: 'or', operands };
  }

  private parseAnd(): SelectorNode {
    const operands = [this.parseUnary()];
    for (;;) {
      this.skip();
      if (!this.startsWith('&&')) break;
      this.pos += 2;
      operands.push(this.parseUnary());
    }
    return operands.length === 1 ? operands[0] : { t: 'and', operands };
  }

  private parseUnary(): SelectorNode {
    this.skip();
    if (this.startsWith('!') && !this.startsWith('!=')) {
      this.pos++;
      return { t: 'not', operand: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): SelectorNode {
    this.skip();
    if (this.pos >= this.src.length) this.fail('an expression (label test, has(), all(), global(), ! or "(")');
    if (this.startsWith('(')) {
      this.pos++;
      const inner = this.parseOr();
      this.skip();
      if (!this.startsWith(')')) this.fail(`')'`);
      this.pos++;
      return inner;
    }
    if (this.startsWith('has(')) {
      this.pos += 4;
      this.skip();
      const key = this.ident('a label name inside has()');
      this.skip();
      if (!this.startsWith(')')) this.fail(`')' to close has(`);
      this.pos++;
      return { t: 'has', key };
    }
    for (const fn of ['all', 'global'] as const) {
      if (this.startsWith(fn + '(')) {
        this.pos += fn.length + 1;
        this.skip();
        if (!this.startsWith(')')) this.fail(`')' after ${fn}(`);
        this.pos++;
        return { t: fn };
      }
    }
    const key = this.ident('a label name, has(), all(), global(), ! or "("');
    this.skip();
    return this.parseOperator(key);
  }

  private parseOperator(key: string): SelectorNode {
    const opPos = this.pos;
    if (this.startsWith('==')) {
      this.pos += 2;
      return { t: 'eq', key, value: this.string() };
    }
    if (this.startsWith('!=')) {
      this.pos += 2;
      return { t: 'ne', key, value: this.string() };
    }
    if (this.keyword('contains')) return { t: 'contains', key, value: this.string() };
    // Calico's tokenizer allows no space inside the two-word operators (`notin`, `startswith`, `endswith`).
    if (this.keyword('notin')) return { t: 'notin', key, values: this.set() };
    if (this.keyword('startswith')) return { t: 'starts', key, value: this.string() };
    if (this.keyword('endswith')) return { t: 'ends', key, value: this.string() };
    for (const [word, t] of [
      ['starts', 'starts'],
      ['ends', 'ends'],
    ] as const) {
      if (this.keyword(word)) {
        this.skip();
        if (!this.keyword('with')) this.fail(`'with' after '${word}'`);
        return { t, key, value: this.string() };
      }
    }
    if (this.keyword('in')) return { t: 'in', key, values: this.set() };
    if (this.keyword('not')) {
      this.skip();
      if (!this.keyword('in')) this.fail(`'in' after 'not'`);
      return { t: 'notin', key, values: this.set() };
    }
    return this.fail(`an operator after label '${key}' (==, !=, in, not in, contains, starts with, ends with)`, opPos);
  }

  private ident(expected: string): string {
    const start = this.pos;
    while (this.pos < this.src.length && isIdentChar(this.src.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.fail(expected);
    if (this.pos - start > MAX_KEY) this.fail(`a label name of at most ${MAX_KEY} characters`, start);
    return this.src.slice(start, this.pos);
  }

  private string(): string {
    this.skip();
    const q = this.src[this.pos];
    if (q !== '"' && q !== "'") return this.fail('a quoted string');
    const end = this.src.indexOf(q, this.pos + 1);
    if (end < 0) return this.fail(`a closing ${q} for the string opened here`);
    const value = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  private set(): string[] {
    this.skip();
    if (!this.startsWith('{')) this.fail(`'{' to open a value set`);
    this.pos++;
    const values: string[] = [];
    this.skip();
    if (this.startsWith('}')) {
      this.pos++;
      return values;
    }
    for (;;) {
      values.push(this.string());
      this.skip();
      if (this.startsWith(',')) {
        this.pos++;
        continue;
      }
      if (this.startsWith('}')) {
        this.pos++;
        break;
      }
      this.fail(`',' or '}' in value set`);
    }
    // Sorted and de-duplicated so the printed form is canonical (set order carries no meaning).
    return [...new Set(values)].sort();
  }
}

export function parseSelectorAst(src: string): SelectorNode {
  return new Parser(src).parse();
}
