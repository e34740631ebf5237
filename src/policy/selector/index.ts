export { SelectorParseError } from './selector.errors';
export { SelectorNode, printSelector } from './selector.ast';
export { Labels, LabelPredicate } from './selector.compile';
export {
  Selector,
  parseSelector,
  ALL_SELECTOR,
  NAMESPACE_LABEL,
  NAMESPACE_LABEL_PREFIX,
  SERVICE_ACCOUNT_LABEL_PREFIX,
} from './selector.api';
