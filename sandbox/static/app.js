"use strict";
// The sandbox page: customers' chats, the agents' forum and the inbox, kept live by
// /api/events. Whatever the bot or a customer wrote is untrusted: it only ever reaches
// the page as text nodes, and the bot's formatting is rebuilt from message entities.

const $ = (id) => document.getElementById(id);
const GENERAL = 1;
const SAFE_URL = /^(https?:|tg:|mailto:)/i;
const TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote", text_link: "a", url: "a",
};
const MEDIA = {
  photo: "🖼 Photo", document: "📄", voice: "🎤 Voice message", video: "🎬 Video",
  sticker: "Sticker", contact: "📱 Contact", audio: "🎵 Audio", animation: "GIF",
};
const INBOX_ICONS = { sms: "✉️ SMS", call: "📞 Call", email: "📧 Email" };

let state = null;
let customerId = null;
let topicId = GENERAL;
let shownCustomers = "";
let refreshTimer = null;

// A DOM element; strings among the children become text nodes, never markup.
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node[key] = value;
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

// "error" for what went wrong; "info" for what Telegram would show over the chat.
function toast(text, kind = "error") {
  const box = $("toast");
  box.textContent = text;
  box.className = kind;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

async function post(path, body) {
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  } catch (error) {
    toast(error.message);
    return null;
  }
}

// --- the bot's formatting, from entities (offsets are UTF-16, as JS strings are) --------

function entityNode(entity, covered) {
  const node = document.createElement(TAGS[entity.type] || "span");
  if (entity.type === "spoiler") {
    node.className = "spoiler";
    node.addEventListener("click", () => node.classList.add("shown"));
  } else if (!TAGS[entity.type]) {
    node.className = `entity ${entity.type}`;
  }
  const href = entity.type === "text_link" ? entity.url : entity.type === "url" ? covered : null;
  if (href && SAFE_URL.test(href)) {
    node.href = href;
    node.target = "_blank";
    node.rel = "noopener noreferrer";
  }
  return node;
}

// Sorted outer-first, each entity takes the ones starting inside it as its children.
function fill(parent, text, start, end, entities) {
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const outer = entities[i];
    const outerEnd = Math.min(outer.offset + outer.length, end);
    let j = i + 1;
    while (j < entities.length && entities[j].offset < outerEnd) j += 1;
    if (outer.offset > pos) parent.append(text.slice(pos, outer.offset));
    const node = entityNode(outer, text.slice(outer.offset, outerEnd));
    fill(node, text, Math.max(outer.offset, pos), outerEnd, entities.slice(i + 1, j));
    parent.append(node);
    pos = Math.max(pos, outerEnd);
    i = j;
  }
  if (pos < end) parent.append(text.slice(pos, end));
}

function rich(text, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const root = document.createDocumentFragment();
  fill(root, text, 0, text.length, sorted);
  return root;
}

// --- messages ----------------------------------------------------------------------

function inlineKeyboard(message, actor) {
  const box = el("div", { class: "inline-kb" });
  for (const row of message.reply_markup.inline_keyboard) {
    const line = el("div", { class: "row" });
    for (const button of row) {
      if (button.callback_data !== undefined) {
        const click = () => post("/api/click", {
          user_id: actor(), chat_id: message.chat_id, message_id: message.id,
          callback_data: button.callback_data,
        });
        line.append(el("button", { type: "button", onclick: click }, button.text));
      } else if (button.url && SAFE_URL.test(button.url)) {
        const link = { class: "button", href: button.url, target: "_blank", rel: "noopener" };
        line.append(el("a", link, button.text));
      } else {
        line.append(el("button", { type: "button", disabled: true }, button.text));
      }
    }
    box.append(line);
  }
  return box;
}

function messageNode(message, actor, showSender) {
  // Telegram shows a service message as a centred line, not as somebody's bubble.
  if (message.kind === "service") {
    return el("div", { class: "msg service" }, message.media_note || message.text || "·");
  }
  const fromBot = message.from === "bot";
  const bubble = el("div", { class: `msg ${fromBot ? "bot" : "user"}` });
  if (showSender && !fromBot) bubble.append(el("div", { class: "who" }, message.from_name));
  if (message.kind !== "text") {
    const label = [
      message.album ? "Album:" : null, MEDIA[message.kind] || message.kind, message.media_note,
    ].filter(Boolean);
    bubble.append(el("div", { class: "media" }, label.join(" ")));
  }
  if (message.text) bubble.append(el("div", { class: "text" }, rich(message.text, message.entities)));
  const meta = [clock(message.date), message.edited ? "edited" : null, ...message.reactions];
  bubble.append(el("div", { class: "meta" }, meta.filter(Boolean).join(" · ")));
  if (message.reply_markup?.inline_keyboard) bubble.append(inlineKeyboard(message, actor));
  return bubble;
}

// A list follows the newest message: when one arrives, when it is opened, and when its
// box shrinks (a reply keyboard appearing) while the reader was at the bottom.
const atBottom = (box) => box.scrollHeight - box.scrollTop - box.clientHeight < 60;
const toBottom = (box) => { box.scrollTop = box.scrollHeight; box.dataset.stuck = "1"; };

function followable(box) {
  box.dataset.stuck = "1";
  box.addEventListener("scroll", () => { box.dataset.stuck = atBottom(box) ? "1" : ""; });
  new ResizeObserver(() => { if (box.dataset.stuck) toBottom(box); }).observe(box);
}

function renderList(container, messages, actor, showSender, jump, empty = null) {
  const last = messages.length ? `${messages.length}:${messages.at(-1).id}` : "";
  const grew = last !== container.dataset.last;
  container.dataset.last = last;
  const follow = jump || grew || container.dataset.stuck;
  const nodes = messages.map((m) => messageNode(m, actor, showSender));
  container.replaceChildren(...(nodes.length || !empty ? nodes : [empty]));
  if (follow) toBottom(container);
}

function emptyChat() {
  const start = el("button", {
    type: "button", onclick: () => post("/api/send", { user_id: customerId, text: "/start" }),
  }, "/start");
  return el("div", { class: "empty" }, "No messages yet. Press ", start, " to begin, as in Telegram.");
}

// --- the three columns -------------------------------------------------------------

const currentCustomer = () => state.customers.find((c) => c.id === customerId);
const currentAgent = () => Number($("agent-pick").value);

function renderCustomers() {
  // Rebuilt only when the list changes, so an open picker is not closed under the mouse.
  const signature = JSON.stringify(state.customers.map((c) => c.id));
  if (signature !== shownCustomers) {
    shownCustomers = signature;
    $("customer-pick").replaceChildren(...state.customers.map((c) =>
      el("option", { value: c.id }, `${c.name} (${c.language}) · id ${c.id}`)));
  }
  $("customer-pick").value = String(customerId);
  const customer = currentCustomer();
  const email = customer.email ? `, confirmed email ${customer.email}` : ", no email";
  $("customer-hint").textContent = `Phone in the demo data: ${customer.phone}${email}.`;
}

function renderChat(jump) {
  // The keyboard first: the list then scrolls within the room that is left.
  renderReplyKeyboard();
  const messages = state.messages[customerId] || [];
  renderList($("chat"), messages, () => customerId, false, jump, emptyChat());
}

function renderReplyKeyboard() {
  const rows = state.keyboards[customerId] || [];
  $("reply-kb").replaceChildren(...rows.map((row) => el("div", { class: "row" },
    ...row.map((button) => el("button", {
      type: "button",
      onclick: () => (button.request_contact
        ? post("/api/contact", { user_id: customerId, own: true })
        : post("/api/send", { user_id: customerId, text: button.text })),
    }, button.text)))));
}

function renderForum(jump) {
  $("forum-title").textContent = `Agents' forum: ${state.forum.title}`;
  const topics = state.forum.topics.filter((t) => !t.deleted);
  if (!topics.some((t) => t.id === topicId)) topicId = GENERAL;
  $("topics").replaceChildren(...topics.map((topic) => el("li", {
    class: [topic.id === topicId ? "selected" : "", topic.closed ? "closed" : ""].join(" "),
    title: topic.closed ? "closed" : "",
    onclick: () => { topicId = topic.id; renderForum(true); },
  }, topic.closed ? `🔒 ${topic.name}` : topic.name)));
  const inTopic = (m) => (topicId === GENERAL ? m.thread_id === null : m.thread_id === topicId);
  const messages = (state.messages[state.forum.id] || []).filter(inTopic);
  renderList($("topic"), messages, currentAgent, true, jump);
}

function renderInbox() {
  $("inbox").replaceChildren(...state.inbox.map((item) => el("li", { class: `inbox-item ${item.kind}` },
    el("div", { class: "head" }, `${INBOX_ICONS[item.kind]} → ${item.to}`,
      el("span", {}, clock(item.time))),
    item.subject ? el("div", { class: "subject" }, item.subject) : null,
    item.code ? el("div", {}, "Code: ", el("mark", {
      class: "code",
      title: "Click to put it in the customer's message box",
      onclick: () => { $("chat-input").value = item.code; $("chat-input").focus(); },
    }, item.code)) : null,
    el("div", { class: "body" }, item.text))));
}

function render(jump = false) {
  if (!state) return;
  if (!currentCustomer()) customerId = state.customers[0].id;
  renderCustomers();
  renderChat(jump);
  renderForum(jump);
  renderInbox();
}

async function refresh(jump = false) {
  try {
    const response = await fetch("/api/state");
    state = await response.json();
    render(jump);
  } catch (error) {
    $("status").textContent = "the sandbox is not answering";
  }
}

function scheduleRefresh() {
  // Events come in bursts (a reply, its keyboard, a topic rename): one reload per burst.
  if (refreshTimer === null) {
    refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, 80);
  }
}

// --- input -------------------------------------------------------------------------

function setUp() {
  const agents = $("agent-pick");
  $("chat-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("chat-input");
    if (!input.value.trim()) return;
    if (await post("/api/send", { user_id: customerId, text: input.value })) input.value = "";
  });
  $("photo-btn").addEventListener("click", async () => {
    const input = $("chat-input");
    if (await post("/api/photo", { user_id: customerId, caption: input.value })) input.value = "";
  });
  $("foreign-btn").addEventListener("click", () => post("/api/contact", { user_id: customerId, own: false }));
  $("chat").addEventListener("click", (event) => {
    const command = event.target.closest(".entity.bot_command");
    if (command) post("/api/send", { user_id: customerId, text: command.textContent });
  });
  $("customer-pick").addEventListener("change", (event) => {
    customerId = Number(event.target.value);
    render(true);
  });
  $("add-toggle").addEventListener("click", () => showAddForm($("add-form").hidden));
  for (const button of $("attach").querySelectorAll("button[data-kind]")) {
    button.addEventListener("click", async () => {
      const input = $("chat-input");
      const body = { user_id: customerId, kind: button.dataset.kind, caption: input.value };
      const captioned = ["document", "album"].includes(button.dataset.kind);
      if (await post("/api/media", body) && captioned) input.value = "";
    });
  }
  followable($("chat"));
  followable($("topic"));
  $("add-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const added = await post("/api/customers", { name: $("add-name").value, language: $("add-lang").value });
    if (!added) return;
    customerId = added.id;
    $("add-name").value = "";
    showAddForm(false);
    await refresh(true);
  });
  $("agent-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("agent-input");
    if (!input.value.trim()) return;
    const thread = topicId === GENERAL ? null : topicId;
    const body = { agent_id: currentAgent(), thread_id: thread, text: input.value };
    if (await post("/api/agent", body)) input.value = "";
  });
  return fetch("/api/state").then((r) => r.json()).then((first) => {
    state = first;
    agents.replaceChildren(...state.agents.map((a) => el("option", { value: a.id }, `${a.name} · ${a.role}`)));
    customerId = state.customers[0].id;
    render(true);
  });
}

function showAddForm(shown) {
  $("add-form").hidden = !shown;
  $("add-toggle").setAttribute("aria-expanded", String(shown));
  if (shown) $("add-name").focus();
}

function connect() {
  const events = new EventSource("/api/events");
  events.onopen = () => { $("status").textContent = "live"; scheduleRefresh(); };
  events.onmessage = (message) => {
    // A tap's answer is not in any chat: Telegram shows its text over the chat for a moment.
    const event = JSON.parse(message.data);
    if (event.type === "callback_answer" && event.answer.text) toast(event.answer.text, "info");
    scheduleRefresh();
  };
  // EventSource reconnects by itself; the page only says so.
  events.onerror = () => { $("status").textContent = "reconnecting…"; };
}

setUp().then(connect, (error) => toast(`Cannot load the sandbox state: ${error.message}`));
