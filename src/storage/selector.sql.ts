import { NAMESPACE_LABEL, SelectorNode } from '../policy';

/**
 * A Calico label selector as a ClickHouse condition on a stored labels map, with Calico's meaning
 * for absent labels (`a != "x"` and `a not in {...}` hold when `a` is absent; every other operator
 * needs the label). `projectcalico.org/namespace` reads the namespace column, as Calico's
 * endpoint labels carry it. Values are bound parameters, never SQL text.
 */
export function selectorSql(
  node: SelectorNode,
  columns: { labels: string; namespace: string },
  bind: (value: string | readonly string[]) => string,
): string {
  const value = (key: string) => (key === NAMESPACE_LABEL ? columns.namespace : `${columns.labels}[${bind(key)}]`);
  const has = (key: string) => (key === NAMESPACE_LABEL ? `${columns.namespace} != ''` : `mapContains(${columns.labels}, ${bind(key)})`);
  const walk = (n: SelectorNode): string => {
    switch (n.t) {
      case 'all':
        return '1';
      case 'global':
        return `${columns.namespace} = ''`;
      case 'has':
        return has(n.key);
      case 'eq':
        return `(${has(n.key)} AND ${value(n.key)} = ${bind(n.value)})`;
      case 'ne':
        return `(NOT ${has(n.key)} OR ${value(n.key)} != ${bind(n.value)})`;
      case 'contains':
        return `(${has(n.key)} AND position(${value(n.key)}, ${bind(n.value)}) > 0)`;
      case 'starts':
        return `(${has(n.key)} AND startsWith(${value(n.key)}, ${bind(n.value)}))`;
      case 'ends':
        return `(${has(n.key)} AND endsWith(${value(n.key)}, ${bind(n.value)}))`;
      case 'in':
        return `(${has(n.key)} AND has(${bind(n.values)}, ${value(n.key)}))`;
      case 'notin':
        return `(NOT ${has(n.key)} OR NOT has(${bind(n.values)}, ${value(n.key)}))`;
      case 'not':
        return `(NOT ${walk(n.operand)})`;
      case 'and':
      case 'or':
        return `(${n.operands.map(walk).join(n.t === 'and' ? ' AND ' : ' OR ')})`;
    }
  };
  return walk(node);
}
