import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  htmlAttr,
  htmlJsonData,
  htmlLink,
  htmlText,
  htmlUrl,
  relativeHref,
} from '../src/report/html/escape.ts'

describe('htmlText', () => {
  test('escapes markup, quotes and ampersands', () => {
    assert.equal(htmlText('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;')
    assert.equal(htmlText(`a & "b" 'c' \`d\``), 'a &amp; &quot;b&quot; &#39;c&#39; &#96;d&#96;')
    assert.equal(htmlText('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;')
    assert.equal(htmlText('&lt;'), '&amp;lt;')
  })

  test('keeps line feeds and tabs, shows controls, bidi overrides and lone surrogates', () => {
    assert.equal(htmlText('a\nb\tc'), 'a\nb\tc')
    assert.equal(htmlText('a\rb\u0000c\u001b[31m'), 'a\\u000db\\u0000c\\u001b[31m')
    assert.equal(htmlText('evil\u202egnp.exe'), 'evil\\u202egnp.exe')
    assert.equal(htmlText('zero\u200bwidth\ufeff'), 'zero\\u200bwidth\\ufeff')
    assert.equal(htmlText('a\ud800b'), 'a\\ud800b')
    assert.equal(htmlText('a\udc00'), 'a\\udc00')
  })

  test('leaves ordinary text alone, astral characters included', () => {
    assert.equal(htmlText('C:\\Windows\\System32 😀 Ünïcode'), 'C:\\Windows\\System32 😀 Ünïcode')
  })
})

describe('htmlAttr', () => {
  test('cannot end a double- or single-quoted attribute', () => {
    assert.equal(htmlAttr('" onerror="alert(1)'), '&quot; onerror=&quot;alert(1)')
    assert.equal(htmlAttr("' onmouseover='x"), '&#39; onmouseover=&#39;x')
    assert.equal(htmlAttr('a>b<c'), 'a&gt;b&lt;c')
  })

  test('writes line feeds and tabs as references, so the value reads back exactly', () => {
    assert.equal(htmlAttr('a\nb\tc'), 'a&#10;b&#9;c')
  })
})

describe('htmlUrl', () => {
  test('lets http(s) addresses through, serialised', () => {
    assert.equal(htmlUrl('https://threatfox.abuse.ch/ioc/1/'), 'https://threatfox.abuse.ch/ioc/1/')
    assert.equal(htmlUrl('HTTP://Example.COM/a?b=1&c=2'), 'http://example.com/a?b=1&amp;c=2')
    assert.equal(htmlUrl('https://例え.jp/'), 'https://xn--r8jz45g.jp/')
  })

  test('escapes what would end the attribute', () => {
    const url = htmlUrl('https://blog.example/a"><script>alert(1)</script>')
    assert.equal(url, 'https://blog.example/a%22%3E%3Cscript%3Ealert(1)%3C/script%3E')
    assert.equal(htmlUrl("https://a.example/'x'"), 'https://a.example/&#39;x&#39;')
  })

  test('refuses every other scheme, however written', () => {
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      '\u0000javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://example.com/',
      'mailto:a@example.com',
      'https:/\\evil.example',
      '\\\\evil.example\\share',
      '//evil.example/',
      'https://',
      'http://exa mple.com/',
      '',
    ]) {
      assert.equal(htmlUrl(bad), undefined, JSON.stringify(bad))
    }
  })

  test('lets relative paths through, and only printable ASCII ones', () => {
    assert.equal(htmlUrl('xworm/index.html'), 'xworm/index.html')
    assert.equal(htmlUrl('../index.html#hunts'), '../index.html#hunts')
    assert.equal(htmlUrl('a%20b.kql'), 'a%20b.kql')
    assert.equal(htmlUrl('a b.kql'), undefined)
    assert.equal(htmlUrl('ä.kql'), undefined)
    assert.equal(htmlUrl('a"b.kql'), 'a&quot;b.kql')
  })
})

describe('relativeHref and htmlLink', () => {
  test('relativeHref percent-encodes each segment', () => {
    assert.equal(relativeHref('sentinel/rules/csl-ip.yaml'), 'sentinel/rules/csl-ip.yaml')
    assert.equal(relativeHref('a b/"x"#?.kql'), 'a%20b/%22x%22%23%3F.kql')
    assert.equal(relativeHref('javascript:alert(1)'), 'javascript%3Aalert(1)')
  })

  test('htmlLink links allowed addresses and shows refused ones as text', () => {
    assert.equal(
      htmlLink('<b>ref</b>', 'https://example.com/'),
      '<a href="https://example.com/" rel="noopener noreferrer" referrerpolicy="no-referrer">&lt;b&gt;ref&lt;/b&gt;</a>',
    )
    assert.equal(htmlLink('x', 'a/b.html'), '<a href="a/b.html">x</a>')
    assert.equal(
      htmlLink('reference', 'javascript:alert("x")'),
      '<span class="refused-url">javascript:alert(&quot;x&quot;)</span>',
    )
  })
})

describe('htmlJsonData', () => {
  test('cannot close its script element, and reads back exactly', () => {
    const value = { v: '</script><script>alert(1)</script><!-- & \u2028 \u2029' }
    const text = htmlJsonData(value)
    assert.doesNotMatch(text, /[<>&\u2028\u2029]/)
    assert.deepEqual(JSON.parse(text), value)
  })
})
