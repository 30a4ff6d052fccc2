// 大屏模式: the clock ticks every second; every `data-refresh` seconds the screen fetches itself again and swaps in
// the fresh figures (a failed fetch keeps the last ones and says so); the charts use ECharts' dark theme and
// follow the window's size. Names reach the charts as data (text), never as markup.
(function () {
  const screen = document.getElementById("screen");
  if (!screen) return;
  const charts = [];

  const data = (id) => {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  };

  const axisText = { color: "#9fbbe0", fontSize: 16 };
  const drawCharts = () => {
    while (charts.length) charts.pop().dispose();
    if (typeof echarts === "undefined") return;
    const funnelBox = document.getElementById("screen-funnel");
    const funnel = data("screen-funnel-data");
    if (funnelBox && funnel) {
      const chart = echarts.init(funnelBox, "dark", { renderer: "canvas" });
      chart.setOption({
        backgroundColor: "transparent",
        grid: { left: 90, right: 60, top: 6, bottom: 6 },
        xAxis: { type: "value", show: false },
        yAxis: { type: "category", inverse: true, data: funnel.map((d) => d.name), axisLabel: axisText },
        series: [{
          type: "bar", data: funnel.map((d) => d.value), barMaxWidth: 22,
          itemStyle: { color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [{ offset: 0, color: "#1f6fd1" }, { offset: 1, color: "#4fd1ff" }]) },
          label: { show: true, position: "right", color: "#fff", fontSize: 16 },
        }],
      });
      charts.push(chart);
      funnelBox.dataset.ready = "true";
    }
    const targetBox = document.getElementById("screen-targets");
    const targets = data("screen-targets-data");
    if (targetBox && targets) {
      const chart = echarts.init(targetBox, "dark", { renderer: "canvas" });
      chart.setOption({
        backgroundColor: "transparent",
        grid: { left: 200, right: 70, top: 6, bottom: 6 },
        xAxis: { type: "value", max: (v) => Math.max(100, v.max), show: false },
        yAxis: {
          type: "category", inverse: true, data: targets.map((d) => d.name),
          axisLabel: { ...axisText, width: 190, overflow: "truncate" },
        },
        series: [{
          type: "bar", name: targetBox.dataset.doneLabel, data: targets.map((d) => d.value), barMaxWidth: 20,
          itemStyle: { color: (p) => (p.value >= 100 ? "#4be3a0" : p.value >= 60 ? "#4fd1ff" : "#ff5b5b") },
          label: { show: true, position: "right", color: "#fff", fontSize: 16, formatter: "{c}%" },
        }],
      });
      charts.push(chart);
      targetBox.dataset.ready = "true";
    }
  };

  const tick = () => {
    const clock = document.getElementById("screen-clock"); // replaced with the rest on every refresh
    if (!clock) return;
    // The server's time zone (the data time beside it is in it too), whatever the screen's browser is set to.
    let parts = {};
    try {
      const format = new Intl.DateTimeFormat("en-GB", {
        timeZone: clock.dataset.timeZone || undefined, hourCycle: "h23",
        year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
      });
      parts = Object.fromEntries(format.formatToParts(new Date()).map((p) => [p.type, p.value]));
    } catch (error) {
      const now = new Date();
      const pad = (n) => String(n).padStart(2, "0");
      parts = { year: now.getFullYear(), month: pad(now.getMonth() + 1), day: pad(now.getDate()),
        hour: pad(now.getHours()), minute: pad(now.getMinutes()), second: pad(now.getSeconds()) };
    }
    clock.textContent = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  };

  const refresh = async () => {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin", headers: { "X-Screen-Refresh": "1" } });
      if (!response.ok) throw new Error(String(response.status));
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("screen");
      if (!fresh) throw new Error("no screen");
      screen.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.adoptNode(node)));
      screen.dataset.refreshed = String(Number(screen.dataset.refreshed || 0) + 1);
      drawCharts();
    } catch (error) {
      const stamp = document.getElementById("screen-data-time");
      if (stamp) stamp.classList.add("text-warning");
    }
    tick();
  };

  drawCharts();
  tick();
  window.setInterval(tick, 1000);
  const seconds = Math.max(5, Number(screen.dataset.refresh) || 300);
  window.setInterval(refresh, seconds * 1000);
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
