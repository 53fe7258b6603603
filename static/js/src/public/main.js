// Entry point of static/dist/vigil-public.js: finds what this page needs and
// enhances it. Without this script (or without the crypto bundle) every form
// still works the plain way, and the server encrypts on arrival.

import { find, findAll } from "./dom.js";
import { enhanceFollowup } from "./followup.js";
import { enhanceReportForm } from "./report-form.js";
import { crypto } from "./vigil.js";

function start() {
  const V = crypto();
  if (!V) return; // no crypto, no enhancement: the plain form is the safe fallback
  // The stylesheet hides what is only true without the script (.nojs-only).
  document.documentElement.classList.add("js");
  const report = find(document, 'form[data-vigil-form="tip"], form[data-vigil-form="disclosure"]', HTMLFormElement);
  const followup = find(document, 'form[data-vigil-form="followup"]', HTMLFormElement);
  if (report) enhanceReportForm(report, V);
  if (followup) enhanceFollowup(followup, V);
  if (report || followup) {
    // The notice that the server will see the text is true only without us.
    for (const notice of findAll(document, "[data-nojs-notice]", HTMLElement)) notice.hidden = true;
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
