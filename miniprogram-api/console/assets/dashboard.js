// Dashboard charts (ECharts, served from node_modules by the same process).
(function () {
  'use strict'
  var el = document.getElementById('dashboard-data')
  if (!el || !window.echarts) return
  var data = JSON.parse(el.textContent)
  var pct = function (r) { return r == null ? null : Math.round(r * 1000) / 10 }
  var label = function (iso) { var d = new Date(iso); return (d.getMonth() + 1) + '/' + d.getDate() }
  var charts = []
  var trendEl = document.getElementById('trend-chart')
  if (trendEl) {
    var trend = echarts.init(trendEl)
    trend.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { data: ['响应率', '解决率', '满意率', '受理'], bottom: 0 },
      grid: { left: 40, right: 40, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: data.trend.map(function (w) { return label(w.from) }) },
      yAxis: [{ type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } }, { type: 'value', minInterval: 1 }],
      series: [
        { name: '受理', type: 'bar', yAxisIndex: 1, data: data.trend.map(function (w) { return w.received }), itemStyle: { color: '#cfd8e3' } },
        { name: '响应率', type: 'line', connectNulls: true, data: data.trend.map(function (w) { return pct(w.response) }) },
        { name: '解决率', type: 'line', connectNulls: true, data: data.trend.map(function (w) { return pct(w.resolution) }) },
        { name: '满意率', type: 'line', connectNulls: true, data: data.trend.map(function (w) { return pct(w.satisfaction) }) },
      ],
    })
    charts.push(trend)
  }
  var catEl = document.getElementById('category-chart')
  if (catEl) {
    var cat = echarts.init(catEl)
    var items = data.byCategory.filter(function (c) { return c.count > 0 })
    cat.setOption({
      animation: false,
      tooltip: { trigger: 'item' },
      series: [{ type: 'pie', radius: ['35%', '65%'], label: { formatter: '{b} {c}' }, data: items.map(function (c) { return { name: c.name, value: c.count } }) }],
    })
    charts.push(cat)
  }
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize() }) })
})()
