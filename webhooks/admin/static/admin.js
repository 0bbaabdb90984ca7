// Forms that change a person for good ask first, and a time shown in a person's zone also
// says the reader's own time when their zone differs (kept out of the pages: no inline script).
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var format = new Intl.DateTimeFormat("en-US", {
    weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false, timeZoneName: "short",
  });
  document.querySelectorAll("time[data-zone]").forEach(function (time) {
    if (!mine || time.dataset.zone === mine) return;
    var yours = document.createElement("span");
    yours.className = "yours";
    yours.textContent = " (" + format.format(new Date(time.dateTime)) + " your time)";
    time.after(yours);
  });
})();
