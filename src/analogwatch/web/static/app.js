// analogwatch dashboard: small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (r.status === 401) { window.location.reload(); throw new Error("signed out"); }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  // -- Screen: follow a job's progress, then show its results ------------------------------------
  function followJob() {
    var box = document.getElementById("job");
    if (!box) { return; }
    var state = box.getAttribute("data-state");
    if (state !== "queued" && state !== "running") { return; }
    var bar = document.getElementById("job-progress");
    var text = document.getElementById("job-text");
    var url = box.getAttribute("data-status-url");
    var tick = function () {
      getJSON(url).then(function (job) {
        if (job.status === "done" || job.status === "failed") { window.location.reload(); return; }
        if (job.progress !== null && job.progress !== undefined) { bar.value = job.progress; }
        text.textContent = job.status === "running"
          ? "Screening: " + job.done + (job.total ? " of about " + job.total : "") + " records…"
          : "Waiting for another screening to finish…";
        window.setTimeout(tick, 1000);
      }).catch(function () { window.setTimeout(tick, 3000); });
    };
    window.setTimeout(tick, 700);
  }

  // -- Alerts: new alerts appear at the top of an open inbox -------------------------------------
  function followAlerts() {
    var list = document.getElementById("alert-list");
    if (!list || !list.getAttribute("data-feed")) { return; }
    var since = list.getAttribute("data-since");
    var kind = list.getAttribute("data-kind") || "";
    var interval = Math.max(1, parseFloat(list.getAttribute("data-interval") || "20")) * 1000;
    var template = document.getElementById("alert-template");
    var status = document.getElementById("alerts-status");
    var tick = function () {
      var url = list.getAttribute("data-feed") + "?since=" + encodeURIComponent(since) + (kind ? "&kind=" + encodeURIComponent(kind) : "");
      getJSON(url).then(function (data) {
        data.items.forEach(function (a) {
          var node = template.content.firstElementChild.cloneNode(true);
          var k = node.querySelector(".kind");
          k.textContent = a.kind_label;
          k.classList.add(a.kind);
          var t = node.querySelector("time");
          t.textContent = a.created_at.replace("T", " ").slice(0, 16) + " UTC";
          t.setAttribute("datetime", a.created_at);
          node.querySelector(".message").textContent = a.message;
          var ul = node.querySelector(".restrictions");
          if (a.restrictions.length) {
            a.restrictions.forEach(function (r) { var li = document.createElement("li"); li.textContent = "⚠ " + r; ul.appendChild(li); });
          } else { ul.remove(); }
          node.querySelector(".report-link").href = "/reports/" + a.report_id;
          node.querySelector(".substance-link").href = "/substances/" + a.inchikey;
          node.querySelector(".where").textContent = a.country_name;
          list.insertBefore(node, list.firstChild);
          since = a.created_at;
        });
        if (data.items.length) {
          var empty = document.getElementById("alerts-empty");
          if (empty) { empty.remove(); }
          status.textContent = data.items.length + " new alert" + (data.items.length === 1 ? "" : "s") + " just arrived";
        }
        window.setTimeout(tick, interval);
      }).catch(function () { window.setTimeout(tick, interval * 2); });
    };
    window.setTimeout(tick, interval);
  }

  // -- Check: the bundled JSME structure editor, loaded on demand --------------------------------
  var editor = null;
  var editorWaiting = [];
  window.jsmeOnLoad = function () {
    editor = new window.JSApplet.JSME("jsme-container", "100%", "380px", { options: "newlook,star,nocanonize" });
    editorWaiting.forEach(function (f) { f(); });
    editorWaiting = [];
  };

  function setupEditor() {
    var toggle = document.getElementById("draw-toggle");
    if (!toggle) { return; }
    var panel = document.getElementById("editor-panel");
    var query = document.getElementById("q");
    var status = document.getElementById("editor-status");
    var loaded = false;
    function withEditor(f) { if (editor) { f(); } else { editorWaiting.push(f); } }
    function open() {
      panel.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      if (!loaded) {
        loaded = true;
        status.textContent = "Loading the editor…";
        var s = document.createElement("script");
        s.src = "/static/vendor/jsme/jsme.nocache.js";
        s.onerror = function () { status.textContent = "The editor could not be loaded; type or paste the structure instead."; };
        document.head.appendChild(s);
      }
      withEditor(function () {
        status.textContent = "";
        var text = query.value.trim();
        if (text && text.indexOf("\n") < 0 && /^[A-Za-z0-9@+\-\[\]()=#$%\/\\.:*]+$/.test(text)) {
          try { editor.readGenericMolecularInput(text); } catch (e) { /* not a structure the editor reads */ }
        } else if (text.indexOf("M  END") >= 0) {
          try { editor.readMolFile(text); } catch (e) { /* ignore */ }
        }
      });
    }
    function close() {
      panel.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
    toggle.addEventListener("click", function () { if (panel.hidden) { open(); } else { close(); } });
    document.getElementById("draw-close").addEventListener("click", close);
    document.getElementById("draw-use").addEventListener("click", function () {
      withEditor(function () {
        var smiles = editor.smiles();
        if (!smiles) { status.textContent = "Draw a structure first."; return; }
        query.value = smiles;
        close();
        query.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    followJob();
    followAlerts();
    setupEditor();
  });
})();
