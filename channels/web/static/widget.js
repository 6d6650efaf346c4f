// Factory Mentor widget: <script src="https://<server>/widget.js" async></script> on any page
// adds a chat button that opens the same chat page in a frame. Options as data attributes on
// the script tag: data-label="상담하기", data-position="left". The frame loads hidden at once,
// so the button can show a badge when an earlier conversation holds an unread expert answer
// (the chat page reports only that count).
"use strict";
(() => {
  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const label = script.dataset.label || "스마트공장 상담";
  const side = script.dataset.position === "left" ? "left" : "right";
  if (document.getElementById("fm-widget-button")) return;

  const place = (node, styles) => Object.assign(node.style, { position: "fixed", zIndex: "2147483000", [side]: "16px" }, styles);

  const button = document.createElement("button");
  button.id = "fm-widget-button";
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  place(button, { bottom: "16px", padding: "10px 16px", border: "0", borderRadius: "999px", background: "#0b5cad",
    color: "#fff", font: "600 15px system-ui, sans-serif", boxShadow: "0 4px 14px rgba(0,0,0,.2)", cursor: "pointer" });

  const badge = document.createElement("span");
  badge.id = "fm-widget-badge";
  badge.hidden = true;
  badge.setAttribute("role", "status");
  place(badge, { bottom: "46px", [side]: "10px", zIndex: "2147483001", minWidth: "20px", padding: "2px 6px",
    borderRadius: "999px", background: "#d93025", color: "#fff", font: "700 12px system-ui, sans-serif",
    textAlign: "center", pointerEvents: "none" });

  // Browsers refuse storage to a third-party frame: the chat page hands what it must remember
  // (its owner id, the conversation, the answers already seen) to the widget, which keeps it
  // on this site and gives it back when the frame loads.
  const KEPT = ["fm.owner", "fm.seen", "fm.conversation", "fm.waiting"];
  const SLOT = "fm.widget";
  let kept = {};
  try { kept = JSON.parse(localStorage.getItem(SLOT) || "{}") || {}; } catch (_) { kept = {}; }

  const frame = document.createElement("iframe");
  frame.id = "fm-widget-frame";
  frame.title = "Factory Mentor 상담";
  frame.src = `${origin}/?embed=1#fm=${encodeURIComponent(JSON.stringify(kept))}`;
  frame.hidden = true;
  place(frame, { bottom: "72px", width: "min(400px, calc(100vw - 32px))", height: "min(640px, calc(100vh - 96px))",
    border: "1px solid #dde2ea", borderRadius: "14px", background: "#fff", boxShadow: "0 8px 30px rgba(0,0,0,.25)" });

  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    const data = event.data || {};
    if (data.type === "fm-store" && KEPT.includes(data.key)) {
      if (typeof data.value === "string") kept[data.key] = data.value;
      else delete kept[data.key];
      try { localStorage.setItem(SLOT, JSON.stringify(kept)); } catch (_) { /* this site refuses storage too */ }
      return;
    }
    if (data.type !== "fm-unread") return;
    const count = Math.max(0, Math.floor(Number(data.count) || 0));
    badge.textContent = count > 9 ? "9+" : String(count);
    badge.title = `새 전문가 답변이 있는 대화 ${count}개`;
    badge.setAttribute("aria-label", badge.title);
    badge.hidden = count === 0;
  });

  button.addEventListener("click", () => {
    frame.hidden = !frame.hidden;
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  const mount = () => document.body.append(frame, button, badge);
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
