/** Parsed selector tree; kept separate from the compiled closure so it can be printed and walked. */
export type SelectorNode =
  | { readonly t: 'all' }
  | { readonly t: 'global' }
  | { readonly t: 'eq' | 'ne' | 'contains' | 'starts' | 'ends'; readonly key: string; readonly value: string }
  | { readonly t: 'has'; readonly key: string }
  | { readonly t: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly t: 'not'; readonly operand: SelectorNode }
  | { readonly t: 'and' | 'or'; readonly operands: readonly SelectorNode[] };

const OPS = { eq: ' == ', ne: ' != ', contains: ' contains ', starts: ' starts with ', ends: ' ends with ' } as const;

// There are no escapes in the grammar, so a value containing a double quote can only be
// written with single quotes (and vice versa); same choice as Calico's printer.
function quote(s: string): string {
  return s.includes('"') ? `'${s}'` : `"${s}"`;
}

/**
 * Canonical printed form, modelled on Calico's `String()`: binary groups are parenthesised so the
 * output never depends on precedence, set members are sorted and de-duplicated at parse time.
 */
export function printSelector(n: SelectorNode): string {
  switch (n.t) {
    case 'all':
      return 'all()';
    case 'global':
      return 'global()';
    case 'has':
      return `has(${n.key})`;
    case 'eq':
    case 'ne':
    case 'contains':
    case 'starts':
    case 'ends':
      return n.key + OPS[n.t] + quote(n.value);
    case 'in':
    case 'notin':
      return `${n.key} ${n.t === 'in' ? 'in' : 'not in'} {${n.values.map(quote).join(', ')}}`;
    case 'not':
      return '!' + printSelector(n.operand);
    case 'and':
    case 'or':
      return '(' + n.operands.map(printSelector).join(n.t === 'and' ? ' && ' : ' || ') + ')';
  }
}
