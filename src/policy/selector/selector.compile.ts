import { SelectorNode } from './selector.ast';

export type Labels = Readonly<Record<string, string>>;

/**
 * Compiled form. `flag` carries context for all()/global() only: 0 = unspecified,
 * 1 = the labels belong to a namespaced resource, 2 = to a non-namespaced one.
 */
export type LabelPredicate = (labels: Labels, flag: number) => boolean;

export interface CompileOptions {
  /** Prepended to every label key (Calico matches namespace labels as `pcns.<key>`, service-account labels as `pcsa.<key>`). */
  readonly prefix: string;
  readonly all: LabelPredicate;
  readonly global: LabelPredicate;
}

export const TRUE: LabelPredicate = () => true;

// Labels objects may be plain objects supplied by callers: `typeof === 'string'` keeps inherited
// members such as `constructor` from being mistaken for labels, without a hasOwnProperty call.
export function compileSelector(node: SelectorNode, o: CompileOptions): LabelPredicate {
  switch (node.t) {
    case 'all':
      return o.all;
    case 'global':
      return o.global;
    case 'has': {
      const k = o.prefix + node.key;
      return (l) => typeof l[k] === 'string';
    }
    case 'eq': {
      const k = o.prefix + node.key;
      const v = node.value;
      return (l) => l[k] === v;
    }
    case 'ne': {
      // True when the label is absent, as in Calico.
      const k = o.prefix + node.key;
      const v = node.value;
      return (l) => l[k] !== v;
    }
    case 'contains': {
      const k = o.prefix + node.key;
      const v = node.value;
      return (l) => {
        const x = l[k];
        return typeof x === 'string' && x.includes(v);
      };
    }
    case 'starts': {
      const k = o.prefix + node.key;
      const v = node.value;
      return (l) => {
        const x = l[k];
        return typeof x === 'string' && x.startsWith(v);
      };
    }
    case 'ends': {
      const k = o.prefix + node.key;
      const v = node.value;
      return (l) => {
        const x = l[k];
        return typeof x === 'string' && x.endsWith(v);
      };
    }
    case 'in': {
      const k = o.prefix + node.key;
      if (node.values.length === 1) {
        const v = node.values[0];
        return (l) => l[k] === v;
      }
      const set = new Set(node.values);
      return (l) => {
        const x = l[k];
        return typeof x === 'string' && set.has(x);
      };
    }
    case 'notin': {
      // True when the label is absent, as in Calico.
      const k = o.prefix + node.key;
      const set = new Set(node.values);
      return (l) => {
        const x = l[k];
        return typeof x !== 'string' || !set.has(x);
      };
    }
    case 'not': {
      const f = compileSelector(node.operand, o);
      return (l, g) => !f(l, g);
    }
    case 'and': {
      const fs = node.operands.map((n) => compileSelector(n, o));
      if (fs.length === 2) {
        const [a, b] = fs;
        return (l, g) => a(l, g) && b(l, g);
      }
      return (l, g) => {
        for (let i = 0; i < fs.length; i++) if (!fs[i](l, g)) return false;
        return true;
      };
    }
    case 'or': {
      const fs = node.operands.map((n) => compileSelector(n, o));
      if (fs.length === 2) {
        const [a, b] = fs;
        return (l, g) => a(l, g) || b(l, g);
      }
      return (l, g) => {
        for (let i = 0; i < fs.length; i++) if (fs[i](l, g)) return true;
        return false;
      };
    }
  }
}
