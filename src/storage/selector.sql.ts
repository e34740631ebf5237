import { NAMESPACE_LABEL, SelectorNode } from '../policy';
import { labelSetWhere } from './shared-values.sql';

/**
 * A Calico label selector as a ClickHouse condition on a flows row whose labels are stored once in
 * label_sets (the row keeps the set's id), with Calico's meaning for absent labels (`a != "x"` and
 * `a not in {...}` hold when `a` is absent; every other operator needs the label). Each label test
 * becomes `id IN (the sets it holds for)`; `projectcalico.org/namespace` reads the namespace column,
 * as Calico's endpoint labels carry it. Values are bound parameters, never SQL text.
 */
export function selectorSql(
  node: SelectorNode,
  columns: { labelsId: string; namespace: string },
  bind: (value: string | readonly string[]) => string,
): string {
  // A test of one key: on the namespace column for the namespace label, else on the label sets.
  const test = (key: string, cond: (value: string, has: string) => string): string =>
    key === NAMESPACE_LABEL
      ? cond(columns.namespace, `${columns.namespace} != ''`)
      : labelSetWhere(columns.labelsId, cond(`labels[${bind(key)}]`, `mapContains(labels, ${bind(key)})`));
  const walk = (n: SelectorNode): string => {
    switch (n.t) {
      case 'all':
        return '1';
      case 'global':
        return `${columns.namespace} = ''`;
      case 'has':
        return test(n.key, (_v, has) => has);
      case 'eq':
        return test(n.key, (v, has) => `(${has} AND ${v} = ${bind(n.value)})`);
      case 'ne':
        return test(n.key, (v, has) => `(NOT ${has} OR ${v} != ${bind(n.value)})`);
      case 'contains':
        return test(n.key, (v, has) => `(${has} AND position(${v}, ${bind(n.value)}) > 0)`);
      case 'starts':
        return test(n.key, (v, has) => `(${has} AND startsWith(${v}, ${bind(n.value)}))`);
      case 'ends':
        return test(n.key, (v, has) => `(${has} AND endsWith(${v}, ${bind(n.value)}))`);
      case 'in':
        return test(n.key, (v, has) => `(${has} AND has(${bind(n.values)}, ${v}))`);
      case 'notin':
        return test(n.key, (v, has) => `(NOT ${has} OR NOT has(${bind(n.values)}, ${v}))`);
      case 'not':
        return `(NOT ${walk(n.operand)})`;
      case 'and':
      case 'or':
        return `(${n.operands.map(walk).join(n.t === 'and' ? ' AND ' : ' OR ')})`;
    }
  };
  return walk(node);
}
