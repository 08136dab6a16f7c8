/** The dashboard page: plain HTML and a little script reading /api/world and /api/events. */
export function renderPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edgesim dashboard</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;font-family:ui-monospace,monospace;font-size:12px}
.vip{color:#a40}.refused,.drop,.error{color:#b00}.rules{color:#05a}
#filter{width:20em}
</style></head><body>
<h1>edgesim: <span id="name">...</span></h1>
<p>DNS <span id="dns"></span>; sandbox CA <code id="ca"></code></p>
<h2>Listening</h2><table id="endpoints"><thead><tr><th>host</th><th>role</th><th>fqdn</th><th>address</th><th>port</th><th>transport</th><th></th></tr></thead><tbody></tbody></table>
<h2>Events <input id="filter" placeholder="filter: kind, host or rule (e.g. FED-6)"></h2>
<table id="events"><thead><tr><th>time</th><th>kind</th><th>host</th><th>rules</th><th>what</th></tr></thead><tbody></tbody></table>
<script>
const $ = (s) => document.querySelector(s);
const td = (t, c) => { const e = document.createElement("td"); e.textContent = t; if (c) e.className = c; return e; };
fetch("/api/world").then((r) => r.json()).then((w) => {
  $("#name").textContent = w.topology; $("#dns").textContent = JSON.stringify(w.dns); $("#ca").textContent = w.ca;
  for (const e of w.endpoints) { const tr = document.createElement("tr");
    for (const v of [e.host, e.role, e.fqdn, e.address, e.port, e.transport]) tr.append(td(String(v)));
    tr.append(td(e.vip ? "VIP" : "", "vip")); $("#endpoints tbody").append(tr); }
});
const tuple = (t) => t ? t.transport + " " + t.srcAddress + ":" + t.srcPort + " -> " + t.dstAddress + ":" + t.dstPort : "";
const what = (e) => e.detail || e.summary
  || (e.kind === "tls.handshake" ? (e.ok ? "ok, peer " + (e.peerNames.join(" ") || "(no certificate)") : "failed: " + (e.error || "?")) + " " + tuple(e.tuple) : "")
  || [e.name, e.type, e.rcode].filter(Boolean).join(" ") || e.fqdn || tuple(e.tuple);
const src = new EventSource("/api/events");
src.onmessage = (m) => { const e = JSON.parse(m.data); const tr = document.createElement("tr");
  tr.dataset.text = (e.kind + " " + e.host + " " + e.rules.join(" ")).toLowerCase();
  tr.append(td(new Date(e.ts).toISOString().slice(11, 23)), td(e.kind, e.kind.split(".")[1]), td(e.host), td(e.rules.join(", "), "rules"), td(what(e)));
  const f = $("#filter").value.toLowerCase(); if (f && !tr.dataset.text.includes(f)) tr.hidden = true;
  $("#events tbody").prepend(tr); };
$("#filter").oninput = () => { const f = $("#filter").value.toLowerCase();
  for (const tr of document.querySelectorAll("#events tbody tr")) tr.hidden = !!f && !tr.dataset.text.includes(f); };
</script></body></html>`;
}
