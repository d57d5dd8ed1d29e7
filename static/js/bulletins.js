// Charts of a weekly bulletin (Chart.js from static/vendor). Data comes from the page's
// json_script, frozen with the bulletin.
(function () {
  "use strict";
  var node = document.getElementById("bulletin-chart-data");
  if (!node || typeof Chart === "undefined") return;
  var data = JSON.parse(node.textContent);
  var labels = data.labels;
  var common = { responsive: true, maintainAspectRatio: false, animation: false };

  var trend = document.getElementById("chart-trend");
  if (trend) {
    new Chart(trend, {
      type: "line",
      data: {
        labels: data.trend.map(function (p) { return p.week; }),
        datasets: [
          { label: labels.auto_mean, data: data.trend.map(function (p) { return p.auto_mean; }), borderColor: "#1f5fbf", spanGaps: true },
          { label: labels.eval_mean, data: data.trend.map(function (p) { return p.eval_mean; }), borderColor: "#7a4fbf", spanGaps: true },
          { label: labels.pass_rate, data: data.trend.map(function (p) { return p.pass_rate; }), borderColor: "#1e8e3e", spanGaps: true }
        ]
      },
      options: Object.assign({}, common, { scales: { y: { suggestedMin: 50, suggestedMax: 100 } } })
    });
  }

  var rules = document.getElementById("chart-rules");
  if (rules) {
    new Chart(rules, {
      type: "bar",
      data: {
        labels: data.rules.map(function (r) { return r.label; }),
        datasets: [{
          label: labels.compliance,
          data: data.rules.map(function (r) { return r.compliance; }),
          backgroundColor: data.rules.map(function (r) {
            return r.compliance !== null && r.compliance < data.standard ? "#d93025" : "#1f5fbf";
          })
        }]
      },
      options: Object.assign({}, common, { indexAxis: "y", scales: { x: { min: 0, max: 100 } } })
    });
  }

  var teams = document.getElementById("chart-teams");
  if (teams && data.teams.length) {
    new Chart(teams, {
      type: "bar",
      data: {
        labels: data.teams.map(function (t) { return t.label; }),
        datasets: [
          { label: labels.auto_mean, data: data.teams.map(function (t) { return t.auto_mean; }), backgroundColor: "#1f5fbf" },
          { label: labels.pass_rate, data: data.teams.map(function (t) { return t.pass_rate; }), backgroundColor: "#1e8e3e" }
        ]
      },
      options: Object.assign({}, common, { scales: { y: { min: 0, max: 100 } } })
    });
  }
})();
