// The owners' chat page: ask, watch the answer stream in, open sources, rate, ask a person.
// Every text from the user, the bot or an expert is inserted as text (never as HTML).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const messages = $("messages");
  const form = $("ask");
  const input = $("message");
  const sendButton = $("send");
  // in the widget's frame on another site (the host page's button shows a badge from it)
  const EMBEDDED = new URLSearchParams(location.search).has("embed") && window.parent !== window;
  const BRIDGED = ["fm.owner", "fm.seen", "fm.conversation", "fm.waiting"];
  const store = storage();
  const OWNER = ownerId();
  let conversationId = store.getItem("fm.conversation");
  let turnCount = 0; // turns of the conversation already on the page (the events stream starts after them)
  let listening = false;
  const expertShown = new Set();

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child); // strings become text nodes
    return node;
  }

  // localStorage, or memory where the browser refuses it (third-party frames): the chat still works.
  // In the widget's frame the memory is kept by the widget on the host site (it hands it back in
  // the address's #fm= part), so a returning owner keeps their conversations and unread badges.
  function storage() {
    try {
      localStorage.setItem("fm.probe", "1");
      localStorage.removeItem("fm.probe");
      return localStorage;
    } catch (_) {
      const memory = new Map(EMBEDDED ? handedBack() : []);
      const keep = (k, v) => { if (EMBEDDED && BRIDGED.includes(k)) window.parent.postMessage({ type: "fm-store", key: k, value: v }, "*"); };
      return { getItem: (k) => (memory.has(k) ? memory.get(k) : null),
        setItem: (k, v) => { memory.set(k, String(v)); keep(k, String(v)); },
        removeItem: (k) => { memory.delete(k); keep(k, null); } };
    }
  }

  function handedBack() {
    try {
      const saved = JSON.parse(decodeURIComponent(new URLSearchParams(location.hash.slice(1)).get("fm") || "{}"));
      const entries = Object.entries(saved).filter(([k, v]) => BRIDGED.includes(k) && typeof v === "string");
      return entries.filter(([k, v]) => k !== "fm.owner" || /^o-[0-9a-f]{32}$/.test(v));
    } catch (_) { return []; }
  }

  function ownerId() {
    let id = store.getItem("fm.owner");
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = "o-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      store.setItem("fm.owner", id);
    }
    return id;
  }

  async function api(path, { method = "GET", body, accept } = {}) {
    const headers = { "X-Owner-Id": OWNER };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (accept) headers.Accept = accept;
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.ok) return res;
    let message = "요청을 처리하지 못했습니다. 잠시 후 다시 시도해 주세요.";
    try { message = (await res.json()).error.message || message; } catch (_) { /* not JSON */ }
    const error = new Error(message);
    error.status = res.status;
    throw error;
  }

  // Server-sent events over fetch (EventSource cannot POST or send headers).
  async function readEvents(res, onEvent) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data) onEvent(event, JSON.parse(data));
      }
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const scrollDown = () => { messages.scrollTop = messages.scrollHeight; };
  const LABELS = { user: "나", assistant: "Factory Mentor (자동 답변)", expert: "전문가 답변 · 사람이 직접 작성" };

  function addTurn(role, text) {
    const body = el("p", { class: "text" }, text);
    const node = el("article", { class: `turn ${role}` }, el("div", { class: "who" }, LABELS[role] || role), body);
    messages.append(node);
    scrollDown();
    return { node, body };
  }

  function note(node, text, kind = "note") {
    node.append(el("p", { class: kind }, text));
    scrollDown();
  }

  function openSource(c) {
    $("source-title").textContent = `[${c.n}] ${c.title}`;
    $("source-meta").textContent = c.source + (c.page ? ` · ${c.page}쪽` : "");
    $("source-snippet").textContent = c.snippet;
    $("source-dialog").showModal();
  }

  function citationChips(citations) {
    if (!citations || !citations.length) return null;
    return el("div", { class: "citations" }, el("span", { class: "label" }, "출처"),
      ...citations.map((c) => el("button", { type: "button", class: "chip", title: c.title, onclick: () => openSource(c) },
        `[${c.n}] ${c.title}${c.page ? ` (${c.page}쪽)` : ""}`)));
  }

  function feedbackBar(cid, messageId) {
    const up = el("button", { type: "button", class: "thumb up", "aria-pressed": "false" }, "도움 됐어요");
    const down = el("button", { type: "button", class: "thumb down", "aria-pressed": "false" }, "아쉬워요");
    const comment = el("input", { name: "comment", maxlength: 1000, placeholder: "어떤 점이 아쉬웠나요? (선택)" });
    const commentForm = el("form", { class: "comment", hidden: true }, comment, el("button", { type: "submit" }, "의견 보내기"));
    const bar = el("div", { class: "feedback" }, up, down);
    const vote = async (rating, text) => {
      try {
        await api(`/v1/conversations/${cid}/messages/${messageId}/feedback`, { method: "POST", body: { rating, comment: text || null } });
        up.setAttribute("aria-pressed", String(rating === "up"));
        down.setAttribute("aria-pressed", String(rating === "down"));
        return true;
      } catch (err) { note(bar, err.message, "error"); return false; }
    };
    up.addEventListener("click", async () => { commentForm.hidden = true; await vote("up"); });
    down.addEventListener("click", async () => { if (await vote("down")) { commentForm.hidden = false; comment.focus(); } });
    commentForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await vote("down", comment.value.trim())) { commentForm.replaceWith(el("p", { class: "note" }, "의견 고맙습니다.")); }
    });
    return el("div", { class: "actions" }, bar, commentForm);
  }

  function expertButton(cid) {
    const button = el("button", { type: "button", class: "expert-request" }, "전문가에게 물어보기");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const res = await api(`/v1/conversations/${cid}/expert`, { method: "POST", body: {} });
        const data = await res.json();
        note(button.parentElement, data.message);
        waitForExpert();
      } catch (err) { button.disabled = false; note(button.parentElement, err.message, "error"); }
    });
    return button;
  }

  function finishAnswer(turn, answer, live = true) {
    turn.body.textContent = answer.answer;
    turn.node.dataset.decision = answer.decision;
    if (answer.message_id) turn.node.dataset.messageId = answer.message_id;
    const chips = citationChips(answer.citations);
    if (chips) turn.node.append(chips);
    if (answer.decision === "offer_expert") note(turn.node, "근거가 충분하지 않은 답변일 수 있습니다. 전문가에게 물어보시겠어요?");
    if (answer.decision === "escalate") {
      note(turn.node, "전문가에게 전달했습니다. 답변이 오면 이 대화에 바로 표시됩니다.");
      if (live) waitForExpert();
    }
    if (answer.offer_ask_bot && live) turn.node.append(askBotButton());
    if (answer.message_id && answer.decision !== "declined") {
      const actions = feedbackBar(conversationId, answer.message_id);
      if (answer.decision !== "escalate") actions.append(expertButton(conversationId));
      turn.node.append(actions);
    }
    scrollDown();
  }

  // the expert holds the question: the owner may still ask the bot (it answers their last message)
  function askBotButton() {
    const button = el("button", { type: "button", class: "ask-bot" }, "봇에게 묻기");
    button.addEventListener("click", () => { button.disabled = true; ask("봇에게 묻기", true); });
    return el("div", { class: "actions" }, button);
  }

  async function ask(text, askBot = false) {
    addTurn("user", text);
    const turn = addTurn("assistant", "");
    turn.node.classList.add("streaming");
    sendButton.disabled = true;
    try {
      const res = await api("/v1/chat", { method: "POST", accept: "text/event-stream",
        body: { message: text, conversation_id: conversationId, ask_bot: askBot } });
      let final = null;
      await readEvents(res, (event, data) => {
        if (event === "text") { turn.body.textContent += data.text; scrollDown(); }
        else if (event === "final") final = data;
        else if (event === "error") throw new Error(data.error.message);
      });
      if (!final) throw new Error("답변이 중간에 끊겼습니다. 다시 시도해 주세요.");
      conversationId = final.conversation_id;
      store.setItem("fm.conversation", conversationId);
      turnCount += 2;
      finishAnswer(turn, final);
      loadHistory();
    } catch (err) {
      turn.node.classList.add("failed");
      turn.body.textContent = err.message;
    } finally {
      turn.node.classList.remove("streaming");
      sendButton.disabled = false;
    }
  }

  function showExpert(turn) {
    const shown = addTurn("expert", turn.text);
    const chips = citationChips(turn.citations);
    if (chips) shown.node.append(chips);
  }

  // how many expert answers the page has shown per conversation: more on the server = a badge
  const seenCounts = () => { try { return JSON.parse(store.getItem("fm.seen") || "{}"); } catch (_) { return {}; } };
  function markSeen(cid, count) {
    const seen = seenCounts();
    if (cid && (seen[cid] || 0) < count) { seen[cid] = count; store.setItem("fm.seen", JSON.stringify(seen)); }
  }

  async function loadHistory() {
    let items;
    try { items = await (await api("/v1/conversations?limit=20")).json(); } catch (_) { return; }
    const seen = seenCounts();
    const fresh = (c) => c.expert_answers > (seen[c.conversation_id] || 0);
    const badge = $("history-badge");
    const unread = items.filter(fresh).length;
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
    tellWidget(unread);
    $("history-list").replaceChildren(...items.map((c) => el("li", {}, el("button", {
      type: "button", class: "conversation" + (c.conversation_id === conversationId ? " current" : ""),
      "data-conversation": c.conversation_id, onclick: () => openConversation(c.conversation_id),
    }, c.title || "(질문 없음)", fresh(c) ? el("span", { class: "badge new" }, "전문가 답변")
      : c.waiting_expert ? el("span", { class: "badge" }, "답변 대기") : null))));
  }

  // in the widget's frame: the host page's button shows how many conversations hold an unread
  // expert answer
  function tellWidget(unread) {
    if (EMBEDDED) window.parent.postMessage({ type: "fm-unread", count: unread }, "*");
  }

  async function openConversation(cid) {
    conversationId = cid;
    store.setItem("fm.conversation", cid);
    turnCount = 0;
    expertShown.clear();
    for (const node of messages.querySelectorAll(".turn:not(.intro)")) node.remove();
    $("history-panel").hidden = true;
    $("history").setAttribute("aria-expanded", "false");
    await restore();
    loadHistory();
  }

  function onTurn(turn) {
    turnCount = Math.max(turnCount, turn.index + 1);
    if (turn.role !== "expert" || expertShown.has(turn.index)) return;
    expertShown.add(turn.index);
    markSeen(conversationId, expertShown.size);
    showExpert(turn);
    store.removeItem("fm.waiting");
  }

  // Hold an events stream open (it ends every ~25 s; reconnect) until an expert's answer arrives.
  async function waitForExpert() {
    const cid = conversationId;
    store.setItem("fm.waiting", cid);
    if (listening) return;
    listening = true;
    while (cid === conversationId && store.getItem("fm.waiting") === cid) {
      try {
        const res = await api(`/v1/conversations/${cid}/events?after=${turnCount}&wait=25`, { accept: "text/event-stream" });
        await readEvents(res, (event, turn) => { if (event === "turn" && cid === conversationId) onTurn(turn); });
      } catch (err) {
        if (err.status === 403 || err.status === 404) break;
        await sleep(3000);
      }
    }
    listening = false;
  }

  async function restore() {
    if (!conversationId) return;
    try {
      const data = await (await api(`/v1/conversations/${conversationId}`)).json();
      for (const turn of data.turns) {
        if (turn.role === "assistant") finishAnswer(addTurn("assistant", ""), { ...turn, answer: turn.text, decision: turn.decision || "answered" }, false);
        else if (turn.role === "expert") { expertShown.add(turn.index); showExpert(turn); }
        else addTurn(turn.role, turn.text);
      }
      turnCount = data.turns.length;
      markSeen(conversationId, expertShown.size);
      if (store.getItem("fm.waiting") === conversationId) waitForExpert();
    } catch (_) {
      conversationId = null;
      store.removeItem("fm.conversation");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || sendButton.disabled) return;
    input.value = "";
    ask(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
  });
  for (const example of document.querySelectorAll(".example")) {
    example.addEventListener("click", () => { input.value = example.textContent; form.requestSubmit(); });
  }
  $("new-chat").addEventListener("click", () => {
    conversationId = null;
    turnCount = 0;
    store.removeItem("fm.conversation");
    store.removeItem("fm.waiting");
    for (const node of messages.querySelectorAll(".turn:not(.intro)")) node.remove();
    expertShown.clear();
    loadHistory();
    input.focus();
  });
  $("history").addEventListener("click", () => {
    const panel = $("history-panel");
    panel.hidden = !panel.hidden;
    $("history").setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) loadHistory();
  });
  if (new URLSearchParams(location.search).has("embed")) document.body.classList.add("embed");
  restore().then(loadHistory).finally(() => { document.body.dataset.ready = "true"; });
  if (EMBEDDED) setInterval(loadHistory, 60_000); // the widget's badge follows answers that come later
})();
