/**
 * A small strict XML well-formedness check for the benchmark's SVG tests (no dependency): tags nest and
 * close in order, attributes are quoted and unique, text holds no raw `<` or bare `&`, one root.
 */

/**
 * Throws unless `xml` is one well-formed element tree: tags nest and close in order, attributes are
 * quoted and unique, text holds no raw `<` or bare `&`. Returns the element names in document order.
 */
export function wellFormed(xml: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  let i = 0;
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  let roots = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = lt === -1 ? body.slice(i) : body.slice(i, lt);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) throw new Error(`bare & in text: ${text}`);
    if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text}`);
    if (lt === -1) break;
    const gt = body.indexOf('>', lt);
    if (gt === -1) throw new Error('unterminated tag');
    const tag = body.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      if (stack.pop() !== name) throw new Error(`</${name}> closes the wrong element`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const m = /^([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*\/?$/.exec(tag);
    if (m === null) throw new Error(`malformed tag <${tag}>`);
    const attrs = [...m[2]!.matchAll(/([\w:-]+)="/g)].map((a) => a[1]);
    if (new Set(attrs).size !== attrs.length) throw new Error(`duplicate attribute in <${tag}>`);
    if (stack.length === 0) roots++;
    names.push(m[1]!);
    if (!selfClosing) stack.push(m[1]!);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return names;
}
