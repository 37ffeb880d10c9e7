/**
 * The simulation report as one self-contained HTML page: the summary table, the SVG charts
 * inline, and a few lines of script (no network, no libraries) that show the values under the
 * pointer and hide or show a run when its legend entry is clicked.
 */

import type { SimulationRun } from '../sim/runResult.ts'
import { reasonOf } from './decisions.ts'
import { escapeXml } from './escapeXml.ts'
import { headlineOf } from './headline.ts'
import { renderReportSvg, type ReportSvgOptions } from './reportSvg.ts'
import { summaryColumns, summaryRows } from './summaryRows.ts'

/**
 * Renders `runs` into an HTML document string. The page sets `data-rendered="<charts>"` on
 * `<html>` once its script has run, so a browser test can wait for it.
 */
export function renderReportHtml(runs: readonly SimulationRun[], options: ReportSvgOptions = {}): string {
  const svg = renderReportSvg(runs, options)
  const title = options.title ?? `loadbatch simulation: ${runs[0]?.pattern ?? ''}`
  const table = [
    '<table><thead><tr>',
    ...summaryColumns.map((c) => `<th>${escapeXml(c)}</th>`),
    '</tr></thead><tbody>',
    ...summaryRows(runs).map((row) => `<tr>${row.map((cell) => `<td>${escapeXml(cell)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('')
  // The samples, for the pointer read-out; `<` escaped so no sample can close the script.
  const data = JSON.stringify(
    runs.map((run) => ({ label: run.label, samples: run.samples.map((sample) => ({ ...sample, reason: reasonOf(sample) })) })),
  ).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
  body { font: 14px system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #111; background: #fff; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  p.subtitle { color: #555; margin: 0 0 8px; }
  p.headline { font-size: 16px; font-weight: 600; color: #0072B2; margin: 0 0 2px; }
  p.headline-detail { color: #555; margin: 0 0 16px; }
  circle.marker { cursor: help; }
  table { border-collapse: collapse; margin: 0 0 16px; }
  th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .legend-item { cursor: pointer; }
  .legend-item.off { opacity: 0.3; }
  #readout { position: fixed; pointer-events: none; background: rgba(255,255,255,.95); border: 1px solid #bbb; padding: 6px 8px; font-size: 12px; display: none; white-space: pre; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
${options.subtitle ? `<p class="subtitle">${escapeXml(options.subtitle)}</p>` : ''}
${runs.length > 0 ? headlineHtml(runs, options.offeredMs) : ''}
${table}
<div id="report">
${svg}
</div>
<div id="readout"></div>
<script type="application/json" id="runs">${data}</script>
<script>
(function () {
  var runs = JSON.parse(document.getElementById('runs').textContent);
  var svg = document.querySelector('#report svg');
  var readout = document.getElementById('readout');
  var charts = svg.querySelectorAll('g.chart');
  svg.querySelectorAll('.legend-item').forEach(function (item) {
    item.addEventListener('click', function () {
      var label = item.getAttribute('data-series');
      var off = item.classList.toggle('off');
      svg.querySelectorAll('polyline.series').forEach(function (line) {
        var name = line.getAttribute('data-series');
        if (name === label || name === label + ' p50' || name === label + ' p99') line.style.display = off ? 'none' : '';
      });
    });
  });
  function nearest(samples, atMs) {
    var best = samples[0];
    for (var i = 1; i < samples.length; i++) if (Math.abs(samples[i].atMs - atMs) < Math.abs(best.atMs - atMs)) best = samples[i];
    return best;
  }
  var rect = svg.querySelector('g.chart rect');
  var plotLeft = Number(rect.getAttribute('x'));
  var plotWidth = Number(rect.getAttribute('width'));
  var xMax = Number(svg.getAttribute('data-x-max'));
  svg.addEventListener('mousemove', function (event) {
    var box = svg.getBoundingClientRect();
    var x = (event.clientX - box.left) * (svg.viewBox.baseVal.width / box.width);
    if (x < plotLeft || x > plotLeft + plotWidth || !runs.length) { readout.style.display = 'none'; return; }
    var atMs = ((x - plotLeft) / plotWidth) * xMax;
    var lines = ['t = ' + (atMs / 1000).toFixed(1) + ' s'];
    runs.forEach(function (run, r) {
      if (!run.samples.length) return;
      var s = nearest(run.samples, atMs);
      lines.push(run.label + ': batch ' + s.batchSize + (r === 0 ? ' (oracle ' + s.bestBatchSize + ')' : '') + ', score ' + s.loadScore.toFixed(2) + ', ' + Math.round(s.itemsPerSecond) + ' items/s, p50 ' + Math.round(s.latencyP50Ms) + ' ms, p99 ' + Math.round(s.latencyP99Ms) + ' ms, errors ' + s.errors);
      var i = run.samples.indexOf(s);
      var before = run.samples[i - 1];
      if (r === 0 && before && before.batchSize !== s.batchSize) {
        lines.push('  decision: batch ' + before.batchSize + ' \u2192 ' + s.batchSize + (s.reason ? ', because ' + s.reason : ' (the controller gave no reason)'));
      }
    });
    readout.textContent = lines.join('\\n');
    readout.style.display = 'block';
    readout.style.left = Math.min(event.clientX + 14, window.innerWidth - readout.offsetWidth - 8) + 'px';
    readout.style.top = (event.clientY + 14) + 'px';
  });
  svg.addEventListener('mouseleave', function () { readout.style.display = 'none'; });
  document.documentElement.setAttribute('data-rendered', String(charts.length));
})();
</script>
</body>
</html>
`
}

function headlineHtml(runs: readonly SimulationRun[], offeredMs: number | undefined): string {
  const { verdict, detail } = headlineOf(runs, offeredMs)
  return `<p class="headline">${escapeXml(verdict)}</p><p class="headline-detail">${escapeXml(detail)}</p>`
}
