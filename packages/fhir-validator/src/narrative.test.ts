import { describe, expect, it } from 'vitest';
import { validateResource, type ValidationIssue } from './index.ts';
import { checkNarrativeDiv } from './narrative.ts';

const NS = 'xmlns="http://www.w3.org/1999/xhtml"';

function narrativeIssues(div: string): ValidationIssue[] {
  const result = validateResource({ resourceType: 'Patient', text: { status: 'generated', div } });
  return result.issues.filter((i) => i.expression[0] === 'Patient.text.div');
}

function codes(div: string): string[] {
  return checkNarrativeDiv(div).map((p) => p.code);
}

describe('narrative XHTML', () => {
  it('accepts rich but safe narrative', () => {
    const div =
      `<div ${NS} xml:lang="en" lang="en"><h3 class="title">Summary</h3><p style="color: red">Amy <b>Shaw</b>&amp; co &#160;</p>` +
      '<table border="1"><thead><tr><th colspan="2">Vitals</th></tr></thead><tbody><tr><td>BP</td><td>120/80</td></tr></tbody></table>' +
      '<ul><li><a href="https://example.org/x">link</a></li><li><a name="anchor">x</a></li></ul><img src="#photo" alt="photo"/><br/>' +
      '<!-- a comment --><pre>  x  </pre><blockquote cite="http://x.org">q</blockquote></div>';
    expect(narrativeIssues(div)).toEqual([]);
  });

  it('rejects <script> as a security issue', () => {
    const issues = narrativeIssues(`<div ${NS}><p>x</p><script>alert(1)</script></div>`);
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', code: 'security', expression: ['Patient.text.div'] })]);
  });

  it('rejects event handler attributes (onclick, onload, ONMOUSEOVER)', () => {
    expect(codes(`<div ${NS}><p onclick="steal()">x</p></div>`)).toEqual(['security']);
    expect(codes(`<div ${NS}><img src="a.png" onload="x()"/></div>`)).toEqual(['security']);
    expect(codes(`<div ${NS}><span ONMOUSEOVER="x()">x</span></div>`)).toEqual(['security']);
  });

  it('rejects javascript: and vbscript: URLs, even obfuscated', () => {
    expect(codes(`<div ${NS}><a href="javascript:alert(1)">x</a></div>`)).toEqual(['security']);
    expect(codes(`<div ${NS}><a href=" JaVa&#x09;Script:alert(1)">x</a></div>`)).toEqual(['security']);
    expect(codes(`<div ${NS}><img src="vbscript:x"/></div>`)).toEqual(['security']);
    expect(codes(`<div ${NS}><p style="background:url(javascript:x)">x</p></div>`)).toEqual(['security']);
  });

  it('rejects other active or external content (iframe, object, form, style element)', () => {
    for (const el of ['<iframe src="x"></iframe>', '<object data="x">o</object>', '<form><input/></form>', '<style>p{}</style>']) {
      expect(codes(`<div ${NS}>x${el}</div>`)).toContain('security');
    }
  });

  it('rejects elements and attributes outside the allowed HTML subset (txt-1)', () => {
    expect(checkNarrativeDiv(`<div ${NS}><font color="red">x</font></div>`)[0]?.message).toContain('txt-1');
    expect(checkNarrativeDiv(`<div ${NS}><p data-x="1">x</p></div>`)[0]?.message).toContain("attribute 'data-x'");
  });

  it('rejects malformed XHTML', () => {
    expect(narrativeIssues(`<div ${NS}><p>unclosed</div>`)).toEqual([expect.objectContaining({ severity: 'error', code: 'invalid' })]);
    expect(codes(`<div ${NS}><p>x</pa></div>`)).toEqual(['invalid']);
    expect(codes(`<div ${NS}>a &nbsp; b</div>`)).toEqual(['invalid']);
    expect(codes(`<div ${NS}>x</div><div ${NS}>y</div>`)).toEqual(['invalid']);
    expect(codes('plain text')).toEqual(['invalid']);
  });

  it('rejects a DOCTYPE and entity declarations (XXE)', () => {
    const xxe = `<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd">]><div ${NS}>&xxe;</div>`;
    expect(checkNarrativeDiv(xxe).length).toBeGreaterThan(0);
    expect(codes(`<div ${NS}>\n<!DOCTYPE foo>\n<p>x</p></div>`)).toEqual(['invalid']);
  });

  it('requires the XHTML namespace and a div root', () => {
    expect(checkNarrativeDiv('<div><p>x</p></div>').map((p) => p.message)[0]).toContain('namespace');
    expect(codes(`<p ${NS}>x</p>`)).toEqual(['invalid']);
    expect(codes(`<div xmlns="http://example.org/other">x</div>`)).toEqual(['invalid']);
    expect(codes(`<div ${NS}><p xmlns="http://example.org/other">x</p></div>`)).toEqual(['invalid']);
  });

  it('requires non-whitespace content or an image (txt-2)', () => {
    expect(checkNarrativeDiv(`<div ${NS}>  <p> </p>\n</div>`)).toEqual([expect.objectContaining({ code: 'invariant', message: expect.stringContaining('txt-2') })]);
    expect(checkNarrativeDiv(`<div ${NS}><img src="x.png"/></div>`)).toEqual([]);
  });

  it('rejects block elements inside a paragraph', () => {
    expect(codes(`<div ${NS}><p>a<div>b</div></p></div>`)).toEqual(['invalid']);
  });

  it('rejects an empty href', () => {
    expect(codes(`<div ${NS}><a href="">x</a></div>`)).toEqual(['invalid']);
  });

  it('checks the narrative status binding', () => {
    const result = validateResource({ resourceType: 'Patient', text: { status: 'done', div: `<div ${NS}>x</div>` } });
    expect(result.issues.map((i) => [i.code, i.expression[0]])).toEqual([['code-invalid', 'Patient.text.status']]);
  });
});
