/**
 * Spending per category as a horizontal bar chart in plain SVG (no chart library: a few bars do
 * not need one). A budgeted category shows its limit as a tick; over the limit, the bar turns red.
 * Text goes in with textContent only.
 */
export interface Bar {
  readonly label: string;
  readonly spent: number;
  readonly limit: number | null;
}

const SVG = "http://www.w3.org/2000/svg";
const ROW = 24;
const LABEL_WIDTH = 110;
const VALUE_WIDTH = 120;
const WIDTH = 560;

function svg<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export function renderSpendingChart(container: HTMLElement, bars: readonly Bar[], format: (amount: number) => string): void {
  container.replaceChildren();
  if (bars.length === 0) {
    const empty = document.createElement("p");
    empty.className = "muted";
    empty.textContent = "Nothing spent this month yet.";
    container.append(empty);
    return;
  }
  const scale = Math.max(...bars.map((bar) => Math.max(bar.spent, bar.limit ?? 0)), 1);
  const plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${bars.length * ROW}`, width: "100%", role: "img", "aria-label": "spending by category this month" });
  bars.forEach((bar, index) => {
    const y = index * ROW;
    const over = bar.limit !== null && bar.spent > bar.limit;
    const group = svg("g", { class: `bar${over ? " over" : ""}`, "data-category": bar.label });
    group.append(svg("text", { x: LABEL_WIDTH - 8, y: y + ROW / 2, "text-anchor": "end", "dominant-baseline": "middle", class: "label" }, bar.label));
    group.append(svg("rect", { x: LABEL_WIDTH, y: y + 5, width: Math.max(1, (bar.spent / scale) * plot), height: ROW - 10, rx: 3, class: "fill" }));
    if (bar.limit !== null) {
      const x = LABEL_WIDTH + (bar.limit / scale) * plot;
      group.append(svg("line", { x1: x, x2: x, y1: y + 2, y2: y + ROW - 2, class: "limit" }));
    }
    const value = bar.limit === null ? format(bar.spent) : `${format(bar.spent)} / ${format(bar.limit)}`;
    group.append(svg("text", { x: WIDTH - VALUE_WIDTH + 6, y: y + ROW / 2, "dominant-baseline": "middle", class: "value" }, value));
    chart.append(group);
  });
  container.append(chart);
}
