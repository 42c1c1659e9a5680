/// The status page's script, served by the status worker itself (`?mime=js`, so the page loads
/// nothing from elsewhere and the CSP allows only `script-src 'self'`). Every two seconds it reads
/// `?mime=json` and updates the member rows in place — activation, state, drain progress, weight,
/// requests and errors with their rates, busy, connections — without reloading the page. It only
/// ever sets `textContent`, never HTML.
enum StatusScript {
    static let source = #"""
    (function () {
      "use strict";
      var body = document.body;
      var url = body.getAttribute("data-status-url");
      var quiet = body.getAttribute("data-quiet") || "10";
      var live = document.getElementById("sjk-live");
      var previous = null;
      window.sjkUpdates = 0;
      function set(row, field, text) {
        var cell = row.querySelector('td[data-field="' + field + '"]');
        if (cell && cell.textContent !== String(text)) { cell.textContent = String(text); }
      }
      function update(doc) {
        var now = performance.now();
        var seen = {};
        doc.balancers.forEach(function (lb) {
          lb.members.forEach(function (m) {
            var key = lb.name + "/" + m.name;
            seen[key] = { requests: m.requests, errors: m.member_errors };
            var row = null;
            document.querySelectorAll("tr[data-member]").forEach(function (r) {
              if (r.getAttribute("data-member") === key) { row = r; }
            });
            if (!row) { return; }
            set(row, "activation", m.activation);
            set(row, "state", m.state);
            set(row, "drain", m.drain.draining ? (m.drain.done ? "drain done" : "draining (" + m.drain.busy + " busy)") : "");
            set(row, "lbfactor", m.lbfactor);
            set(row, "weight", Math.round(m.weight_percent) + " %");
            set(row, "requests", m.requests);
            set(row, "sessions", m.sessions);
            set(row, "member_errors", m.member_errors);
            set(row, "busy", m.busy);
            set(row, "connections_open", m.connections_open);
            row.className = m.state === "ERR" ? "bad" : (m.activation === "ACT" ? "good" : "degraded");
            if (previous && previous.values[key]) {
              var seconds = Math.max((now - previous.time) / 1000, 0.001);
              set(row, "rate", ((m.requests - previous.values[key].requests) / seconds).toFixed(1));
              set(row, "error_rate", ((m.member_errors - previous.values[key].errors) / seconds).toFixed(1));
            }
          });
        });
        previous = { time: now, values: seen };
        window.sjkUpdates += 1;
        if (live) { live.textContent = "live: updated " + new Date().toLocaleTimeString(); }
      }
      function tick() {
        fetch(url + "?mime=json&quiet=" + encodeURIComponent(quiet), { credentials: "same-origin", cache: "no-store" })
          .then(function (response) { return response.json(); })
          .then(update)
          .catch(function () { if (live) { live.textContent = "live updates paused (status worker not reachable)"; } });
      }
      tick();
      window.setInterval(tick, 2000);
    })();
    """#
}
