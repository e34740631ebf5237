import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

describe('the web console is served by flowscope under /ui, with every asset local', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig());
  });
  after(async () => t?.close());

  it('redirects /ui to /ui/ so relative asset paths resolve', async () => {
    const res = await t.http().get('/ui').expect(301);
    assert.equal(res.headers.location, '/ui/');
  });

  it('serves the page, its script and its style sheet, none of them loading anything from another origin', async () => {
    const page = await t.http().get('/ui/').expect(200).expect('content-type', /text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const refs = [...page.text.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]);
    assert.deepEqual(refs.sort(), ['app.js', 'style.css']);
    const script = await t.http().get('/ui/app.js').expect(200).expect('content-type', /javascript/);
    assert.ok(script.text.length > 1000, 'the bundle (with the charting library) is built');
    assert.doesNotMatch(script.text, /\bimport\s*\(?\s*["']https?:/, 'no module is loaded from the network');
    const css = await t.http().get('/ui/style.css').expect(200).expect('content-type', /text\/css/);
    assert.doesNotMatch(css.text, /url\(\s*["']?https?:|@import/, 'no font or sheet from the network');
  });

  it('answers an unknown console file with the API error body, not a page', async () => {
    const res = await t.http().get('/ui/nope.js').expect(404);
    assert.equal(res.body.statusCode, 404);
  });
});
