// 码上监督 console: the only script. Every page works without it; with it:
// - a button marked data-confirm asks window.confirm before its form is sent;
// - a form marked data-confirm-step (an action that cannot be undone) is first sent in the background; the server
//   answers with its confirmation step ([data-confirm-panel]: what will happen and who will be told), shown here in
//   a dialog; 确认 sends the same form again with confirm=1. Anything unexpected falls back to a plain submission,
//   which shows the same step as a page.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  function plainSubmit(form, confirmed) {
    if (confirmed && !form.querySelector("input[name=confirm]")) {
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirm";
      flag.value = "1";
      form.appendChild(flag);
    }
    form.setAttribute("data-confirm-sent", "1");
    HTMLFormElement.prototype.submit.call(form);
  }

  function button(text, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function ask(panel, form) {
    var text = panel.querySelector("[data-confirm-text]");
    var label = panel.querySelector("[data-confirm-button]");
    if (typeof HTMLDialogElement !== "function" || !text) {
      if (window.confirm((text ? text.textContent : "").replace(/\s+\n/g, "\n").trim())) {
        plainSubmit(form, true);
      }
      return;
    }
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    var body = document.importNode(text, true);
    var title = body.querySelector("h3");
    if (title) {
      title.id = "confirm-dialog-title";
    }
    dialog.appendChild(body);
    var actions = document.createElement("div");
    actions.className = "form-actions";
    actions.appendChild(button(label ? label.textContent : "确认", "primary", function () {
      dialog.close();
      plainSubmit(form, true);
    }));
    actions.appendChild(button("取消", "", function () { dialog.close(); }));
    dialog.appendChild(actions);
    dialog.addEventListener("close", function () { dialog.remove(); });
    document.body.appendChild(dialog);
    dialog.showModal();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-confirm-step") || form.getAttribute("data-confirm-sent")) {
      return;
    }
    if (typeof window.fetch !== "function" || typeof window.DOMParser !== "function") {
      return;  // the server shows its confirmation step as a page
    }
    event.preventDefault();
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (response) {
        if (response.redirected) {  // nothing to confirm: the server already did it
          window.location.assign(response.url);
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var panel = new DOMParser().parseFromString(html, "text/html").querySelector("[data-confirm-panel]");
        if (panel) {
          ask(panel, form);
        } else {
          plainSubmit(form, false);  // bad input or a refusal: let the page say why
        }
      })
      .catch(function () { plainSubmit(form, false); });
  });
})();
