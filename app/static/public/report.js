/* H5 report form: optional upload, then POST /api/v1/reports with one Idempotency-Key per form fill. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var village = form.dataset.village;
  var keyName = "mss-report-key-" + village;
  var uploadName = "mss-report-upload-" + village;
  var errorBox = document.getElementById("form-error");
  var button = document.getElementById("submit");
  var realname = document.getElementById("realname");

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function store(name, value) {
    try { if (value === null) { sessionStorage.removeItem(name); } else { sessionStorage.setItem(name, value); } }
    catch (e) { /* private mode: the key lives for this page only */ }
  }

  function stored(name) {
    try { return sessionStorage.getItem(name); } catch (e) { return null; }
  }

  var memoryKey = null;
  function idempotencyKey() {
    var key = stored(keyName) || memoryKey;
    if (!key) { key = newKey(); }
    memoryKey = key;
    store(keyName, key);
    return key;
  }

  function forgetKey() { memoryKey = null; store(keyName, null); }

  // Any change to what is sent starts a new submission; a plain retry (same content) reuses the key.
  form.addEventListener("input", forgetKey);
  form.addEventListener("change", function (event) {
    forgetKey();
    if (event.target.name === "anonymous") { realname.hidden = anonymous(); }
    if (event.target.name === "photo") { store(uploadName, null); }
  });

  function anonymous() {
    var checked = form.querySelector("input[name=anonymous]:checked");
    return !checked || checked.value === "1";
  }

  function showError(message, fields) {
    errorBox.textContent = "";
    errorBox.appendChild(document.createTextNode(message));
    if (fields) {
      var list = document.createElement("ul");
      Object.keys(fields).forEach(function (name) {
        var item = document.createElement("li");
        item.textContent = name + "：" + [].concat(fields[name]).join("；");
        list.appendChild(item);
      });
      if (list.childNodes.length) { errorBox.appendChild(list); }
    }
    errorBox.hidden = false;
  }

  function failure(response, body) {
    var error = body && body.error;
    if (response.status === 429) {
      var wait = response.headers.get("Retry-After");
      return { message: "提交过于频繁，请" + (wait ? " " + wait + " 秒后" : "稍后") + "再试。" };
    }
    if (error && error.message) { return { message: error.message, fields: error.fields }; }
    return { message: "提交失败（" + response.status + "），请稍后重试。" };
  }

  function send(url, options) {
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok) { throw failure(response, body); }
        return body;
      });
    }, function () {
      throw { message: "网络连接失败，请检查网络后再点“提交”（不会重复提交）。" };
    });
  }

  function upload() {
    var input = document.getElementById("f-photo");
    var file = input.files && input.files[0];
    if (!file) { return Promise.resolve([]); }
    var fingerprint = [file.name, file.size, file.lastModified].join("|");
    var previous = stored(uploadName);
    if (previous) {
      var saved = JSON.parse(previous);
      if (saved.file === fingerprint) { return Promise.resolve([saved.id]); }
    }
    var data = new FormData();
    data.append("file", file);
    return send("/api/v1/uploads", { method: "POST", body: data, credentials: "same-origin" }).then(function (body) {
      store(uploadName, JSON.stringify({ file: fingerprint, id: body.id }));
      return [body.id];
    });
  }

  function payload(attachmentIds) {
    var kind = form.querySelector("input[name=kind]:checked");
    var body = {
      village_code: village,
      kind: kind ? kind.value : "suggestion",
      topic: form.elements.topic.value,
      content: form.elements.content.value.trim(),
      anonymous: anonymous(),
      channel: "h5",
      attachment_ids: attachmentIds
    };
    if (!body.anonymous) {
      body.reporter = { name: form.elements.name.value.trim(), phone: form.elements.phone.value.trim() };
    }
    if (form.dataset.disclosure) {
      body.target = { disclosure_id: parseInt(form.dataset.disclosure, 10) };
      if (form.dataset.item) { body.target.power_item = parseInt(form.dataset.item, 10); }
    }
    return body;
  }

  function check() {
    if (!form.elements.content.value.trim()) { return "请填写具体内容。"; }
    if (!anonymous()) {
      if (!form.elements.name.value.trim()) { return "实名反映请填写姓名。"; }
      if (!/^1\d{10}$/.test(form.elements.phone.value.replace(/\s|-/g, ""))) { return "请填写 11 位手机号码。"; }
    }
    return null;
  }

  function groups(code) {
    var digits = String(code).replace(/\D/g, "");
    return digits.length === 16 ? digits.replace(/(\d{4})(?=\d)/g, "$1 ") : String(code);
  }

  function done(body) {
    forgetKey();
    store(uploadName, null);
    form.hidden = true;
    document.getElementById("tracking-no").textContent = body.tracking_no || "";
    if (body.receipt_code) {
      document.getElementById("receipt-code").textContent = groups(body.receipt_code);
      document.getElementById("receipt-box").hidden = false;
    }
    var result = document.getElementById("result");
    result.hidden = false;
    result.scrollIntoView();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var problem = check();
    if (problem) { showError(problem); return; }
    var key = idempotencyKey();
    button.disabled = true;
    button.textContent = "正在提交……";
    upload().then(function (ids) {
      return send("/api/v1/reports", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Idempotency-Key": key },
        body: JSON.stringify(payload(ids))
      });
    }).then(done, function (err) {
      showError(err.message || "提交失败，请稍后重试。", err.fields);
    }).then(function () {
      button.disabled = false;
      button.textContent = "提交";
    });
  });
}());
