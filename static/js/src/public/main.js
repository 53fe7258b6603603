// Entry point of static/dist/vigil-public.js: finds what this page needs and
// enhances it. Without this script (or without the crypto bundle) every form
// still works the plain way, and the server encrypts on arrival.

import { enhanceFollowup } from "./followup.js";
import { enhanceReportForm } from "./report-form.js";
import { crypto } from "./vigil.js";

function start() {
  const V = crypto();
  if (!V) return; // no crypto, no enhancement: the plain form is the safe fallback
  document.documentElement.classList.add("js");
  for (const form of document.querySelectorAll("form[data-vigil-form]")) {
    const kind = form.dataset.vigilForm;
    if (kind === "tip" || kind === "disclosure") enhanceReportForm(form, V);
    else if (kind === "followup") enhanceFollowup(form, V);
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
