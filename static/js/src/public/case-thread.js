// The case as it was reported and discussed: what the reporter sent, the
// later stages of a disclosure and the messages, each opened here under rk
// and shown as the page without scripts shows it (templates/public/case.html).

import { el } from "./dom.js";
import { attachmentList } from "./case-attachments.js";
import { confirmationButton } from "./confirmation.js";
import { hour } from "./case-status.js";
import { bodyLabel, t } from "./messages.js";

/** @import { FileLimits } from "./files.js" */
/** @import { VigilCrypto } from "./vigil.js" */

/**
 * @typedef {object} CaseAttachment
 * @property {number} id
 * @property {number} size the ciphertext's
 * @property {string} head the ciphertext's first bytes (base64): its header and sealed name, type and size
 * @property {string} author
 * @property {number | null} message the message it came with, if any
 * @property {number | null} part the later stage it came with, if any
 */

/**
 * @typedef {object} CasePart
 * @property {number} id
 * @property {string} kind "full_narrative" or "supplement"
 * @property {string} submitted_hour
 * @property {string} body the record, base64
 */

/**
 * @typedef {object} CaseMessage
 * @property {number} id
 * @property {string} author "reporter" or "investigator"
 * @property {string} created_hour
 * @property {string} record base64
 */

/**
 * The case as POST /api/case answers (reporting/public/api.py, `case_json`).
 * @typedef {object} CaseData
 * @property {string} reference
 * @property {string} intake_type
 * @property {string} status
 * @property {string} received_hour
 * @property {{ ack_due?: string | null, feedback_due?: string | null, narrative_due?: string | null }} [deadlines]
 * @property {string} reporter_wrap base64
 * @property {string} body the body record, base64
 * @property {CasePart[]} [parts]
 * @property {CaseMessage[]} [messages]
 * @property {CaseAttachment[]} [attachments]
 */

/**
 * The server's limits on what the case view offers and sends, as it renders
 * them on the follow-up form (templates/public/followup.html); 0 where it
 * does not say.
 * @typedef {object} CaseLimits
 * @property {FileLimits} files
 * @property {number} partBytes the most ciphertext to send in one request
 * @property {number} messageMax a message's length, in characters
 * @property {number} narrativeMax a later stage's narrative's length, in characters
 * @property {number} fileNameMax a downloaded file's name's length, in characters
 */

/**
 * What the case view's parts need: the crypto, the report key and the
 * lookup token (both dropped on "Close"), the CSRF token, and the server's limits.
 * @typedef {object} CaseContext
 * @property {VigilCrypto} V
 * @property {Uint8Array} rk
 * @property {string} token
 * @property {() => string} csrf
 * @property {CaseLimits} limits
 */

/**
 * The case with its records opened; null for one that could not be opened.
 * @typedef {object} OpenedCase
 * @property {CaseData} data
 * @property {{} | null} body
 * @property {Array<{ part: CasePart, body: {} | null }>} parts
 * @property {Array<{ message: CaseMessage, content: {} | null }>} messages
 * @property {boolean} hasNarrative
 */

// Members of a body that are about its form, not what was reported.
const NOT_SHOWN = new Set(["form", "format", "stage"]);

/**
 * A record opened under rk, or null: shown as "could not be opened", and the
 * rest of the case still shows.
 * @param {CaseContext} ctx
 * @param {number} kind
 * @param {string} record base64
 * @returns {{} | null}
 */
function openRecord(ctx, kind, record) {
  try {
    const value = ctx.V.openRecord(ctx.rk, kind, ctx.V.b64decode(record));
    return value === null || value === undefined ? null : value;
  } catch {
    return null;
  }
}

/**
 * @param {CaseContext} ctx
 * @param {CaseData} data
 * @returns {OpenedCase}
 */
export function openCase(ctx, data) {
  const { RecordKind } = ctx.V;
  const parts = (data.parts || []).map((part) => ({ part, body: openRecord(ctx, RecordKind.BODY, part.body) }));
  return {
    data,
    body: openRecord(ctx, RecordKind.BODY, data.body),
    parts,
    messages: (data.messages || []).map((message) => ({
      message,
      content: openRecord(ctx, RecordKind.MESSAGE, message.record),
    })),
    hasNarrative: parts.some(({ part }) => part.kind === "full_narrative"),
  };
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {unknown} the member `name` of an object, else undefined
 */
function member(value, name) {
  return typeof value === "object" && value !== null ? /** @type {Record<string, unknown>} */ (value)[name] : undefined;
}

/**
 * @param {CaseData} data
 * @param {(attachment: CaseAttachment) => boolean} predicate
 * @returns {CaseAttachment[]}
 */
function filesOf(data, predicate) {
  return (data.attachments || []).filter(predicate);
}

/**
 * @param {OpenedCase} opened
 * @param {CaseContext} ctx
 * @returns {HTMLElement}
 */
export function reportedSection({ data, body }, ctx) {
  return el(
    "section",
    { "aria-labelledby": "reported-heading" },
    el("h2", { id: "reported-heading", text: t("case.reported") }),
    body === null ? el("p", { text: t("case.unopened") }) : bodyList(body, data.intake_type),
    attachmentList(
      filesOf(data, (a) => a.message === null && a.part === null),
      ctx,
    ),
    data.intake_type === "disclosure" ? confirmationButton(ctx, null, t("case.confirmation_initial")) : null,
  );
}

/**
 * @param {OpenedCase} opened
 * @param {CaseContext} ctx
 * @returns {HTMLElement | null}
 */
export function partsSection({ data, parts }, ctx) {
  if (!parts.length) return null;
  return el(
    "section",
    { "aria-labelledby": "parts-heading" },
    el("h2", { id: "parts-heading", text: t("case.parts") }),
    ...parts.map(({ part, body }) =>
      el(
        "article",
        { class: "part" },
        el(
          "h3",
          {},
          t(part.kind === "full_narrative" ? "case.narrative" : "case.supplement"),
          ", ",
          hour(part.submitted_hour),
        ),
        body === null
          ? el("p", { text: t("case.unopened") })
          : el("p", { class: "text", text: String(member(body, "narrative") || "") }),
        attachmentList(
          filesOf(data, (a) => a.part === part.id),
          ctx,
        ),
        confirmationButton(ctx, part.id, t("case.confirmation_stage")),
      ),
    ),
  );
}

/**
 * @param {OpenedCase} opened
 * @param {CaseContext} ctx
 * @returns {HTMLElement}
 */
export function messagesSection({ data, messages }, ctx) {
  return el(
    "section",
    { "aria-labelledby": "messages-heading" },
    el("h2", { id: "messages-heading", text: t("case.messages") }),
    ...(messages.length
      ? messages.map(({ message, content }) => {
          const text = member(content, "text");
          return el(
            "article",
            { class: `message ${message.author}`, "data-message-id": message.id },
            el(
              "h3",
              {},
              t(message.author === "reporter" ? "case.you_wrote" : "case.investigator_wrote"),
              ", ",
              hour(message.created_hour),
            ),
            typeof text !== "string"
              ? el("p", { text: t("case.message_unopened") })
              : el("p", { class: "text", text }),
            attachmentList(
              filesOf(data, (a) => a.message === message.id),
              ctx,
            ),
          );
        })
      : [el("p", { text: t("followup.no_messages") })]),
  );
}

// As the page without scripts shows a body: label, then the value as text.
/**
 * @param {{}} body
 * @param {string} intakeType
 * @returns {HTMLElement}
 */
function bodyList(body, intakeType) {
  /** @type {HTMLElement[]} */
  const items = [];
  for (const [name, value] of Object.entries(body)) {
    if (NOT_SHOWN.has(name) || !value || (Array.isArray(value) && !value.length)) continue;
    items.push(el("dt", { text: bodyLabel(intakeType, name) }), el("dd", {}, bodyValue(value)));
  }
  return el("dl", { class: "report-body" }, ...items);
}

/**
 * @param {unknown} value a body member's value
 * @returns {Node | string}
 */
function bodyValue(value) {
  if (value === true) return t("case.yes");
  if (typeof value === "string") return el("span", { class: "text", text: value });
  if (Array.isArray(value)) {
    return el(
      "ul",
      {},
      ...value.map((item) =>
        el("li", {
          text:
            item && typeof item === "object" ? Object.values(item).filter(Boolean).map(String).join(" · ") : String(item),
        }),
      ),
    );
  }
  return el("span", { class: "text", text: JSON.stringify(value) });
}
