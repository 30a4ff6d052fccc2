// A sign of work on slow loads: a thin bar at the top of the page (#page-loading) while a page is being fetched
// (a link followed or a form sent, shown after 400 ms so quick pages never flash it) and while an HTMX request
// runs. Downloads, new tabs and in-page anchors do not show it; coming back through the browser's history hides it.
(function () {
  const bar = document.getElementById("page-loading");
  if (!bar) return;
  let timer = null;
  let pending = 0;
  const show = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      bar.hidden = false;
      bar.dataset.active = "true";
      // A page that never comes (a download the browser kept, a stalled server) does not leave the bar forever.
      timer = window.setTimeout(hide, 30000);
    }, 400);
  };
  const hide = () => {
    window.clearTimeout(timer);
    bar.hidden = true;
    delete bar.dataset.active;
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.target && link.target !== "_self") return;
    if (link.hasAttribute("download") || link.hasAttribute("hx-get") || link.dataset.bsToggle) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || /\/export\/|\/files\/|\/template\//.test(url.pathname)) return;
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
    show();
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) return;
    if (/\/export\//.test(form.action || "")) return;
    show();
  });
  document.addEventListener("htmx:beforeRequest", () => {
    pending += 1;
    show();
  });
  document.addEventListener("htmx:afterRequest", () => {
    pending = Math.max(0, pending - 1);
    if (!pending) hide();
  });
  window.addEventListener("pageshow", hide);
})();
