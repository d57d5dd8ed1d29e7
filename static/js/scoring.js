// The scoring page: running total, override reasons, evidence, audio seek, keyboard shortcuts.
// The score is computed with the server's rule (scoring/services/evaluations.py), in exact
// integer arithmetic so the total shown here is the total the server will store.
(function (root) {
  "use strict";

  // --- The score (pure; also run by the tests under node) ---------------------------------
  function cents(value) {
    const text = String(value == null ? "0" : value).trim();
    const [whole, frac = ""] = text.split(".");
    return BigInt(whole || "0") * 100n + BigInt((frac + "00").slice(0, 2) || "0");
  }
  function gcd(a, b) {
    while (b) { [a, b] = [b, a % b]; }
    return a;
  }
  function formatHundredths(h) {
    const whole = h / 100n;
    const frac = (h % 100n).toString().padStart(2, "0");
    return whole.toString() + "." + frac;
  }
  // items: [{code, kind: "yes_no"|"scale", weight: "2.00", min, max, critical}]
  // answers: {code: {value: int|null, na: bool}}; passMark: "80.00"
  function score(items, answers, passMark) {
    let lcm = 1n;
    for (const item of items) {
      if (item.kind === "scale") {
        const span = BigInt(item.max - item.min);
        lcm = (lcm * span) / gcd(lcm, span);
      }
    }
    let points = 0n, possible = 0n, critical = false;
    const perItem = {};
    for (const item of items) {
      const answer = answers[item.code] || {};
      if (answer.na || answer.value === null || answer.value === undefined || answer.value === "") {
        perItem[item.code] = null;
        continue;
      }
      const value = Number(answer.value);
      const weight = cents(item.weight);
      let itemPoints, failed;
      if (item.kind === "scale") {
        const span = BigInt(item.max - item.min);
        itemPoints = weight * BigInt(value - item.min) * (lcm / span);
        failed = item.critical && value <= item.min;
      } else {
        itemPoints = value ? weight * lcm : 0n;
        failed = item.critical && !value;
      }
      points += itemPoints;
      possible += weight * lcm;
      critical = critical || failed;
      perItem[item.code] = {
        points: Number(itemPoints) / Number(lcm) / 100,
        possible: Number(weight) / 100,
        failed: failed,
      };
    }
    let hundredths = null;
    if (possible === 0n) {
      hundredths = critical ? 0n : null;
    } else if (critical) {
      hundredths = 0n;
    } else {
      // round half up of 10000 × points ÷ possible
      hundredths = (20000n * points + possible) / (2n * possible);
    }
    const result = {
      score: hundredths === null ? null : formatHundredths(hundredths),
      critical_failed: critical,
      passed: hundredths === null ? null : !critical && hundredths >= cents(passMark),
      items: perItem,
    };
    return result;
  }

  const api = { score: score };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
    return;
  }
  root.QAScoring = api;

  // --- The page --------------------------------------------------------------------------
  function init() {
    const form = document.querySelector("form[data-scoring]");
    if (!form) return;
    const editable = form.dataset.editable === "1";
    const items = Array.from(form.querySelectorAll("[data-item]"));
    const totalEl = form.querySelector("[data-total]");
    const criticalBadge = form.querySelector("[data-critical-badge]");
    const passBadge = form.querySelector("[data-pass-badge]");
    const failBadge = form.querySelector("[data-fail-badge]");
    const answeredEl = form.querySelector("[data-answered]");
    const transcript = document.querySelector("[data-transcript]");
    const audio = document.querySelector("[data-audio]");
    const help = document.getElementById("shortcut-help");
    let current = -1;
    let dirty = false;

    function spec(el) {
      return {
        code: el.dataset.code, kind: el.dataset.kind, weight: el.dataset.weight,
        min: Number(el.dataset.min), max: Number(el.dataset.max),
        critical: el.dataset.critical === "1",
      };
    }
    function currentValue(el) {
      const checked = el.querySelector("input[type=radio]:checked");
      return checked ? checked.value : "";
    }
    function answerOf(el) {
      const v = currentValue(el);
      if (v === "na") return { value: null, na: true };
      if (v === "") return { value: null, na: false };
      return { value: Number(v), na: false };
    }
    const specs = items.map(spec);

    function recompute() {
      const answers = {};
      let answered = 0;
      items.forEach((el) => {
        const a = answerOf(el);
        answers[el.dataset.code] = a;
        if (a.na || a.value !== null) answered += 1;
        el.classList.toggle("sc-answered", a.na || a.value !== null);
        // An automatic item changed by hand needs a reason.
        const auto = el.dataset.auto;
        const reason = el.querySelector("[data-reason]");
        if (reason) {
          const override = auto !== "" && currentValue(el) !== auto;
          reason.hidden = !override;
          const box = reason.querySelector("textarea");
          if (box) box.required = override;
          el.classList.toggle("sc-overridden", override);
        }
      });
      const result = score(specs, answers, form.dataset.passMark);
      totalEl.textContent = result.score === null ? "—" : result.score;
      criticalBadge.hidden = !result.critical_failed;
      passBadge.hidden = result.passed !== true;
      failBadge.hidden = result.passed !== false;
      items.forEach((el) => {
        const r = result.items[el.dataset.code];
        const out = el.querySelector("[data-points]");
        if (out) out.textContent = r ? `${+r.points.toFixed(2)} / ${+r.possible.toFixed(2)}` : "";
        el.classList.toggle("sc-failed", !!(r && r.failed));
      });
      if (answeredEl) answeredEl.textContent = `${answered} / ${items.length}`;
      form.dataset.score = result.score === null ? "" : result.score;
    }

    // Evidence: item → its marks in the transcript.
    function marksFor(el) {
      const rule = el.dataset.rule;
      if (!rule || !transcript) return [];
      return Array.from(transcript.querySelectorAll("mark.ev")).filter((m) =>
        (m.dataset.rules || "").split(" ").includes(rule));
    }
    function showEvidence(el, flash) {
      const marks = marksFor(el);
      if (!marks.length) return false;
      marks[0].scrollIntoView({ behavior: "smooth", block: "center" });
      if (flash) {
        marks.forEach((m) => {
          m.classList.remove("flash");
          void m.offsetWidth; // restart the animation
          m.classList.add("flash");
        });
      }
      return true;
    }

    function setCurrent(index, opts) {
      if (!items.length) return;
      index = Math.max(0, Math.min(items.length - 1, index));
      items.forEach((el, i) => el.classList.toggle("sc-current", i === index));
      current = index;
      const el = items[index];
      if (!opts || opts.scroll !== false) el.scrollIntoView({ behavior: "smooth", block: "nearest" });
      if (opts && opts.focus) el.focus({ preventScroll: true });
      showEvidence(el, false);
    }

    function choose(el, value) {
      const input = el.querySelector(`input[type=radio][value="${value}"]`);
      if (!input || input.disabled) return false;
      input.checked = true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    }

    form.addEventListener("change", () => { dirty = true; recompute(); });
    form.addEventListener("input", (e) => {
      if (e.target.tagName !== "TEXTAREA") return;
      dirty = true;
      const item = e.target.closest("[data-item]");
      if (item && e.target.value.trim()) item.classList.remove("sc-error");
    });
    form.addEventListener("submit", (e) => {
      // Reasons first: point at the first automatic item changed without one.
      const submitter = e.submitter;
      const missing = items.find((el) => {
        const box = el.querySelector("[data-reason] textarea");
        return box && box.required && !box.value.trim();
      });
      if (missing && editable) {
        e.preventDefault();
        setCurrent(items.indexOf(missing));
        const box = missing.querySelector("[data-reason] textarea");
        box.focus();
        missing.classList.add("sc-error");
        return;
      }
      dirty = false;
      if (submitter) submitter.disabled = false;
    });
    window.addEventListener("beforeunload", (e) => {
      if (dirty && editable) { e.preventDefault(); e.returnValue = ""; }
    });

    items.forEach((el, i) => {
      el.addEventListener("click", (e) => {
        setCurrent(i, { scroll: false });
        if (e.target.closest("[data-show-evidence]")) {
          if (!showEvidence(el, true)) el.classList.add("no-evidence");
        }
      });
      el.addEventListener("focusin", () => {
        if (current !== i) setCurrent(i, { scroll: false });
      });
    });

    // Transcript: clicking a turn seeks the recording; clicking evidence selects its item.
    if (transcript) {
      transcript.addEventListener("click", (e) => {
        const mark = e.target.closest("mark.ev");
        if (mark) {
          const rules = (mark.dataset.rules || "").split(" ");
          const index = items.findIndex((el) => rules.includes(el.dataset.rule));
          if (index >= 0) setCurrent(index);
        }
        const turn = e.target.closest("[data-turn]");
        if (audio && turn && turn.dataset.start) {
          audio.currentTime = Number(turn.dataset.start);
          audio.play().catch(() => {});
          transcript.querySelectorAll(".turn.playing").forEach((t) => t.classList.remove("playing"));
          turn.classList.add("playing");
        }
      });
    }

    function toggleHelp() {
      if (!help) return;
      if (help.open) help.close(); else if (help.showModal) help.showModal(); else help.setAttribute("open", "");
    }
    document.querySelectorAll("[data-help-open]").forEach((b) => b.addEventListener("click", toggleHelp));

    document.addEventListener("keydown", (e) => {
      if (!editable || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target;
      if (t && (t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
                (t.tagName === "INPUT" && !["radio", "checkbox"].includes(t.type)))) {
        if (e.key === "Escape") t.blur();
        return;
      }
      if (help && help.open && e.key !== "?") return;
      const el = items[current];
      let handled = true;
      switch (e.key) {
        case "j": case "ArrowDown": setCurrent(current + 1, { focus: true }); break;
        case "k": case "ArrowUp": setCurrent(current < 0 ? 0 : current - 1, { focus: true }); break;
        case "y": handled = !!el && choose(el, el.dataset.kind === "scale" ? el.dataset.max : "1"); break;
        case "n": handled = !!el && choose(el, el.dataset.kind === "scale" ? el.dataset.min : "0"); break;
        case "a": handled = !!el && choose(el, "na"); break;
        case "e": handled = !!el && showEvidence(el, true); break;
        case "s": form.querySelector("[data-save]").click(); break;
        case "?": toggleHelp(); break;
        default:
          if (/^[0-9]$/.test(e.key) && el) {
            const v = Number(e.key);
            handled = el.dataset.kind === "scale"
              ? choose(el, String(v))
              : (v <= 1 && choose(el, String(v)));
          } else {
            handled = false;
          }
      }
      if (handled) e.preventDefault();
      // After answering, move on to the next item: scoring a call is a run of keystrokes.
      if (handled && (["y", "n", "a"].includes(e.key) || /^[0-9]$/.test(e.key))) {
        const reason = el && el.querySelector("[data-reason]");
        if (reason && !reason.hidden) {
          reason.querySelector("textarea").focus();
        } else if (current < items.length - 1) {
          setCurrent(current + 1, { focus: true });
        }
      }
    });

    recompute();
    if (editable && items.length) setCurrent(0, { scroll: false });
    document.body.dataset.scoringReady = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})(typeof window !== "undefined" ? window : globalThis);
