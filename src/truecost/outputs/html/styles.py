"""The page's stylesheet, inlined into every report: screen layout and a print layout."""

from __future__ import annotations

STYLESHEET = """
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #f6f8fa; --accent: #4c78a8;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
}
header, main, footer, nav { max-width: 980px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; border-bottom: 1px solid var(--line); padding-bottom: 12px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); }
h3 { font-size: 16px; margin: 0 0 2px; }
.meta, .caption, footer, .note { color: var(--muted); }
.meta { margin: 0; font-size: 14px; }
nav ol { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 0; margin: 12px 0 0; }
nav a { color: var(--accent); text-decoration: none; font-size: 14px; }
nav a:hover { text-decoration: underline; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; margin: 0; }
.facts div { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.facts dt { font-size: 13px; color: var(--muted); }
.facts dd { margin: 2px 0 0; font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
figure { margin: 0 0 32px; }
.caption { margin: 0 0 8px; font-size: 14px; }
.chart { overflow-x: auto; }
.chart svg { display: block; max-width: 100%; height: auto; }
.table-wrap { max-height: 26rem; overflow: auto; border: 1px solid var(--line); border-radius: 6px; margin-top: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th {
  position: sticky; top: 0; background: var(--soft); font-weight: 600;
  white-space: normal; overflow-wrap: anywhere; vertical-align: bottom;
}
td.num, th.num { text-align: right; }
tbody tr:last-child td { border-bottom: none; }
tr.total td { font-weight: 600; background: var(--soft); }
.note { font-size: 14px; margin: 8px 0; }
section.skipped .note { font-style: italic; }
footer { border-top: 1px solid var(--line); margin-top: 40px; padding-top: 12px; padding-bottom: 28px; font-size: 13px; }

@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; }
  header, main, footer { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; margin-top: 18pt; }
  figure { break-inside: avoid; }
  .chart { overflow: visible; }
  .table-wrap { max-height: none; overflow: visible; border: none; }
  th { position: static; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 6px; }
  .facts div { break-inside: avoid; }
}
"""
