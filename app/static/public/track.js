/* Receipt-code lookup: GET /api/v1/reports/track/{code}, rendered with textContent only. */
(function () {
  "use strict";
  var form = document.getElementById("track-form");
  if (!form) { return; }
  var errorBox = document.getElementById("track-error");
  var STATUS = {
    received: "待受理", accepted: "已受理", not_accepted: "不予受理", merged: "已合并办理", assigned: "已交办",
    on_hold: "暂缓办理", responded: "已反馈", concluded: "已办结", closed: "已归档", reopened: "重新办理"
  };

  function when(value) {
    if (!value) { return ""; }
    var text = String(value);
    return text.length >= 16 ? text.slice(0, 10) + " " + text.slice(11, 16) : text;
  }

  function first(obj, names) {
    for (var i = 0; i < names.length; i += 1) {
      if (obj && obj[names[i]] !== undefined && obj[names[i]] !== null && obj[names[i]] !== "") { return obj[names[i]]; }
    }
    return "";
  }

  function show(body) {
    document.getElementById("t-tracking").textContent = body.tracking_no || "";
    document.getElementById("t-status").textContent = first(body, ["status_label"]) || STATUS[body.status] || body.status || "";
    document.getElementById("t-received").textContent = when(first(body, ["received_at", "created_at"]));
    var list = document.getElementById("t-timeline");
    list.textContent = "";
    var events = body.timeline || body.events || [];
    events.forEach(function (event) {
      var item = document.createElement("li");
      var head = document.createElement("div");
      head.className = "meta";
      head.textContent = when(first(event, ["at", "created_at", "time"]));
      var title = document.createElement("div");
      title.className = "event";
      title.textContent = first(event, ["label", "event_label", "action_label", "title", "action", "kind"]);
      item.appendChild(head);
      item.appendChild(title);
      var note = first(event, ["note", "content", "message", "text"]);
      if (note) {
        var para = document.createElement("p");
        para.textContent = note;
        item.appendChild(para);
      }
      list.appendChild(item);
    });
    if (!events.length) {
      var empty = document.createElement("li");
      empty.textContent = "暂无办理记录。";
      list.appendChild(empty);
    }
    document.getElementById("track-result").hidden = false;
  }

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    document.getElementById("track-result").hidden = true;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var digits = form.elements.receipt.value.replace(/[\s\u3000-]/g, "").replace(/[\uff10-\uff19]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
    });
    if (!/^\d{16}$/.test(digits)) { fail("回执码应为 16 位数字，请核对后重新输入。"); return; }
    fetch("/api/v1/reports/track/" + digits, { credentials: "same-origin" }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.ok && body) { show(body); return; }
        if (response.status === 429) { fail("查询过于频繁，请稍后再试。"); return; }
        fail(body && body.error && body.error.message ? body.error.message : "查询失败，请稍后再试。");
      });
    }, function () { fail("网络连接失败，请检查网络后重试。"); });
  });
}());
