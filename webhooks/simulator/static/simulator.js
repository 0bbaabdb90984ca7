// The simulator page without reloads: forms marked data-fetch post in the background, and
// every few seconds the page asks the service to send what has fallen due. New bubbles are
// added to the list (a reader who scrolled up stays where they are), statuses are updated
// in place, and only what is new is read out by screen readers. The call button is a plain
// form: the call has a page of its own.
(function () {
  "use strict";
  var phone = document.querySelector(".phone[data-digits]");
  if (!phone || !document.getElementById("bubbles")) return;
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var tickUrl = "/simulator/" + phone.dataset.digits + "/tick";
  var announce = document.getElementById("announce");
  var errorBox = document.getElementById("error");
  var busy = false;

  function list() {
    return document.getElementById("bubbles");
  }

  function atBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  }

  function toLatest() {
    var el = list();
    el.scrollTop = el.scrollHeight;
  }
  toLatest();

  function replace(id, fresh) {
    var old = document.getElementById(id);
    var found = fresh.querySelector("#" + id);
    if (old && found && old.innerHTML !== found.innerHTML) old.innerHTML = found.innerHTML;
  }

  // Merge a fresh screen into the page: what is new is added, what changed is updated.
  function merge(html, jumpToEnd) {
    var fresh = document.createElement("template");
    fresh.innerHTML = html;
    var content = fresh.content;
    var el = list();
    var stay = !jumpToEnd && !atBottom(el);
    var said = [];
    content.querySelectorAll("#bubbles > .bubble").forEach(function (bubble) {
      var shown = el.querySelector('.bubble[data-id="' + bubble.dataset.id + '"]');
      if (shown) {
        var status = shown.querySelector(".status");
        var now = bubble.querySelector(".status");
        if (status && now && status.textContent !== now.textContent) {
          status.textContent = now.textContent;
        }
        return;
      }
      var hint = el.querySelector(".hint");
      if (hint) hint.remove();
      el.appendChild(document.importNode(bubble, true));
      if (bubble.classList.contains("theirs")) {
        said.push(bubble.querySelector(".text").textContent);
      }
    });
    ["clock", "zone", "next-reminder", "notice"].forEach(function (id) {
      replace(id, content);
    });
    if (said.length) announce.textContent = said.join(" \n");
    if (!stay) toLatest();
  }

  function post(url, data, jumpToEnd) {
    busy = true;
    return fetch(url, {
      method: "POST",
      body: data,
      headers: { "X-Requested-With": "fetch", "X-CSRF-Token": token },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) throw new Error(text.length < 300 ? text : "Error " + response.status);
          return text;
        });
      })
      .then(function (html) {
        if (jumpToEnd) errorBox.textContent = "";
        merge(html, jumpToEnd);
      })
      .catch(function (error) {
        errorBox.textContent = error.message; // one message at a time, never a stack of them
      })
      .finally(function () {
        busy = false;
      });
  }

  phone.querySelectorAll("form[data-fetch]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      if (form.id === "compose") {
        if (!data.get("body").trim()) return;
        form.reset();
      }
      post(form.action, data, true);
    });
  });

  setInterval(function () {
    if (!busy && !document.hidden) post(tickUrl, new FormData(), false);
  }, 5000);
})();
