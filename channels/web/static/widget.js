// Factory Mentor widget: <script src="https://<server>/widget.js" async></script> on any page
// adds a chat button that opens the same chat page in a frame. Options as data attributes on
// the script tag: data-label="상담하기", data-position="left".
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

  let frame = null;
  button.addEventListener("click", () => {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "fm-widget-frame";
      frame.title = "Factory Mentor 상담";
      frame.src = origin + "/?embed=1";
      place(frame, { bottom: "72px", width: "min(400px, calc(100vw - 32px))", height: "min(640px, calc(100vh - 96px))",
        border: "1px solid #dde2ea", borderRadius: "14px", background: "#fff", boxShadow: "0 8px 30px rgba(0,0,0,.25)" });
      document.body.append(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  if (document.body) document.body.append(button);
  else document.addEventListener("DOMContentLoaded", () => document.body.append(button));
})();
