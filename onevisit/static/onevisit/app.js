// An htmx request that fails outright (a server error, no network) says so, instead of
// silently changing nothing. Refusals with a reason (422) are swapped in place by htmx itself.
(function () {
  function show(text) {
    var list = document.getElementById("request-errors");
    if (!list) return;
    var item = document.createElement("li");
    item.className = "error";
    item.setAttribute("role", "alert");
    item.textContent = text;
    list.replaceChildren(item);
    list.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:responseError", function () {
    var list = document.getElementById("request-errors");
    if (list) show(list.dataset.failed);
  });
  document.addEventListener("htmx:sendError", function () {
    var list = document.getElementById("request-errors");
    if (list) show(list.dataset.offline);
  });
})();
