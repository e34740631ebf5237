import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector, SelectorParseError } from '../../../src/policy';

const L = { app: 'web', tier: 'frontend', version: 'v1.2', 'k8s.io/role': 'x' };

describe('selector operators (Calico selector reference)', () => {
  const cases: Array<[string, boolean]> = [
    ['all()', true],
    ['', true],
    ['   ', true],
    ["app == 'web'", true],
    ['app == "db"', false],
    ["app != 'db'", true],
    ["missing != 'x'", true], // != is true when the label is absent
    ['has(app)', true],
    ['has( app )', true],
    ['has(missing)', false],
    ['!has(missing)', true],
    ['!has(app)', false],
    ["app in {'web', 'db'}", true],
    ["app in {'db'}", false],
    ["missing in {'web'}", false],
    ["app not in {'db', 'cache'}", true],
    ["missing not in {'x'}", true], // not in is true when absent
    ["app not in {'web'}", false],
    ["tier contains 'ont'", true],
    ["tier contains 'back'", false],
    ["version starts with 'v1'", true],
    ["version starts with 'v2'", false],
    ["version ends with '.2'", true],
    ["missing ends with ''", false],
    ["k8s.io/role == 'x'", true],
    ["app == 'web' && tier == 'frontend'", true],
    ["app == 'web' && tier == 'backend'", false],
    ["app == 'db' || tier == 'frontend'", true],
    ["!(app == 'web')", false],
    ["!app == 'web'", false],
    ['app in {}', false],
  ];
  for (const [src, want] of cases) {
    it(`${JSON.stringify(src)} -> ${want}`, () => assert.equal(parseSelector(src).matches(L), want));
  }
});

describe('selector precedence and grouping', () => {
  it('&& binds tighter than ||', () => {
    // a || (b && c): true because a holds even though c fails
    const s = parseSelector("app == 'web' || tier == 'x' && version == 'none'");
    assert.equal(s.matches(L), true);
    assert.equal(s.toString(), '(app == "web" || (tier == "x" && version == "none"))');
  });
  it('parentheses override precedence', () => {
    const s = parseSelector("(app == 'web' || tier == 'x') && version == 'none'");
    assert.equal(s.matches(L), false);
  });
  it('! binds only to the next term', () => {
    const s = parseSelector("!has(missing) && app == 'db'");
    assert.equal(s.matches(L), false);
    assert.equal(s.toString(), '(!has(missing) && app == "db")');
  });
  it('double negation', () => assert.equal(parseSelector('!!has(app)').matches(L), true));
});

describe('selector quoting', () => {
  it('accepts both quote styles and no escapes', () => {
    assert.equal(parseSelector(`app == "web"`).matches(L), true);
    assert.equal(parseSelector(`app == 'web'`).matches(L), true);
    const q = parseSelector(`v == 'say "hi"'`);
    assert.equal(q.matches({ v: 'say "hi"' }), true);
    assert.equal(q.toString(), `v == 'say "hi"'`);
    assert.equal(parseSelector(`v == "it's"`).matches({ v: "it's" }), true);
  });
  it('a backslash is literal (no escapes)', () => {
    assert.equal(parseSelector(`v == 'a\\'`).matches({ v: 'a\\' }), true);
  });
});

describe('selector errors name the position', () => {
  const bad: Array<[string, number, RegExp]> = [
    ["app = 'web'", 4, /==/],
    ['app == web', 7, /quoted string/],
    ["app == 'web", 7, /closing '/],
    ["(app == 'web'", 13, /'\)'/],
    ["app == 'web' &", 13, /&&/],
    ["app == 'web' ||", 15, /expression/],
    ['has(app', 7, /\)/],
    ['has()', 4, /label/],
    ["app in {'a' 'b'}", 12, /','/],
    ["app not 'x'", 8, /'in'/],
    ["app starts 'x'", 11, /'with'/],
    ['app', 3, /operator/],
    ["app == 'a' foo", 11, /&&/],
    ['all(x)', 4, /\)/],
  ];
  for (const [src, pos, re] of bad) {
    it(`${JSON.stringify(src)} fails at ${pos}`, () => {
      assert.throws(
        () => parseSelector(src),
        (e: unknown) => e instanceof SelectorParseError && e.position === pos && re.test(e.expected) && e.message.includes(`position ${pos}`),
      );
    });
  }
});

describe('selector canonical form', () => {
  const srcs = [
    "app == 'web' && (tier in {'b', 'a', 'a'} || !has(x))",
    "a contains 'q' || b starts with \"w\" || c ends with 'e'",
    "x not in {'1'} && global()",
    '',
    "k != 'v'",
  ];
  for (const src of srcs) {
    it(`round-trips ${JSON.stringify(src)}`, () => {
      const s = parseSelector(src);
      const again = parseSelector(s.toString());
      assert.equal(again.toString(), s.toString());
      const samples: Record<string, string>[] = [{}, { app: 'web', tier: 'a' }, { a: 'xqx', b: 'wz', x: '1' }, { k: 'v' }, { tier: 'c', x: '2' }];
      for (const labels of samples) {
        assert.equal(again.matches(labels), s.matches(labels));
      }
    });
  }
  it('sorts and de-duplicates set members', () => assert.equal(parseSelector("a in {'z','b','z'}").toString(), 'a in {"b", "z"}'));
  it('empty selector prints as all()', () => assert.equal(parseSelector('').toString(), 'all()'));
  it('caches compiled selectors by source text', () => assert.equal(parseSelector("app == 'cache-me'"), parseSelector("app == 'cache-me'")));
});

describe('global() and namespace selectors', () => {
  it('global() in endpoint evaluation depends on the namespaced flag', () => {
    const g = parseSelector('global()');
    assert.equal(g.matches({}), true); // Calico evaluates a bare global() to true
    assert.equal(g.matches({}, false), true);
    assert.equal(g.matches({}, true), false);
  });
  it('matchesNamespace: all() = any namespace, global() = non-namespaced only', () => {
    assert.equal(parseSelector('all()').matchesNamespace({ env: 'prod' }), true);
    assert.equal(parseSelector('all()').matchesNamespace(null), false);
    assert.equal(parseSelector('global()').matchesNamespace(null), true);
    assert.equal(parseSelector('global()').matchesNamespace({ env: 'prod' }), false);
    assert.equal(parseSelector("env == 'prod'").matchesNamespace({ env: 'prod' }), true);
    assert.equal(parseSelector("env == 'prod'").matchesNamespace(null), false);
  });
  it('inherited Object members are not labels', () => {
    assert.equal(parseSelector('has(constructor)').matches({}), false);
    assert.equal(parseSelector("toString != 'x'").matches({}), true);
  });
});

describe('one-word operator spellings (Calico tokenizer: `not\\s*in`, `starts\\s*with`, `ends\\s*with`)', () => {
  const cases: Array<[string, boolean, string]> = [
    ["app notin {'db'}", true, 'app not in {"db"}'],
    ["app notin {'web'}", false, 'app not in {"web"}'],
    ["missing notin {'x'}", true, 'missing not in {"x"}'],
    ["version startswith 'v1'", true, 'version starts with "v1"'],
    ["version startswith 'v2'", false, 'version starts with "v2"'],
    ["version endswith '.2'", true, 'version ends with ".2"'],
    ["version endswith 'x'", false, 'version ends with "x"'],
    ["app notin{'db'} && version startswith'v'", true, '(app not in {"db"} && version starts with "v")'],
  ];
  for (const [src, want, canonical] of cases) {
    it(`${src} → ${want}, printed ${canonical}`, () => {
      const s = parseSelector(src);
      assert.equal(s.matches(L), want);
      assert.equal(s.toString(), canonical);
      assert.equal(parseSelector(s.toString()).matches(L), want);
    });
  }
  it('a label named like the operator still parses as a label', () => {
    assert.equal(parseSelector("notin == 'a'").matches({ notin: 'a' }), true);
  });
  it('an unknown glued word is still an error', () => {
    assert.throws(() => parseSelector("app startwith 'x'"), SelectorParseError);
  });
});
