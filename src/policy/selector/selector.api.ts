import { printSelector, SelectorNode } from './selector.ast';
import { compileSelector, LabelPredicate, Labels, TRUE } from './selector.compile';
import { parseSelectorAst } from './selector.parser';

/** Label carried by every namespaced Calico endpoint; Calico rewrites all()/global() in namespace selectors to tests on it. */
export const NAMESPACE_LABEL = 'projectcalico.org/namespace';
export const NAMESPACE_LABEL_PREFIX = 'pcns.';
export const SERVICE_ACCOUNT_LABEL_PREFIX = 'pcsa.';

export interface Selector {
  /** The text as written (before canonicalisation). */
  readonly source: string;
  readonly ast: SelectorNode;
  /** True for `all()` and the empty selector: lets callers skip evaluation entirely. */
  readonly isAll: boolean;
  /**
   * Endpoint-selector evaluation. `namespaced` says whether the labelled resource lives in a
   * namespace: `global()` is then true only for non-namespaced resources. When omitted, global()
   * is true, which is what Calico's evaluator does for a bare endpoint selector.
   */
  matches(labels: Labels, namespaced?: boolean): boolean;
  /**
   * namespaceSelector evaluation: pass the namespace's labels, or `null` for a non-namespaced
   * resource (GlobalNetworkSet, host endpoint). `all()` then means "any namespace" and `global()`
   * "not namespaced", which is how Calico rewrites them.
   */
  matchesNamespace(namespaceLabels: Labels | null): boolean;
  /** Canonical form; re-parsing it gives an equivalent selector. */
  toString(): string;
  /** Internal: evaluation against merged endpoint labels with a key prefix (see rules/). */
  compiled(kind: 'plain' | 'namespace' | 'serviceAccount'): LabelPredicate;
}

const EMPTY: Labels = Object.freeze({});

const hasNamespaceLabel: LabelPredicate = (l) => typeof l[NAMESPACE_LABEL] === 'string';
const lacksNamespaceLabel: LabelPredicate = (l) => typeof l[NAMESPACE_LABEL] !== 'string';

class CompiledSelector implements Selector {
  readonly isAll: boolean;
  private readonly plain: LabelPredicate;
  private readonly ns: LabelPredicate;
  private canonical?: string;
  private merged?: Partial<Record<'plain' | 'namespace' | 'serviceAccount', LabelPredicate>>;

  constructor(
    readonly source: string,
    readonly ast: SelectorNode,
  ) {
    this.isAll = ast.t === 'all';
    this.plain = compileSelector(ast, { prefix: '', all: TRUE, global: (_l, g) => g !== 1 });
    this.ns = compileSelector(ast, { prefix: '', all: (_l, g) => g === 1, global: (_l, g) => g === 2 });
  }

  matches(labels: Labels, namespaced?: boolean): boolean {
    return this.plain(labels, namespaced === undefined ? 0 : namespaced ? 1 : 2);
  }

  matchesNamespace(namespaceLabels: Labels | null): boolean {
    return this.ns(namespaceLabels ?? EMPTY, namespaceLabels ? 1 : 2);
  }

  toString(): string {
    return (this.canonical ??= printSelector(this.ast));
  }

  compiled(kind: 'plain' | 'namespace' | 'serviceAccount'): LabelPredicate {
    this.merged ??= {};
    let f = this.merged[kind];
    if (!f) {
      f =
        kind === 'plain'
          ? compileSelector(this.ast, { prefix: '', all: TRUE, global: TRUE })
          : kind === 'namespace'
            ? compileSelector(this.ast, { prefix: NAMESPACE_LABEL_PREFIX, all: hasNamespaceLabel, global: lacksNamespaceLabel })
            : compileSelector(this.ast, { prefix: SERVICE_ACCOUNT_LABEL_PREFIX, all: TRUE, global: TRUE });
      this.merged[kind] = f;
    }
    return f;
  }
}

// Policies repeat the same few selectors thousands of times; a bounded cache keeps compile cost
// at build time and memory flat when a long-lived process sees many distinct selectors.
const CACHE_LIMIT = 20_000;
const cache = new Map<string, Selector>();

/** Parses and compiles a Calico selector (cached by source text). Throws SelectorParseError. */
export function parseSelector(src: string): Selector {
  let sel = cache.get(src);
  if (sel) return sel;
  sel = new CompiledSelector(src, parseSelectorAst(src));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(src, sel);
  return sel;
}

export const ALL_SELECTOR: Selector = parseSelector('all()');
