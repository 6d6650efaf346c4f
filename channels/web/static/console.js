// Staff console: experts answer tickets, mentors draft answers and review expert notes.
// The token stays in sessionStorage (this tab only); all text is inserted as text, never HTML.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const STATUS = { open: "대기", claimed: "처리중", answered: "답변완료", reopened: "재문의", closed: "종결" };
  const ROLE = { expert: "전문가", mentor: "멘토", admin: "관리자", evaluator: "평가자", owner: "사용자" };
  const WHO = { user: "질문자", assistant: "봇", expert: "전문가" };
  let token = sessionStorage.getItem("fm.staffToken");
  let ticket = null; // the ticket open in the detail view
  let attached = []; // passages the expert found with the knowledge search and attached
  let draftSources = [];

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  async function api(path, { method = "GET", body } = {}) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await res.json(); } catch (_) { /* empty body */ }
    if (res.ok) return data;
    const error = new Error((data && data.error && data.error.message) || "요청을 처리하지 못했습니다.");
    error.status = res.status;
    if (res.status === 401) signOut(error.message);
    throw error;
  }

  const say = (id, text, kind = "") => { $(id).textContent = text; $(id).className = `status ${kind}`; };
  const when = (iso) => (iso ? new Date(iso).toLocaleString("ko-KR", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }) : "");
  const short = (text, n) => (text.length > n ? text.slice(0, n) + "…" : text);
  const waiting = (t) => ["open", "claimed", "reopened"].includes(t.status);

  function left(t) {
    const minutes = Math.round((new Date(t.due_at) - Date.now()) / 60000);
    const size = Math.abs(minutes) >= 60 ? `${Math.round(Math.abs(minutes) / 60)}시간` : `${Math.abs(minutes)}분`;
    return minutes < 0 ? `${size} 초과` : `${size} 남음`;
  }

  // -- sign in and tabs ------------------------------------------------------------------
  async function signIn() {
    try {
      const me = await api("/v1/staff/me");
      sessionStorage.setItem("fm.staffToken", token);
      $("signin").hidden = true;
      $("who").hidden = false;
      $("who-name").textContent = `${me.name} (${ROLE[me.role] || me.role})`;
      const tabs = [...document.querySelectorAll("[data-tab]")];
      for (const tab of tabs) tab.hidden = !tab.dataset.roles.split(" ").includes(me.role);
      $("tabs").hidden = false;
      const first = tabs.find((tab) => !tab.hidden);
      if (first) showTab(first.dataset.tab);
    } catch (err) {
      if (err.status !== 401) say("signin-status", err.message, "bad");
    }
  }

  function signOut(message = "") {
    token = null;
    sessionStorage.removeItem("fm.staffToken");
    for (const section of document.querySelectorAll(".tab")) section.hidden = true;
    $("tabs").hidden = true;
    $("who").hidden = true;
    $("signin").hidden = false;
    say("signin-status", message, "bad");
  }

  function showTab(name) {
    for (const tab of document.querySelectorAll("[data-tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
    for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== `tab-${name}`;
    if (name === "tickets") loadTickets();
    if (name === "notes") loadNotes();
  }

  // -- tickets ---------------------------------------------------------------------------
  async function loadTickets() {
    const form = new FormData($("ticket-filters"));
    const query = new URLSearchParams();
    if (form.get("status")) query.set("status", form.get("status"));
    if (form.get("topic").trim()) query.set("topic", form.get("topic").trim());
    if (form.get("overdue")) query.set("overdue", "true");
    const tickets = await api(`/v1/staff/tickets?${query}`);
    $("ticket-rows").replaceChildren(...tickets.map(ticketRow));
    $("tickets-empty").hidden = tickets.length > 0;
  }

  function ticketRow(t) {
    const due = el("td", { class: "due" }, when(t.due_at), " ",
      t.overdue ? el("span", { class: "badge overdue" }, "기한 초과") : null,
      waiting(t) && !t.overdue ? el("span", { class: "status" }, left(t)) : null);
    return el("tr", { class: t.overdue ? "ticket overdue" : "ticket", "data-ticket-id": t.id, onclick: () => openTicket(t.id) },
      el("td", {}, el("span", { class: "badge" }, STATUS[t.status] || t.status)), el("td", {}, t.topic),
      el("td", {}, short(t.question, 80)), el("td", {}, t.channel), due, el("td", {}, t.assignee || "—"));
  }

  async function openTicket(id) {
    showTicket(await api(`/v1/staff/tickets/${id}`));
    say("ticket-status", "");
    $("ticket-detail").scrollIntoView({ behavior: "smooth" });
  }

  function showTicket(t) {
    ticket = t;
    $("ticket-detail").hidden = false;
    $("ticket-meta").replaceChildren(`${STATUS[t.status] || t.status} · ${t.topic} · 우선순위 ${t.priority} · ${t.channel} · 마감 ${when(t.due_at)} `,
      t.overdue ? el("span", { class: "badge overdue" }, "기한 초과") : "", t.assignee ? ` · 담당 ${t.assignee}` : "");
    $("ticket-question").textContent = t.question;
    $("ticket-conversation").replaceChildren(...t.conversation.map((turn) =>
      el("div", { class: `turn ${turn.role}` }, el("div", { class: "who" }, WHO[turn.role] || turn.role), el("p", { class: "text" }, turn.text))));
    // the bot's sources are suggestions: nothing is ticked, the answer cites what the expert picks
    $("ticket-sources").replaceChildren(...t.sources.map((s, i) => sourceItem(s, i, "ticket-source", false)));
    if (!t.sources.length) $("ticket-sources").append(el("li", { class: "status" }, "봇이 찾은 출처가 없습니다. 아래에서 검색해 보세요."));
    $("ticket-answer").value = t.answer || t.draft || "";
    $("ticket-draft-note").hidden = Boolean(t.answer || t.draft);
    $("ticket-draft-note").textContent = "봇이 이 질문에 드릴 답을 찾지 못해 초안이 없습니다. 직접 작성해 주세요.";
    attached = [];
    $("kb-results").replaceChildren();
    say("kb-status", "");
    showCited();
    $("claim").hidden = !["open", "reopened"].includes(t.status);
    $("send-answer").disabled = t.status === "closed";
    $("close-ticket").disabled = t.status === "closed";
  }

  function sourceItem(s, i, name, checked) {
    return el("li", {}, el("label", {}, el("input", { type: "checkbox", name, value: i, checked }), " ",
      el("strong", {}, s.title || s.source), s.page ? ` (${s.page}쪽)` : "", " ", el("small", { class: "status" }, s.source || ""),
      s.reason ? el("small", { class: "status" }, ` · ${s.reason}`) : null),
      el("span", { class: "snippet" }, short(s.snippet || "", 240)));
  }

  // -- citations the expert chose: ticked suggestions, then attached passages ----------------
  function chosen() {
    return [...ticked("ticket-source", ticket.sources), ...attached];
  }

  function showCited() {
    const list = ticket ? chosen() : [];
    $("ticket-cited").replaceChildren(...list.map((c) => el("li", { "data-chunk-id": c.chunk_id },
      el("strong", {}, `[${c.n}] ${c.title || c.source}`), " ", el("small", { class: "status" }, c.source || ""),
      attached.includes(c) ? el("button", { type: "button", class: "ghost detach", onclick: () => detach(c) }, "빼기") : null)));
    $("ticket-cited-empty").hidden = list.length > 0;
  }

  function nextNumber() {
    return Math.max(0, ...ticket.sources.map((s) => Number(s.n) || 0), ...attached.map((c) => c.n)) + 1;
  }

  function attach(passage) {
    if (chosen().some((c) => c.chunk_id === passage.chunk_id)) { say("kb-status", "이미 인용한 출처입니다."); return; }
    attached.push({ ...passage, n: nextNumber() });
    say("kb-status", `[${attached[attached.length - 1].n}]로 인용했습니다. 답변에서 이 번호로 가리키세요.`, "ok");
    showCited();
  }

  function detach(passage) {
    attached = attached.filter((c) => c !== passage);
    showCited();
  }

  async function searchKnowledge(event) {
    event.preventDefault();
    const q = $("kb-query").value.trim();
    if (!q) return;
    say("kb-status", "검색 중입니다…");
    try {
      const found = await api(`/v1/staff/search?${new URLSearchParams({ q, k: "8" })}`);
      $("kb-results").replaceChildren(...found.map((p) => el("li", { class: "passage", "data-chunk-id": p.chunk_id },
        el("strong", {}, p.title || p.source), p.page ? ` (${p.page}쪽)` : "", " ", el("small", { class: "status" }, p.source),
        " ", el("button", { type: "button", class: "ghost attach", onclick: () => attach(p) }, "인용 추가"),
        el("span", { class: "snippet" }, short(p.snippet || "", 240)))));
      say("kb-status", found.length ? `${found.length}건 찾았습니다.` : "찾은 자료가 없습니다.");
    } catch (err) { say("kb-status", err.message, "bad"); }
  }

  const ticked = (name, list) => [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => list[Number(box.value)]);

  async function ticketAction(label, path, body) {
    try {
      showTicket(await api(`/v1/staff/tickets/${ticket.id}/${path}`, { method: "POST", body }));
      say("ticket-status", label, "ok");
      loadTickets();
    } catch (err) { say("ticket-status", err.message, "bad"); }
  }

  // -- mentor drafts ---------------------------------------------------------------------
  async function makeDraft(event) {
    event.preventDefault();
    say("draft-status", "초안을 만드는 중입니다…");
    try {
      const draft = await api("/v1/staff/drafts", { method: "POST",
        body: { question: $("draft-question").value, context: $("draft-context").value.trim() || null } });
      const cited = new Set(draft.citations.map((c) => c.source));
      draftSources = draft.suggestions;
      $("draft-answer").value = draft.answer;
      $("draft-sources").replaceChildren(...draftSources.map((s, i) => sourceItem(s, i, "draft-source", cited.has(s.source))));
      $("draft-result").hidden = false;
      say("draft-status", draft.answer ? "" : "관련 자료를 찾지 못했습니다. 직접 작성해 주세요.");
      updateMail();
    } catch (err) { say("draft-status", err.message, "bad"); }
  }

  function draftText() {
    const sources = ticked("draft-source", draftSources);
    const list = sources.map((s) => `[${s.n}] ${s.title}${s.page ? ` (${s.page}쪽)` : ""} - ${s.source}`);
    return $("draft-answer").value.trim() + (list.length ? `\n\n출처\n${list.join("\n")}` : "");
  }

  function updateMail() {
    $("draft-mail").href = `mailto:?subject=${encodeURIComponent("스마트공장 문의 답변")}&body=${encodeURIComponent(draftText())}`;
  }

  // -- knowledge-note review -------------------------------------------------------------
  async function loadNotes() {
    const notes = await api("/v1/staff/notes?status=pending");
    $("note-list").replaceChildren(...notes.map(noteCard));
    $("notes-empty").hidden = notes.length > 0;
  }

  function noteCard(n) {
    const reason = el("input", { placeholder: "반려 사유 (선택)", maxlength: 2000 });
    const status = el("span", { class: "status", role: "status" });
    const card = el("div", { class: "card note-card", "data-note-id": n.id },
      el("p", { class: "status" }, `${n.topic || "주제 없음"} · ${n.expert_name} · ${when(n.created_at)}`),
      el("p", {}, el("strong", {}, "질문: "), n.question), el("p", { class: "text" }, el("strong", {}, "전문가 답변: "), n.answer));
    const decide = async (path, body, done) => {
      try {
        await api(`/v1/staff/notes/${n.id}/${path}`, { method: "POST", body });
        card.replaceChildren(el("p", { class: "status ok" }, done));
      } catch (err) { status.textContent = err.message; status.className = "status bad"; }
    };
    card.append(el("div", { class: "row" },
      el("button", { type: "button", class: "approve", onclick: () => decide("approve", undefined, "승인되어 지식에 반영되었습니다.") }, "승인 (지식 반영)"),
      reason, el("button", { type: "button", class: "ghost reject", onclick: () => decide("reject", { reason: reason.value }, "반려했습니다.") }, "반려"),
      status));
    return card;
  }

  // -- wiring ----------------------------------------------------------------------------
  $("signin").addEventListener("submit", (event) => { event.preventDefault(); token = $("token").value.trim(); say("signin-status", ""); signIn(); });
  $("signout").addEventListener("click", () => signOut());
  for (const tab of document.querySelectorAll("[data-tab]")) tab.addEventListener("click", () => showTab(tab.dataset.tab));
  $("ticket-filters").addEventListener("submit", (event) => { event.preventDefault(); loadTickets(); });
  $("ticket-filters").addEventListener("change", () => loadTickets());
  $("back").addEventListener("click", () => { $("ticket-detail").hidden = true; ticket = null; });
  $("claim").addEventListener("click", () => ticketAction("이 티켓을 맡았습니다.", "claim"));
  $("send-answer").addEventListener("click", () => {
    // a [n] in the text must point at a chosen source, or the owner sees a number with nothing behind it
    const numbers = new Set(chosen().map((c) => Number(c.n)));
    const dangling = [...new Set([...$("ticket-answer").value.matchAll(/\[(\d{1,3})\]/g)].map((m) => Number(m[1])))]
      .filter((n) => !numbers.has(n));
    if (dangling.length) {
      say("ticket-status", `답변의 ${dangling.map((n) => `[${n}]`).join(", ")} 표시에 해당하는 출처를 선택하거나, 표시를 지워 주세요.`, "bad");
      return;
    }
    ticketAction("답변을 보냈습니다. 질문자의 대화에 전달됩니다.", "answer",
      { text: $("ticket-answer").value, citations: chosen().map((c) => ({ n: c.n, chunk_id: c.chunk_id })) });
  });
  $("ticket-sources").addEventListener("change", showCited);
  $("ticket-answer").addEventListener("input", () => { if ($("ticket-status").classList.contains("bad")) say("ticket-status", ""); });
  $("kb-search").addEventListener("submit", searchKnowledge);
  $("close-ticket").addEventListener("click", () => ticketAction("종결했습니다.", "close"));
  $("draft-form").addEventListener("submit", makeDraft);
  $("draft-result").addEventListener("input", updateMail);
  $("draft-result").addEventListener("change", updateMail);
  $("draft-copy").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(draftText()); say("draft-copy-status", "복사했습니다.", "ok"); }
    catch (_) { say("draft-copy-status", "복사하지 못했습니다. 직접 선택해서 복사해 주세요.", "bad"); }
  });
  $("notes-refresh").addEventListener("click", loadNotes);
  if (token) signIn();
  document.body.dataset.ready = "true";
})();
