/**
 * Builds elements from text only: nothing the session prints (console lines,
 * event messages, file names) is ever parsed as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** A <select> with the given values, `selected` chosen. */
export function select(name: string, values: readonly string[], selected: string): HTMLSelectElement {
  const element = h('select', { name, 'data-control': name });
  for (const value of values) {
    const option = h('option', { value }, value);
    option.selected = value === selected;
    element.append(option);
  }
  return element;
}
