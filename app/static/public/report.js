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

  var LABELS = { village_code: "村（社区）", kind: "反映类型", topic: "问题类别", content: "具体内容",
    anonymous: "是否实名", reporter: "实名信息", "reporter.name": "姓名", "reporter.phone": "手机号码",
    target: "反映对象", "target.roster_id": "公示名单中的人员", "target.person_name": "被反映人姓名",
    "target.person_post": "职务", "target.unit_id": "涉及单位", attachment_ids: "照片或材料" };

  // An error of "attachment_ids.0" belongs next to the file input, "target.person_name" next to that input.
  function slotFor(name) {
    var key = /^attachment_ids/.test(name) ? "attachment_ids" : name;
    return form.querySelector('.field-error[data-field="' + key + '"]');
  }

  function clearFieldErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (slot) {
      slot.textContent = "";
      slot.hidden = true;
    });
  }

  function showError(message, fields) {
    clearFieldErrors();
    errorBox.textContent = "";
    errorBox.appendChild(document.createTextNode(message));
    var list = document.createElement("ul");
    var firstSlot = null;
    Object.keys(fields || {}).forEach(function (name) {
      var text = [].concat(fields[name]).join("；");
      var slot = slotFor(name);
      if (slot && !slot.parentElement.closest("[hidden]")) {
        slot.textContent = text;
        slot.hidden = false;
        firstSlot = firstSlot || slot;
        return;
      }
      var item = document.createElement("li");
      item.textContent = (LABELS[name] || LABELS[name.split(".")[0]] || "内容") + "：" + text;
      list.appendChild(item);
    });
    if (list.childNodes.length) { errorBox.appendChild(list); }
    else if (firstSlot) { errorBox.appendChild(document.createTextNode("请按提示修改标红的内容。")); }
    errorBox.hidden = false;
    if (firstSlot) { firstSlot.scrollIntoView({ block: "center" }); }
  }

  // Picking a roster person names him: the typed name and post are not needed then.
  var roster = document.getElementById("f-roster");
  var typed = document.getElementById("typed-person");
  function syncRoster() {
    var picked = roster && roster.value !== "";
    Array.prototype.forEach.call(typed.querySelectorAll("input"), function (input) { input.disabled = picked; });
    typed.classList.toggle("disabled", picked);
  }
  if (roster) { roster.addEventListener("change", syncRoster); syncRoster(); }

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
    var target = {};
    if (form.dataset.disclosure) {
      target.disclosure_id = parseInt(form.dataset.disclosure, 10);
      if (form.dataset.item) { target.power_item = parseInt(form.dataset.item, 10); }
    }
    if (roster && roster.value) {
      target.roster_id = parseInt(roster.value, 10);
    } else {
      var name = form.elements.person_name.value.trim();
      var post = form.elements.person_post.value.trim();
      if (name) { target.person_name = name; }
      if (post) { target.person_post = post; }
    }
    var unit = document.getElementById("f-unit");
    if (unit && unit.value) { target.unit_id = parseInt(unit.value, 10); }
    if (Object.keys(target).length) { body.target = target; }
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

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(); }
    });
  }

  document.getElementById("copy-receipt").addEventListener("click", function () {
    var status = document.getElementById("copy-status");
    var code = document.getElementById("receipt-code").textContent;
    copyText(code.replace(/\s/g, "")).then(function () {
      status.textContent = "已复制回执码，请粘贴保存到备忘录等安全的地方。";
    }, function () {
      status.textContent = "无法自动复制，请长按回执码手动复制，或截图保存。";
    });
  });

  function done(body) {
    var wasAnonymous = anonymous();
    forgetKey();
    store(uploadName, null);
    form.hidden = true;
    document.getElementById("tracking-no").textContent = body.tracking_no || "";
    if (body.receipt_code) {
      document.getElementById("receipt-code").textContent = groups(body.receipt_code);
      document.getElementById("to-track-code").value = String(body.receipt_code).replace(/\D/g, "");
      document.getElementById("receipt-box").hidden = false;
    }
    document.getElementById("promise-anonymous").hidden = !wasAnonymous;
    document.getElementById("promise-real-name").hidden = wasAnonymous;
    var result = document.getElementById("result");
    result.hidden = false;
    result.scrollIntoView();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    clearFieldErrors();
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
