// The simulator page without reloads: forms post in the background and the screen is
// redrawn; every few seconds the page asks the service to send what has fallen due.
(function () {
  "use strict";
  var phone = document.querySelector(".phone");
  if (!phone) return;
  var screen = document.getElementById("screen");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var tickUrl = "/simulator/" + phone.dataset.digits + "/tick";
  var busy = false;

  function toLatest() {
    var list = document.getElementById("bubbles");
    list.scrollTop = list.scrollHeight;
  }
  toLatest();

  function post(url, data) {
    busy = true;
    return fetch(url, {
      method: "POST",
      body: data,
      headers: { "X-Requested-With": "fetch", "X-CSRF-Token": token },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("the service answered " + response.status);
        return response.text();
      })
      .then(function (html) {
        screen.innerHTML = html;
        toLatest();
      })
      .catch(function (error) {
        screen.insertAdjacentHTML("beforeend", '<p class="error">' + error.message + "</p>");
      })
      .finally(function () {
        busy = false;
      });
  }

  phone.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      if (form.id === "compose") {
        if (!data.get("body").trim()) return;
        form.reset();
      }
      post(form.action, data);
    });
  });

  setInterval(function () {
    if (!busy && !document.hidden) post(tickUrl, new FormData());
  }, 5000);
})();
