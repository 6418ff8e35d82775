/* Track page: the forms POST the receipt code in the body (never in the URL); this only checks the code's shape
   before sending and stops a double tap from sending a message twice. */
(function () {
  "use strict";
  var form = document.getElementById("track-form");
  if (!form) { return; }
  var hint = document.getElementById("track-hint");

  function digitsOf(text) {
    return text.replace(/[\s\u3000\-]/g, "").replace(/[\uff10-\uff19]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
    });
  }

  form.addEventListener("submit", function (event) {
    if (!/^\d{16}$/.test(digitsOf(form.elements.receipt_code.value))) {
      event.preventDefault();
      hint.textContent = "回执码应为 16 位数字，请核对后重新输入。";
      hint.hidden = false;
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("#message-form, #dispute-form"), function (other) {
    other.addEventListener("submit", function (event) {
      var button = other.querySelector("button[type=submit]");
      if (button.disabled) { event.preventDefault(); return; }
      button.disabled = true;
      button.textContent = "正在提交……";
    });
  });
}());
