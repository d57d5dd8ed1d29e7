// The rule form beside the JSON box on the rule library's edit page: pick a rule (or a new
// one), edit its fields, see the engine's problems as you type (the validate API, the same
// check as "Check"), then write it into the JSON. No inline script; strings come from data-*.
document.addEventListener("DOMContentLoaded", () => {
  const card = document.querySelector("[data-rule-form]");
  const box = document.getElementById("id_definition");
  if (!card || !box) return;
  card.hidden = false;
  const msg = (name) => card.dataset["msg" + name] || "";
  const pick = card.querySelector("[data-rf-pick]");
  const problems = card.querySelector("[data-rf-problems]");
  const fields = Array.from(card.querySelectorAll("[data-rf]"));
  const csrf = document.querySelector("#library-edit-form [name=csrfmiddlewaretoken]");
  let library = null;
  let original = null; // the picked rule as it was, so the form only changes what it shows
  let timer = null;
  let asked = 0; // the latest check: an older answer arriving late is dropped

  const readLibrary = () => {
    try {
      const data = JSON.parse(box.value);
      if (data && typeof data === "object" && Array.isArray(data.rules)) return data;
    } catch (e) {
      /* shown below */
    }
    return null;
  };
  const getPath = (obj, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);
  const setPath = (obj, path, value) => {
    const keys = path.split(".");
    let o = obj;
    keys.slice(0, -1).forEach((k) => {
      if (typeof o[k] !== "object" || o[k] === null) o[k] = {};
      o = o[k];
    });
    const last = keys[keys.length - 1];
    if (value === undefined) delete o[last];
    else o[last] = value;
  };

  const fillPick = () => {
    library = readLibrary();
    const chosen = pick.value;
    pick.replaceChildren();
    const fresh = new Option(msg("New"), "");
    pick.append(fresh);
    (library ? library.rules : []).forEach((rule, index) => {
      if (rule && typeof rule === "object") {
        pick.append(new Option(`${rule.code || "?"} · ${rule.title || ""}`, String(index)));
      }
    });
    pick.value = chosen && pick.querySelector(`option[value="${chosen}"]`) ? chosen : "";
  };

  const showKind = () => {
    const kind = card.querySelector('[data-rf="kind"]').value;
    card.querySelectorAll("[data-kinds]").forEach((row) => {
      row.hidden = !row.dataset.kinds.split(" ").includes(kind);
    });
  };

  const load = () => {
    const index = pick.value;
    original = index === "" || !library ? { kind: "required", speaker: "agent" } : library.rules[+index];
    fields.forEach((el) => {
      const value = getPath(original, el.dataset.rf);
      if ("bool" in el.dataset) el.checked = Boolean(value);
      else if ("list" in el.dataset) el.value = Array.isArray(value) ? value.join("\n") : "";
      else el.value = value == null ? "" : String(value);
    });
    showKind();
    check();
  };

  const rule = () => {
    const out = JSON.parse(JSON.stringify(original || {}));
    fields.forEach((el) => {
      const row = el.closest("[data-kinds]");
      const path = el.dataset.rf;
      let value;
      if (row && row.hidden) value = undefined; // a field of another kind: not part of this rule
      else if ("bool" in el.dataset) value = el.checked ? ("asInt" in el.dataset ? 1 : true) : undefined;
      else if ("list" in el.dataset) {
        const items = el.value.split("\n").map((s) => s.trim()).filter(Boolean);
        value = items.length ? items : undefined;
      } else if ("number" in el.dataset) value = el.value === "" ? undefined : Number(el.value);
      else value = el.value.trim() === "" ? undefined : el.value.trim();
      setPath(out, path, value);
    });
    ["when", "then"].forEach((k) => {
      if (out[k] && typeof out[k] === "object" && !Array.isArray(out[k]) && !Object.keys(out[k]).length) delete out[k];
    });
    return out;
  };

  const candidate = () => {
    const data = readLibrary();
    if (!data) return null;
    const index = pick.value === "" ? data.rules.length : +pick.value;
    data.rules[index] = rule();
    return { data, index };
  };

  const show = (items) => {
    problems.replaceChildren();
    items.forEach(([level, text]) => {
      const li = document.createElement("li");
      li.className = level;
      li.textContent = text;
      problems.append(li);
    });
  };

  const check = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const built = candidate();
      if (!built) {
        show([["error", msg("BadJson")]]);
        return;
      }
      show([["muted", msg("Checking")]]);
      const mine = ++asked;
      try {
        const response = await fetch(card.dataset.validateUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
          body: JSON.stringify({ definition: built.data }),
        });
        const answer = await response.json();
        if (mine !== asked) return;
        const found = (answer.problems || []).filter(
          (p) => p.index === built.index || (p.index == null && p.level === "error")
        );
        show(found.length ? found.map((p) => [p.level, (p.field ? p.field + ": " : "") + p.message]) : [["ok", msg("Ok")]]);
      } catch (e) {
        if (mine === asked) show([["error", msg("Unreachable")]]);
      }
    }, 300);
  };

  card.addEventListener("input", (event) => {
    if (event.target === pick) return;
    if (event.target.dataset.rf === "kind") showKind();
    check();
  });
  card.addEventListener("change", (event) => {
    if (event.target === pick) load();
    else if (event.target.dataset.rf === "kind") {
      showKind();
      check();
    }
  });
  card.querySelector("[data-rf-apply]").addEventListener("click", () => {
    const built = candidate();
    if (!built) {
      show([["error", msg("BadJson")]]);
      return;
    }
    box.value = JSON.stringify(built.data, null, 2);
    fillPick();
    pick.value = String(built.index);
    original = built.data.rules[built.index];
    show([["ok", msg("Applied")]]);
  });
  box.addEventListener("change", fillPick);
  fillPick();
  load();
});
