// The time-zone page says which zone this browser is in, with a one-click way to take it.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const select = document.getElementById("time_zone");
const hint = document.getElementById("browser-zone");
if (zone && select.value !== zone && [...select.options].some((o) => o.value === zone)) {
  hint.hidden = false;
  hint.textContent = `This browser is set to ${zone}. `;
  const use = document.createElement("button");
  use.type = "button"; use.className = "link"; use.textContent = `Use ${zone}`;
  use.addEventListener("click", () => { select.value = zone; select.focus(); });
  hint.append(use);
}
