// The coverage chart of a round's page. Its data sits beside it in a json_script block
// (data, not code, so the CSP needs no inline script); the chart is drawn again each time
// HTMX swaps in fresh figures.
(function () {
  "use strict";

  function colour(value) {
    if (value >= 95) return "#2f8f46";
    if (value >= 80) return "#d18b00";
    return "#b4232a";
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.source);
    if (!source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    element.style.height = Math.max(160, data.names.length * 24 + 40) + "px";
    var chart = window.echarts.getInstanceByDom(element) || window.echarts.init(element);
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        renderMode: "richText",
        formatter: function (params) {
          var i = params[0].dataIndex;
          return data.names[i] + "\n" + data.sampled[i] + " / " + data.expected[i] +
            " (" + data.coverage[i] + "%)";
        }
      },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.names, axisLabel: { width: 120, overflow: "truncate" } },
      series: [{
        type: "bar",
        name: data.label,
        data: data.coverage.map(function (value) {
          return { value: value, itemStyle: { color: colour(value) } };
        }),
        label: { show: true, position: "right", formatter: "{c}%" }
      }]
    });
    chart.resize();
  }

  function drawAll() {
    document.querySelectorAll(".coverage-chart").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSwap", drawAll);
  window.addEventListener("resize", function () {
    document.querySelectorAll(".coverage-chart").forEach(function (element) {
      var chart = window.echarts && window.echarts.getInstanceByDom(element);
      if (chart) chart.resize();
    });
  });
})();
