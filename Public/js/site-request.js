// The platform home's "request your own site" form: the address is checked as it is typed
// (debounced, one answer at a time, the latest wins) and the answer is read out from an
// aria-live region. The server checks again on submit; without scripts nothing changes.
const input = document.querySelector("input[data-address-check]");
const status = document.getElementById("slug-status");
if (input && status) {
  const endpoint = input.dataset.addressCheck;
  const serverError = document.getElementById("slug-error");
  let timer = 0;
  let asked = 0;

  const show = (state, message) => {
    status.textContent = message;
    status.dataset.state = state;
    if (state === "available") input.removeAttribute("aria-invalid");
    else if (state) input.setAttribute("aria-invalid", "true");
    // The answer replaces what the server said about an earlier value.
    if (serverError) serverError.hidden = true;
  };

  const check = async () => {
    const slug = input.value.trim().toLowerCase();
    const mine = ++asked;
    if (!slug) { show("", ""); input.removeAttribute("aria-invalid"); return; }
    try {
      const response = await fetch(`${endpoint}?slug=${encodeURIComponent(slug)}`, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const answer = await response.json();
      if (mine === asked) show(answer.state, answer.message);
    } catch {
      // Offline or refused: the check on submit still answers.
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  });
  input.addEventListener("blur", () => { clearTimeout(timer); check(); });
}
