// 我的任务: a task completed through HTMX answers with an `overdueChanged` event (HX-Trigger) carrying the new
// number of overdue tasks; the badge at the top follows it without a page load.
(function () {
  document.body.addEventListener("overdueChanged", (event) => {
    const count = document.getElementById("overdue-count");
    const badge = document.getElementById("overdue-badge");
    if (!count || !badge) return;
    const value = Number(event.detail.value);
    count.textContent = String(value);
    badge.classList.toggle("text-bg-danger", value > 0);
    badge.classList.toggle("text-bg-success", value === 0);
  });
})();
