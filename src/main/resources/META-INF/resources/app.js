// parley's chat page: a reference client for POST /v1/chat/stream (README "API", "Stream events").
// No framework and no build step. Everything the model writes reaches the page through textContent and
// createElement, never as HTML, so a reply containing <script> or <img onerror> is shown as text.
'use strict';

(() => {
  const KEY_STORAGE = 'parley.apiKey';

  const el = {
    badge: document.getElementById('upstream-badge'),
    assistant: document.getElementById('assistant'),
    newChat: document.getElementById('new-chat'),
    keyPanel: document.getElementById('key-panel'),
    keyForm: document.getElementById('key-form'),
    apiKey: document.getElementById('api-key'),
    hint: document.getElementById('empty-hint'),
    messages: document.getElementById('messages'),
    status: document.getElementById('status'),
    composer: document.getElementById('composer'),
    message: document.getElementById('message'),
    send: document.getElementById('send'),
    stop: document.getElementById('stop'),
    sessionTotal: document.getElementById('session-total'),
  };

  const state = {
    conversationId: null,
    turn: null,
    session: { replies: 0, tokens: 0, picoUsd: 0n, unpriced: 0 },
  };

  // ---- Human sentences for the API's codes (README "Statuses and error codes")

  const ERROR_TEXT = {
    unauthorized: 'This server needs an API key. Enter yours under "API key" at the top.',
    forbidden: 'Your API key is not allowed to do that.',
    invalid_json: 'The page sent a request the server could not read.',
    invalid_request: 'The server could not accept this message.',
    unknown_assistant: 'That assistant does not exist on this server (any more). Reload the page to see the current ones.',
    max_tokens_out_of_range: 'The requested reply length is outside what this assistant allows.',
    message_too_long: 'Your message is too long for this server. Please shorten it.',
    history_too_long: 'This conversation has grown too long. Start a new chat to go on.',
    conversation_not_found: 'This conversation has expired on the server. The next message starts a new chat.',
    too_many_requests: 'The server is busy with other chats right now. Please try again in a moment.',
    upstream_circuit_open: 'The model service has been failing, so the server is pausing requests to it. Please try again shortly.',
    unsupported_media_type: 'The page sent a request in a format the server does not accept.',
    upstream_rejected: 'The model service refused this request.',
    upstream_auth: 'The model service refused the server\'s credentials. The server\'s operator needs to fix its Anthropic API key.',
    upstream_billing: 'The model service reports a billing problem with the server\'s account.',
    upstream_rate_limited: 'The model service is rate limiting this server. Please try again in a moment.',
    upstream_overloaded: 'The model service is overloaded right now. Please try again in a moment.',
    upstream_error: 'The model service had an internal error. Please try again.',
    upstream_timeout: 'The model service took too long to answer. Please try again.',
    upstream_interrupted: 'The connection to the model service broke off. Please try again.',
    upstream_unavailable: 'The model service could not be reached. Please try again.',
    deadline_exceeded: 'The reply took longer than allowed and was cut off.',
    conversation_conflict: 'The conversation changed elsewhere while this reply was written, so this reply was not saved.',
    server_shutting_down: 'The server is restarting. Please send your message again.',
    turn_not_found: 'The connection broke, and the server no longer has this reply to pick up again. '
      + 'Please send your message again.',
    turn_not_resumable: 'The connection broke, and this reply cannot be picked up where it stopped. '
      + 'Please send your message again.',
    turn_stopped: 'The reply was stopped.',
    internal_error: 'Something went wrong inside the server. Please try again.',
  };

  const RETRY_REASON = {
    upstream_overloaded: 'The model is busy',
    upstream_rate_limited: 'Rate limited',
    upstream_error: 'The model service had an error',
    upstream_timeout: 'The model service was slow to answer',
    upstream_interrupted: 'The connection broke',
    upstream_unavailable: 'The model service could not be reached',
  };

  const STOP_REASON = {
    max_tokens: 'The reply reached its length limit.',
    refusal: 'The model declined to answer.',
    max_rounds: 'Stopped: the most tool rounds one reply may take were reached.',
    max_tool_calls: 'Stopped: the most tool calls one reply may make were reached.',
    max_cost: 'Stopped: the most one reply may cost was reached.',
    tool_call_incomplete: 'The reply ran out of room in the middle of a tool call.',
  };

  function errorSentence(code, status) {
    if (code && ERROR_TEXT[code]) {
      return ERROR_TEXT[code];
    }
    return status ? `The server answered with an error (HTTP ${status}).` : 'Something went wrong.';
  }

  // ---- Small DOM helpers: every piece of text goes in through textContent

  function node(tag, className, text) {
    const element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined && text !== null) {
      element.textContent = text;
    }
    return element;
  }

  function say(text) {
    el.status.textContent = text;
  }

  // The page follows a growing reply until the reader scrolls up, and again once they are back at the end (or send a
  // message). A scroll event does not say who scrolled, and the page's own scroll to the end reaches its listener
  // only after the reply may have grown again (a tool card, a paragraph), so "far from the end" cannot tell the
  // reader's scroll from the page's. The direction can: the page only ever scrolls down, so a scroll that leaves the
  // page higher than it was is the reader's.
  let following = true;
  let lastScrollY = window.scrollY;
  window.addEventListener('scroll', () => {
    const y = window.scrollY;
    if (window.innerHeight + y >= document.documentElement.scrollHeight - 2) {
      following = true;
    } else if (y < lastScrollY) {
      following = false;
    }
    lastScrollY = y;
  }, { passive: true });

  function scrollToEnd() {
    if (following) {
      window.scrollTo(0, document.documentElement.scrollHeight);
    }
  }

  // ---- Money: exact decimals, summed as integers of 10^-12 USD (the ledger's scale)

  const SCALE = 12;

  // The cost fields keep their exact JSON text (JSON.parse source access) rather than a binary float.
  function reviveExact(key, value, context) {
    if (typeof value === 'number' && /Usd$/.test(key) && context && typeof context.source === 'string') {
      return context.source;
    }
    return value;
  }

  // Numbers in a tool's input and result keep their digits on screen (a price of 178.50 stays 178.50, not 178.5):
  // JSON.stringify writes a JSON.rawJSON back exactly as it was read. Without source access, the parsed number.
  function keepNumberText(key, value, context) {
    if (typeof value === 'number' && context && typeof context.source === 'string' && JSON.rawJSON) {
      return JSON.rawJSON(context.source);
    }
    return value;
  }

  function toPico(decimal) {
    const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(String(decimal).trim());
    if (!match) {
      return 0n;
    }
    const digits = (match[2] || '0') + (match[3] || '');
    const shift = SCALE - (match[3] || '').length + Number(match[4] || 0);
    let value = shift >= 0 ? BigInt(digits) * 10n ** BigInt(shift) : BigInt(digits) / 10n ** BigInt(-shift);
    return match[1] === '-' ? -value : value;
  }

  function formatUsd(pico) {
    const whole = pico / 10n ** BigInt(SCALE);
    let fraction = (pico % 10n ** BigInt(SCALE)).toString().padStart(SCALE, '0').replace(/0+$/, '');
    if (fraction.length < 2) {
      fraction = fraction.padEnd(2, '0');
    }
    return `$${whole}.${fraction}`;
  }

  function formatCount(count) {
    return Number(count).toLocaleString('en-US');
  }

  function formatDelay(ms) {
    if (ms < 1000) {
      return `${ms} ms`;
    }
    const seconds = ms / 1000;
    return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
  }

  // ---- Markdown, rendered to DOM nodes (headings, lists, code blocks, quotes, inline code, bold, italic, links)

  const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
  const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
  const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
  const LIST_ITEM = /^( *)([-*+]|\d{1,9}[.)])\s+(.*)$/;
  const QUOTE = /^ {0,3}>\s?(.*)$/;
  const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

  function renderMarkdown(source) {
    const fragment = document.createDocumentFragment();
    renderBlocks(source.split('\n'), fragment);
    return fragment;
  }

  function startsBlock(line) {
    return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || LIST_ITEM.test(line) || QUOTE.test(line);
  }

  function renderBlocks(lines, parent) {
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      let match;
      if (line.trim() === '') {
        i++;
      } else if ((match = FENCE.exec(line))) {
        // An unclosed fence runs to the end, which is what a code block still being streamed looks like.
        const marker = match[1];
        const code = [];
        i++;
        while (i < lines.length && !new RegExp(`^ {0,3}${marker[0]}{${marker.length},}\\s*$`).test(lines[i])) {
          code.push(lines[i]);
          i++;
        }
        i++;
        const pre = node('pre', 'md-code');
        if (match[2]) {
          pre.dataset.lang = match[2];
        }
        pre.append(node('code', null, code.join('\n')));
        parent.append(pre);
      } else if ((match = HEADING.exec(line))) {
        // The page's own headings come first: a reply's "#" is a heading within one message.
        const heading = node(`h${Math.min(match[1].length + 2, 6)}`, `md-h${match[1].length}`);
        renderInline(match[2], heading);
        parent.append(heading);
        i++;
      } else if (RULE.test(line)) {
        parent.append(node('hr'));
        i++;
      } else if (LIST_ITEM.test(line)) {
        i = renderList(lines, i, parent);
      } else if (QUOTE.test(line)) {
        const quoted = [];
        while (i < lines.length && (match = QUOTE.exec(lines[i]))) {
          quoted.push(match[1]);
          i++;
        }
        const quote = node('blockquote');
        renderBlocks(quoted, quote);
        parent.append(quote);
      } else {
        const paragraph = [];
        while (i < lines.length && lines[i].trim() !== '' && (paragraph.length === 0 || !startsBlock(lines[i]))) {
          paragraph.push(lines[i]);
          i++;
        }
        const p = node('p');
        renderInline(paragraph.join('\n').trim(), p);
        parent.append(p);
      }
    }
  }

  function renderList(lines, start, parent) {
    const first = LIST_ITEM.exec(lines[start]);
    const indent = first[1].length;
    const ordered = /\d/.test(first[2]);
    const list = node(ordered ? 'ol' : 'ul');
    if (ordered && parseInt(first[2], 10) !== 1) {
      list.start = parseInt(first[2], 10);
    }
    let i = start;
    while (i < lines.length) {
      const match = LIST_ITEM.exec(lines[i]);
      if (!match || match[1].length !== indent || /\d/.test(match[2]) !== ordered) {
        break;
      }
      // The item's own text, then every following line indented deeper (continuations and nested lists).
      const content = [match[3]];
      i++;
      while (i < lines.length) {
        const next = lines[i];
        if (next.trim() === '') {
          const following = lines.slice(i + 1).find(l => l.trim() !== '');
          if (following !== undefined && following.search(/\S/) > indent) {
            content.push('');
            i++;
            continue;
          }
          break;
        }
        const nested = LIST_ITEM.exec(next);
        if (next.search(/\S/) > indent || (!nested && !startsBlock(next))) {
          content.push(next.replace(new RegExp(`^ {0,${indent + match[2].length + 1}}`), ''));
          i++;
        } else {
          break;
        }
      }
      const item = node('li');
      if (content.some((l, index) => index > 0 && startsBlock(l)) || content.includes('')) {
        renderBlocks(content, item);
      } else {
        renderInline(content.join('\n'), item);
      }
      list.append(item);
      // A blank line between items of the same list keeps the list going.
      if (i < lines.length && lines[i].trim() === '') {
        const after = lines.slice(i).findIndex(l => l.trim() !== '');
        const candidate = after < 0 ? null : LIST_ITEM.exec(lines[i + after]);
        if (candidate && candidate[1].length === indent && /\d/.test(candidate[2]) === ordered) {
          i += after;
        }
      }
    }
    parent.append(list);
    return i;
  }

  function safeHref(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return SAFE_SCHEMES.has(parsed.protocol) ? parsed.href : null;
    } catch {
      return null;
    }
  }

  // Finds the closing delimiter of an emphasis run, not preceded by whitespace.
  function closingRun(text, from, marker) {
    let at = text.indexOf(marker, from);
    while (at !== -1) {
      const before = text[at - 1];
      const after = text[at + marker.length];
      if (before !== ' ' && before !== '\n' && after !== marker[0]
          && !(marker[0] === '_' && after && /\w/.test(after))) {
        return at;
      }
      at = text.indexOf(marker, at + 1);
    }
    return -1;
  }

  function renderInline(text, parent) {
    let buffer = '';
    const flush = () => {
      if (buffer) {
        parent.append(document.createTextNode(buffer));
        buffer = '';
      }
    };
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length && /[\\`*_[\]()#+\-.!<>~|{}]/.test(text[i + 1])) {
        buffer += text[i + 1];
        i += 2;
      } else if (c === '`') {
        let run = 1;
        while (text[i + run] === '`') {
          run++;
        }
        const ticks = '`'.repeat(run);
        let end = text.indexOf(ticks, i + run);
        while (end !== -1 && text[end + run] === '`') {
          end = text.indexOf(ticks, end + run + 1);
        }
        if (end === -1) {
          buffer += ticks;
          i += run;
        } else {
          flush();
          let code = text.slice(i + run, end).replace(/\n/g, ' ');
          if (/^ .*[^ ].* $/.test(code)) {
            code = code.slice(1, -1);
          }
          parent.append(node('code', 'md-inline-code', code));
          i = end + run;
        }
      } else if (c === '[') {
        const link = parseLink(text, i);
        if (!link) {
          buffer += c;
          i++;
          continue;
        }
        flush();
        const href = safeHref(link.url);
        if (href) {
          const a = node('a');
          a.href = href;
          a.target = '_blank';
          a.rel = 'noopener noreferrer';
          renderInline(link.label, a);
          parent.append(a);
        } else {
          // A javascript: (or any other unsafe) link keeps its words but loses its target.
          renderInline(link.label, parent);
        }
        i = link.end;
      } else if ((c === '*' || c === '_') && !(c === '_' && /\w/.test(text[i - 1] || ''))) {
        let run = 1;
        while (text[i + run] === c && run < 3) {
          run++;
        }
        const marker = c.repeat(run);
        const opensWord = text[i + run] && !/\s/.test(text[i + run]);
        const end = opensWord ? closingRun(text, i + run + 1, marker) : -1;
        if (end === -1) {
          buffer += marker;
          i += run;
          continue;
        }
        flush();
        let outer;
        let inner;
        if (run === 3) {
          outer = node('strong');
          inner = node('em');
          outer.append(inner);
        } else {
          outer = node(run === 2 ? 'strong' : 'em');
          inner = outer;
        }
        renderInline(text.slice(i + run, end), inner);
        parent.append(outer);
        i = end + run;
      } else if (c === '\n') {
        flush();
        parent.append(node('br'));
        i++;
      } else if ((c === 'h') && /^https?:\/\//.test(text.slice(i, i + 8)) && !/\w/.test(text[i - 1] || '')) {
        const match = /^https?:\/\/[^\s<>"]*[^\s<>".,:;!?)\]']/.exec(text.slice(i));
        const href = match && safeHref(match[0]);
        if (!href) {
          buffer += c;
          i++;
          continue;
        }
        flush();
        const a = node('a', null, match[0]);
        a.href = href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        parent.append(a);
        i += match[0].length;
      } else {
        buffer += c;
        i++;
      }
    }
    flush();
  }

  function parseLink(text, start) {
    let depth = 0;
    let i = start;
    for (; i < text.length; i++) {
      if (text[i] === '\\') {
        i++;
      } else if (text[i] === '[') {
        depth++;
      } else if (text[i] === ']' && --depth === 0) {
        break;
      }
    }
    if (i >= text.length || text[i + 1] !== '(') {
      return null;
    }
    const label = text.slice(start + 1, i);
    let parens = 0;
    let j = i + 2;
    for (; j < text.length; j++) {
      if (text[j] === '(') {
        parens++;
      } else if (text[j] === ')') {
        if (parens === 0) {
          break;
        }
        parens--;
      } else if (text[j] === '\n') {
        return null;
      }
    }
    if (j >= text.length) {
      return null;
    }
    const target = text.slice(i + 2, j).trim().replace(/\s+"[^"]*"$/, '').replace(/^<(.*)>$/, '$1');
    return { label, url: target, end: j + 1 };
  }

  // ---- One assistant reply on screen: thinking, text and tool cards in arrival order, then notices and a cost line

  class ReplyView {
    constructor(assistantName) {
      this.root = node('article', 'msg msg-assistant');
      this.root.dataset.state = 'streaming';
      this.root.setAttribute('aria-busy', 'true');
      this.root.setAttribute('aria-label', `Reply from ${assistantName}`);
      this.root.append(node('div', 'msg-author', assistantName));
      this.body = node('div', 'reply-body');
      this.root.append(this.body);
      this.notices = node('div', 'reply-notices');
      this.root.append(this.notices);
      this.text = null;
      this.thought = null;
      this.parts = [];
      this.cards = new Map();
      this.renderPending = false;
      this.retryNotice = null;
      this.reconnectNotice = null;
      el.messages.append(this.root);
    }

    // A thinking block is a collapsed <details> of its own, where it occurred in the reply; its chunks share a block
    // number. A block the page may not read (hidden: omitted or redacted) gets a note instead of text.
    thinking(event) {
      this.settleRetry();
      if (!this.thought || this.thought.block !== event.block) {
        const details = node('details', 'thinking');
        details.dataset.block = event.block;
        details.append(node('summary', null, 'Thinking'));
        this.thought = { block: event.block, details, text: null };
        this.text = null;
        this.body.append(details);
      }
      if (typeof event.text === 'string') {
        if (!this.thought.text) {
          this.thought.text = document.createTextNode('');
          const box = node('div', 'thinking-text');
          box.append(this.thought.text);
          this.thought.details.append(box);
        }
        this.thought.text.appendData(event.text);
      } else if (event.hidden) {
        this.thought.details.dataset.hidden = event.hidden;
        this.thought.details.append(node('p', 'thinking-note',
          event.hidden === 'redacted' ? 'Thinking redacted' : 'Thinking hidden'));
      }
      scrollToEnd();
    }

    appendText(piece) {
      this.thought = null;
      if (!this.text) {
        this.text = { raw: '', rendered: null, element: node('div', 'reply-text') };
        this.parts.push(this.text);
        this.body.append(this.text.element);
      }
      this.text.raw += piece;
      this.settleRetry();
      // One render per frame, however many tokens arrived in it.
      if (!this.renderPending) {
        this.renderPending = true;
        requestAnimationFrame(() => this.renderText());
      }
    }

    renderText() {
      this.renderPending = false;
      for (const part of this.parts) {
        if (part.rendered !== part.raw) {
          part.element.replaceChildren(renderMarkdown(part.raw));
          part.rendered = part.raw;
        }
      }
      scrollToEnd();
    }

    toolCall(call) {
      this.text = null;
      this.thought = null;
      this.settleRetry();
      const card = node('section', 'tool-card');
      card.dataset.toolId = call.id;
      card.dataset.state = 'running';
      card.setAttribute('aria-label', `Tool call ${call.name}`);
      const header = node('div', 'tool-head');
      header.append(node('span', 'tool-label', 'Tool'), node('span', 'tool-name', call.name));
      const status = node('span', 'tool-status', 'running…');
      header.append(status);
      card.append(header);
      card.append(node('div', 'tool-section-label', 'Input'));
      card.append(node('pre', 'tool-input', JSON.stringify(call.input ?? {}, null, 2)));
      this.body.append(card);
      this.cards.set(call.id, { card, status });
      scrollToEnd();
    }

    // A call that waits for the user: Approve / Deny on its card. The buttons go quiet once one is chosen (or the
    // call's result came without an answer: it timed out), and the card says what was decided.
    approval(event, answer) {
      let entry = this.cards.get(event.callId);
      if (!entry) {
        this.toolCall({ id: event.callId, name: event.name, input: event.input });
        entry = this.cards.get(event.callId);
      }
      entry.card.dataset.state = 'awaiting';
      entry.status.textContent = 'waiting for your approval';
      const panel = node('div', 'tool-approval');
      panel.setAttribute('role', 'group');
      panel.setAttribute('aria-label', `Approve or deny ${event.name}`);
      const question = node('p', 'tool-approval-question', `Run ${event.name} with this input?`);
      const approve = node('button', 'tool-approve', 'Approve');
      const deny = node('button', 'tool-deny', 'Deny');
      approve.type = 'button';
      deny.type = 'button';
      const outcome = node('p', 'tool-approval-outcome');
      outcome.setAttribute('aria-live', 'polite');
      const decide = async decision => {
        approve.disabled = true;
        deny.disabled = true;
        outcome.textContent = decision === 'approve' ? 'Approving…' : 'Denying…';
        const failure = await answer(decision);
        if (failure) {
          outcome.textContent = failure;
          panel.dataset.decision = 'failed';
        } else {
          outcome.textContent = decision === 'approve' ? 'Approved' : 'Denied';
          panel.dataset.decision = decision;
          entry.status.textContent = decision === 'approve' ? 'approved, running…' : 'denied';
        }
        say(outcome.textContent);
      };
      approve.addEventListener('click', () => decide('approve'));
      deny.addEventListener('click', () => decide('deny'));
      panel.append(question, approve, deny, outcome);
      entry.card.append(panel);
      entry.approval = { panel, approve, deny, outcome };
      say(`${event.name} needs your approval.`);
      scrollToEnd();
    }

    toolResult(result) {
      let entry = this.cards.get(result.id);
      if (!entry) {
        this.toolCall({ id: result.id, name: result.name, input: {} });
        entry = this.cards.get(result.id);
      }
      if (entry.approval && !entry.approval.approve.disabled) {
        // Answered by nobody in time (or elsewhere): the question is over.
        entry.approval.approve.disabled = true;
        entry.approval.deny.disabled = true;
        entry.approval.outcome.textContent = 'Not answered in time';
        entry.approval.panel.dataset.decision = 'none';
      }
      const failed = result.isError;
      entry.card.dataset.state = failed ? 'error' : 'done';
      entry.status.textContent = failed
        ? `failed after ${formatCount(result.durationMs)} ms`
        : `done in ${formatCount(result.durationMs)} ms`;
      entry.card.append(node('div', 'tool-section-label', failed ? 'Error' : 'Result'));
      entry.card.append(node('pre', failed ? 'tool-output tool-error' : 'tool-output',
        prettyJson(failed ? result.error : result.output)));
      scrollToEnd();
    }

    retry(event) {
      this.settleRetry();
      const reason = RETRY_REASON[event.reason] || 'The model service failed';
      this.retryNotice = node('p', 'notice notice-retry',
        `${reason}, retrying in ${formatDelay(event.delayMs)} (attempt ${event.attempt})…`);
      // In the reply's flow, where it happened: whatever comes after the retry comes after the notice.
      this.text = null;
      this.thought = null;
      this.body.append(this.retryNotice);
      say(this.retryNotice.textContent);
      scrollToEnd();
    }

    settleRetry() {
      if (this.retryNotice) {
        this.retryNotice.classList.add('settled');
        this.retryNotice = null;
      }
    }

    // While the page reconnects a broken stream; what the resumed stream brings goes on where the reply stopped.
    reconnecting() {
      if (!this.reconnectNotice) {
        this.reconnectNotice = node('p', 'notice notice-reconnecting', 'Connection lost, reconnecting…');
        this.notices.append(this.reconnectNotice);
        scrollToEnd();
      }
    }

    hideReconnecting() {
      if (this.reconnectNotice) {
        this.reconnectNotice.remove();
        this.reconnectNotice = null;
      }
    }

    finish(stateName) {
      this.hideReconnecting();
      this.renderText();
      this.root.dataset.state = stateName;
      this.root.setAttribute('aria-busy', 'false');
      for (const { card, status } of this.cards.values()) {
        if (card.dataset.state === 'running' || card.dataset.state === 'awaiting') {
          card.dataset.state = 'cancelled';
          status.textContent = 'not finished';
        }
      }
    }

    done(event) {
      this.finish('done');
      const note = STOP_REASON[event.stopReason];
      if (note) {
        this.notices.append(node('p', 'notice', note));
      }
      this.root.append(node('p', 'reply-meta', usageLine(event)));
      scrollToEnd();
    }

    error(message, event) {
      this.finish('error');
      const box = node('p', 'reply-error', message);
      box.setAttribute('role', 'alert');
      this.root.append(box);
      if (event && event.usage && (event.usage.inputTokens || event.usage.outputTokens)) {
        this.root.append(node('p', 'reply-meta', usageLine(event)));
      }
      scrollToEnd();
    }

    stopped() {
      this.finish('stopped');
      this.root.append(node('p', 'notice notice-stopped', 'Stopped. The rest of this reply was not generated.'));
      scrollToEnd();
    }
  }

  function prettyJson(text) {
    if (typeof text !== 'string') {
      return String(text);
    }
    try {
      return JSON.stringify(JSON.parse(text, keepNumberText), null, 2);
    } catch {
      return text;
    }
  }

  function usageLine(event) {
    const usage = event.usage || {};
    const parts = [`${formatCount(usage.inputTokens || 0)} input`, `${formatCount(usage.outputTokens || 0)} output`];
    if (usage.cacheReadInputTokens) {
      parts.push(`${formatCount(usage.cacheReadInputTokens)} cache read`);
    }
    if (usage.cacheCreationInputTokens) {
      parts.push(`${formatCount(usage.cacheCreationInputTokens)} cache write`);
    }
    let line = `${parts.join(' · ')} tokens · `;
    line += event.cost ? formatUsd(toPico(event.cost.totalUsd)) : 'cost unknown (model not priced)';
    if (event.model) {
      line += ` · ${event.model}`;
    }
    if (event.roundCount > 1) {
      line += ` · ${event.roundCount} rounds`;
    }
    if (event.timings && event.timings.totalMs !== undefined) {
      line += ` · ${(event.timings.totalMs / 1000).toFixed(1)} s`;
    }
    return line;
  }

  function addToSession(event, completed) {
    const usage = event.usage || {};
    state.session.tokens += (usage.inputTokens || 0) + (usage.outputTokens || 0)
      + (usage.cacheReadInputTokens || 0) + (usage.cacheCreationInputTokens || 0);
    if (event.cost) {
      state.session.picoUsd += toPico(event.cost.totalUsd);
    } else if (usage.inputTokens || usage.outputTokens) {
      state.session.unpriced++;
    }
    if (completed) {
      state.session.replies++;
    }
    const s = state.session;
    let line = `Session: ${formatCount(s.replies)} ${s.replies === 1 ? 'reply' : 'replies'} · `
      + `${formatCount(s.tokens)} tokens · ${formatUsd(s.picoUsd)}`;
    if (s.unpriced) {
      line += ` (+ ${s.unpriced} not priced)`;
    }
    el.sessionTotal.textContent = line;
  }

  // ---- HTTP

  function headers(extra) {
    const result = { ...extra };
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) {
      result.Authorization = `Bearer ${key}`;
    }
    return result;
  }

  async function problemOf(response) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  function askForKey() {
    el.keyPanel.open = true;
    el.apiKey.focus();
  }

  // What GET /v1/service says the upstream is: parley knows from the upstream's own answers, not from its URL.
  const UPSTREAM_BADGE = {
    simulator: { text: 'simulator', title: 'Replies come from parley\'s Anthropic API simulator, not from Claude' },
    anthropic: { text: 'Claude', title: 'Replies come from the Anthropic API' },
    unknown: {
      text: 'upstream unknown',
      title: 'The server could not ask its model service what it is yet; the page asks again after each reply',
    },
  };

  async function loadService() {
    try {
      const response = await fetch('v1/service', { headers: headers({ Accept: 'application/json' }) });
      if (response.status === 401) {
        say(ERROR_TEXT.unauthorized);
        askForKey();
        return false;
      }
      if (!response.ok) {
        return true;
      }
      const service = await response.json();
      // A value this page does not know yet is shown, and asked again, as unknown.
      const upstream = UPSTREAM_BADGE[service.upstream] ? service.upstream : 'unknown';
      const badge = UPSTREAM_BADGE[upstream];
      el.badge.hidden = false;
      el.badge.dataset.upstream = upstream;
      el.badge.textContent = badge.text;
      el.badge.title = `${badge.title} (parley ${service.version})`;
      return true;
    } catch {
      say('Cannot reach the parley server.');
      return false;
    }
  }

  async function loadAssistants() {
    try {
      const response = await fetch('v1/assistants', { headers: headers({ Accept: 'application/json' }) });
      if (!response.ok) {
        return;
      }
      const assistants = await response.json();
      const previous = el.assistant.value;
      el.assistant.replaceChildren(...assistants.map(profile => {
        const option = node('option', null,
          profile.description ? `${profile.name} — ${profile.description}` : profile.name);
        option.value = profile.name;
        option.title = `${profile.model}${profile.tools.length ? `, tools: ${profile.tools.join(', ')}` : ''}`;
        return option;
      }));
      if (assistants.some(profile => profile.name === previous)) {
        el.assistant.value = previous;
      }
    } catch {
      // The picker keeps "default"; loadService has already said whether the server is reachable.
    }
  }

  async function connect() {
    if (await loadService()) {
      await loadAssistants();
    }
  }

  // ---- SSE over fetch: EventSource cannot POST

  // Reads a stream's events until its body ends. A read that fails (the network broke) ends it the same way, since
  // either way the caller looks for the turn's done or error event; only a Stop (an AbortError) is thrown. Each event
  // comes with its id (null if it has none); a "retry:" line, which a draining server sends before it closes the
  // stream, is handed to onRetry as the milliseconds to wait before resuming.
  async function readEvents(response, onEvent, onComment, onRetry) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (failure) {
        if (failure.name === 'AbortError') {
          throw failure;
        }
        return;
      }
      if (chunk.done) {
        return;
      }
      buffer = (buffer + chunk.value).replace(/\r\n?/g, '\n');
      let boundary;
      while ((boundary = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        let name = 'message';
        let id = null;
        const data = [];
        for (const line of frame.split('\n')) {
          if (line.startsWith(':')) {
            onComment(line.slice(1).trim());
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const fieldValue = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') {
            name = fieldValue;
          } else if (field === 'data') {
            data.push(fieldValue);
          } else if (field === 'id' && /^\d+$/.test(fieldValue)) {
            id = Number(fieldValue);
          } else if (field === 'retry' && /^\d+$/.test(fieldValue)) {
            onRetry(Number(fieldValue));
          }
        }
        if (data.length > 0) {
          // A tool_call's only numbers are those of its input, which the page shows, not computes with.
          onEvent(name, JSON.parse(data.join('\n'), name === 'tool_call' ? keepNumberText : reviveExact), id);
        }
      }
    }
  }

  // ---- A turn

  function appendUserMessage(text) {
    el.hint.hidden = true;
    const article = node('article', 'msg msg-user');
    article.setAttribute('aria-label', 'Your message');
    article.append(node('div', 'msg-author', 'You'), node('div', 'user-text', text));
    el.messages.append(article);
    following = true;
    scrollToEnd();
  }

  function setStreaming(streaming) {
    el.send.disabled = streaming;
    el.stop.disabled = !streaming;
    document.body.classList.toggle('streaming', streaming);
  }

  // A reply whose connection broke is picked up again after 250 ms, then after twice the wait each time up to 2 s, for
  // up to a minute: the server keeps a turn whose client went away for its resume grace (60 s by default).
  const RESUME = { firstDelayMs: 250, maxDelayMs: 2000, windowMs: 60_000 };
  // Answers to a resume that a moment may cure: a draining replica (503), a proxy in front of a restarting one.
  const RESUME_AGAIN = new Set([502, 503, 504]);

  async function send(text) {
    const assistant = el.assistant.value || 'default';
    appendUserMessage(text);
    const reply = new ReplyView(assistant);
    // The turn as the page follows it: its id once the server names it, the id of the last event handled, whether it
    // has ended, and what to wait before resuming it.
    const turn = {
      controller: new AbortController(), id: null, resumable: true, lastEventId: 0, ended: false, retryMs: null,
      outage: null,
    };
    state.turn = turn;
    setStreaming(true);
    say(`${assistant} is replying…`);

    const body = { message: text, assistant, resumable: true };
    if (state.conversationId) {
      body.conversationId = state.conversationId;
    } else {
      body.startConversation = true;
    }
    try {
      let response = await fetch('v1/chat/stream', {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
        body: JSON.stringify(body),
        signal: turn.controller.signal,
      });
      if (!response.ok) {
        const problem = await problemOf(response);
        const code = problem && problem.code;
        let message = errorSentence(code, response.status);
        const retryAfter = response.headers.get('Retry-After');
        if (retryAfter && /^\d+$/.test(retryAfter)) {
          message += ` (Retry after ${retryAfter} s.)`;
        }
        reply.error(message);
        say(message);
        // Nothing was sent on: give the text back, so it can be shortened or sent again.
        if (!el.message.value) {
          el.message.value = text;
        }
        if (response.status === 401) {
          askForKey();
        }
        if (code === 'conversation_not_found') {
          state.conversationId = null;
        }
        turn.ended = true;
        return;
      }
      turn.id = response.headers.get('X-Turn-Id');
      // The POST's stream, then, each time one breaks off before the turn's done or error event, a resumed one.
      while (response) {
        await readEvents(response, (name, event, id) => handleEvent(turn, reply, name, event, id), () => {
          // ": ping" heartbeats only keep the connection open.
        }, retryMs => {
          turn.retryMs = retryMs;
        });
        response = turn.ended ? null : await resume(turn, reply);
      }
    } catch (failure) {
      // "New chat" aborts the reply after taking it off the page: then there is nothing left to report.
      if (!turn.ended && reply.root.isConnected) {
        turn.ended = true;
        if (failure.name === 'AbortError') {
          reply.stopped();
          say('Stopped.');
        } else if (failure instanceof SyntaxError) {
          reply.error('The server sent an event this page could not read.');
          say('The reply could not be read.');
        } else {
          reply.error('Cannot reach the parley server. Check your connection and try again.');
          say('Cannot reach the parley server.');
        }
      }
    } finally {
      if (state.turn === turn) {
        state.turn = null;
        setStreaming(false);
      }
    }
  }

  // One event of the turn, from its first stream or a resumed one. An event whose id is not above the last one
  // handled was shown already (a resumed stream starts after Last-Event-ID, this only makes sure), so it is skipped.
  function handleEvent(turn, reply, name, event, id) {
    if (turn.ended || turn.controller.signal.aborted) {
      return;
    }
    if (id !== null) {
      if (id <= turn.lastEventId) {
        return;
      }
      turn.lastEventId = id;
    }
    switch (name) {
      case 'start':
        turn.id = event.turnId || turn.id;
        turn.resumable = event.resumable === true;
        break;
      case 'thinking':
        reply.thinking(event);
        break;
      case 'text':
        reply.appendText(event.text);
        break;
      case 'tool_call':
        reply.toolCall(event);
        say(`Calling tool ${event.name}…`);
        break;
      case 'tool_approval':
        reply.approval(event, decision => answerApproval(turn, event.callId, decision));
        break;
      case 'tool_result':
        reply.toolResult(event);
        break;
      case 'retry':
        reply.retry(event);
        break;
      case 'done':
        turn.ended = true;
        if (event.conversationId) {
          state.conversationId = event.conversationId;
        }
        reply.done(event);
        addToSession(event, true);
        say('Reply complete.');
        if (el.badge.dataset.upstream === 'unknown') {
          loadService();
        }
        break;
      case 'error': {
        turn.ended = true;
        const error = event.error || {};
        let message = errorSentence(error.code);
        if (error.retryAfterSeconds) {
          message += ` (Retry after ${error.retryAfterSeconds} s.)`;
        }
        reply.error(message, event);
        addToSession(event, false);
        say(message);
        break;
      }
      default:
        // A newer server may send events this page does not know yet; they are safe to ignore.
        break;
    }
  }

  // Picks up a turn whose stream ended before its done or error event, where the page left it: GET
  // v1/chat/turns/{turnId}/stream with the id of the last event handled, tried again after a growing pause while the
  // network or the server is away. Returns the resumed stream, or null once the turn is over (the reply says why).
  // A resumed stream that breaks before it brought anything new goes on with the same outage and its deadline, so a
  // server that answers and hangs up at once cannot keep the page trying forever.
  async function resume(turn, reply) {
    if (!turn.id || !turn.resumable) {
      cutOff(turn, reply);
      return null;
    }
    if (!turn.outage || turn.outage.lastEventId !== turn.lastEventId) {
      turn.outage = {
        lastEventId: turn.lastEventId, giveUpAt: Date.now() + RESUME.windowMs, delayMs: RESUME.firstDelayMs,
      };
    }
    const outage = turn.outage;
    reply.reconnecting();
    say('Connection lost, reconnecting…');
    // A draining server says when to come back ("retry:"); another replica may answer at once.
    let delayMs = turn.retryMs ?? outage.delayMs;
    turn.retryMs = null;
    for (;;) {
      await pause(delayMs, turn.controller.signal);
      let response = null;
      try {
        response = await fetch(`v1/chat/turns/${encodeURIComponent(turn.id)}/stream`, {
          headers: headers({ Accept: 'text/event-stream', 'Last-Event-ID': String(turn.lastEventId) }),
          signal: turn.controller.signal,
        });
      } catch (failure) {
        if (failure.name === 'AbortError') {
          throw failure;
        }
        // Still no connection: another try after the next pause.
      }
      if (response && response.status === 204) {
        // Nothing is left to send, yet the page never saw how the turn ended (else it would not be resuming).
        cutOff(turn, reply);
        return null;
      }
      if (response && response.ok) {
        reply.hideReconnecting();
        say('Reconnected.');
        return response;
      }
      if (response && !RESUME_AGAIN.has(response.status)) {
        const problem = await problemOf(response);
        endWithError(turn, reply, errorSentence(problem && problem.code, response.status));
        if (response.status === 401) {
          askForKey();
        }
        return null;
      }
      outage.delayMs = Math.min(outage.delayMs * 2, RESUME.maxDelayMs);
      const retryAfter = response && response.headers.get('Retry-After');
      delayMs = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : outage.delayMs;
      if (Date.now() + delayMs > outage.giveUpAt) {
        endWithError(turn, reply,
          'The connection to the server broke and could not be restored. Please send your message again.');
        return null;
      }
    }
  }

  function cutOff(turn, reply) {
    turn.ended = true;
    reply.error('The connection closed before the reply was finished. Please try again.');
    say('The reply was cut off.');
  }

  function endWithError(turn, reply, message) {
    turn.ended = true;
    reply.error(message);
    say(message);
  }

  // Waits, unless the turn is stopped first: then it rejects with the AbortError a stopped fetch rejects with.
  function pause(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function stop() {
    const turn = state.turn;
    if (!turn) {
      return;
    }
    // Aborting the fetch ends the page's reading. A resumable turn outlives its connection, so the server is told to
    // stop it, and with it the upstream request. A turn the server has not named yet needs no more: parley cancels
    // a turn whose client left before its first event.
    turn.controller.abort();
    if (turn.id && turn.resumable) {
      stopOnServer(turn.id);
    }
  }

  // POST v1/chat/turns/{turnId}/approvals/{callId}: nothing when the answer reached the turn, else what to show.
  async function answerApproval(turn, callId, decision) {
    try {
      const response = await fetch(
        `v1/chat/turns/${encodeURIComponent(turn.id)}/approvals/${encodeURIComponent(callId)}`, {
          method: 'POST',
          headers: headers({ 'Content-Type': 'application/json', Accept: 'application/json' }),
          body: JSON.stringify({ decision }),
        });
      if (response.ok) {
        return null;
      }
      const problem = await problemOf(response);
      if (problem && problem.code === 'approval_already_given') {
        return 'Already answered';
      }
      if (problem && problem.code === 'turn_not_found') {
        return 'This call no longer waits for an answer';
      }
      return errorSentence(problem && problem.code, response.status);
    } catch {
      return 'Cannot reach the parley server; the answer was not sent.';
    }
  }

  // DELETE v1/chat/turns/{turnId}, tried again as a resume is while the network or the server is away: a turn nobody
  // reads runs on, and is paid for, until its resume grace ends.
  async function stopOnServer(turnId) {
    const giveUpAt = Date.now() + RESUME.windowMs;
    let delayMs = RESUME.firstDelayMs;
    for (;;) {
      try {
        const response = await fetch(`v1/chat/turns/${encodeURIComponent(turnId)}`, {
          method: 'DELETE', headers: headers(), keepalive: true,
        });
        // 204: stopped, or it had ended; 404: there is nothing of this caller's to stop.
        if (!RESUME_AGAIN.has(response.status)) {
          return;
        }
      } catch {
        // Out of reach: another try after a pause.
      }
      if (Date.now() + delayMs > giveUpAt) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, RESUME.maxDelayMs);
    }
  }

  function newChat() {
    stop();
    state.conversationId = null;
    el.messages.replaceChildren();
    el.hint.hidden = false;
    say('New chat started.');
    el.message.focus();
  }

  // ---- Wiring

  el.composer.addEventListener('submit', event => {
    event.preventDefault();
    const text = el.message.value;
    if (!text.trim() || state.turn) {
      return;
    }
    el.message.value = '';
    send(text);
  });

  el.message.addEventListener('keydown', event => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      el.composer.requestSubmit();
    } else if (event.key === 'Escape' && state.turn) {
      stop();
    }
  });

  el.stop.addEventListener('click', stop);
  el.newChat.addEventListener('click', newChat);

  // A server-side conversation belongs to one assistant, so another assistant means another chat.
  el.assistant.addEventListener('change', () => {
    if (state.conversationId || el.messages.childElementCount > 0) {
      newChat();
      say(`New chat with ${el.assistant.value}.`);
    }
  });

  el.keyForm.addEventListener('submit', event => {
    event.preventDefault();
    const key = el.apiKey.value.trim();
    if (key) {
      sessionStorage.setItem(KEY_STORAGE, key);
    } else {
      sessionStorage.removeItem(KEY_STORAGE);
    }
    el.keyPanel.open = false;
    say(key ? 'API key saved for this tab.' : 'API key removed.');
    connect();
  });

  el.apiKey.value = sessionStorage.getItem(KEY_STORAGE) || '';
  connect();
})();
