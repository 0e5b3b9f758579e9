// The meeting pages' small helpers (everything works without them):
// - "Copy link" (shown only with scripts) copies the meeting's link with the clipboard API and
//   says so; where the clipboard is refused, the link in its read-only field is selected so it
//   can be copied by hand;
// - the invitation list's name filter narrows the list as one types (ticked members stay); the
//   form's "Filter" button, which does the same through the server without scripts, is removed
//   so that Enter in any field saves the form.

for (const button of document.querySelectorAll("[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.querySelector("[data-copy-status]");
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Link copied. Paste it wherever you invite people.";
    } catch {
      field.focus();
      field.select();
      status.textContent = "Your browser did not let the page copy: the link is selected, copy it with Ctrl+C (⌘C on a Mac).";
    }
  });
}

const filter = document.querySelector("[data-invitee-filter]");
if (filter) {
  const picker = filter.closest("[data-invitees]");
  const status = picker.querySelector("[data-filter-status]");
  picker.querySelector('button[value="filter"]')?.remove();
  const fold = (text) => text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
  const apply = () => {
    const words = fold(filter.value).split(/\s+/).filter(Boolean);
    let hidden = 0;
    for (const item of picker.querySelectorAll("li[data-name]")) {
      const ticked = item.querySelector("input").checked;
      const show = ticked || words.every((word) => fold(item.dataset.name).includes(word));
      item.hidden = !show;
      if (!show) hidden += 1;
    }
    status.textContent = hidden === 0 ? "" : `${hidden} ${hidden === 1 ? "member does" : "members do"} not match “${filter.value}”.`;
  };
  filter.addEventListener("input", apply);
  filter.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
}
