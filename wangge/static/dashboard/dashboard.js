// The command dashboard's trend charts. Their figures sit in a json_script block (data, not
// code: the CSP needs no inline script); the table beside them is what print and a browser
// without JavaScript show. The day picker shows the chosen day as soon as it is picked.
(function () {
  "use strict";

  var COLOURS = ["#1f5fa8", "#b4232a", "#d18b00", "#2f8f46", "#7c3aed"];

  function option(chart, days) {
    return {
      animation: false,
      color: COLOURS,
      grid: { left: 6, right: 12, top: 30, bottom: 4, containLabel: true },
      legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 } },
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        valueFormatter: function (value) {
          if (value === null || value === undefined) return "—";
          return chart.percent ? value + "%" : String(value);
        }
      },
      xAxis: {
        type: "category",
        boundaryGap: chart.stacked,
        data: days.map(function (day) { return day.slice(5); }),
        axisLabel: { fontSize: 10, hideOverlap: true }
      },
      yAxis: {
        type: "value",
        min: chart.percent ? function (range) { return Math.max(0, Math.floor((range.min - 5) / 10) * 10); } : 0,
        max: chart.percent ? 100 : null,
        minInterval: chart.percent ? 0 : 1,
        axisLabel: { fontSize: 10, formatter: chart.percent ? "{value}%" : "{value}" }
      },
      series: chart.series.map(function (series) {
        return {
          name: series.name,
          type: chart.stacked ? "bar" : "line",
          stack: chart.stacked ? "all" : undefined,
          data: series.values,
          connectNulls: false,
          symbolSize: 5,
          barMaxWidth: 16
        };
      })
    };
  }

  function drawAll() {
    var box = document.querySelector(".trend-charts");
    if (!box || typeof window.echarts === "undefined") return;
    var source = document.getElementById(box.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var section = box.closest(".trends");
    section.classList.add("charts-on");
    data.charts.forEach(function (chart) {
      var element = box.querySelector('.trend-chart[data-chart="' + chart.key + '"]');
      if (!element) return;
      var drawn = window.echarts.getInstanceByDom(element) || window.echarts.init(element);
      drawn.setOption(option(chart, data.days));
    });
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  window.addEventListener("resize", function () {
    document.querySelectorAll(".trend-chart").forEach(function (element) {
      var chart = window.echarts && window.echarts.getInstanceByDom(element);
      if (chart) chart.resize();
    });
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".charts-on").forEach(function (section) {
      section.classList.remove("charts-on");
    });
  });
  window.addEventListener("afterprint", drawAll);
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
})();
