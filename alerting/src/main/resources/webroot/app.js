// The clinicians' dashboard: live alert list, acknowledgement and resolution, and a device view
// with the ECG around an event and the heart rate and burden of the last 24 hours.
// Every string from the server reaches the page as text (textContent, text nodes), never as HTML.
'use strict';

(() => {
  const PRIORITIES = ['high', 'medium', 'low', 'technical'];
  const STATES = ['open', 'acknowledged', 'resolved', 'suppressed'];
  const STRIP_MARGIN_MS = 5_000;
  const STRIP_MAX_MS = 60_000;
  // Every open or acknowledged alert is listed (up to the API's most); resolved ones only the latest.
  const ACTIVE_LIMIT = 1000;
  const RESOLVED_LIMIT = 200;
  /** The server's limit on a note, in characters (AlertApi.MAX_NOTE). */
  const NOTE_MAX_CHARS = 2000;
  const RECONNECT_MAX_MS = 30_000;
  const REQUEST_TIMEOUT_MS = 15_000;
  // Abbreviations that stay in capitals when an alert type is turned into words.
  const ABBREVIATIONS = new Set(['AF', 'SVT', 'NSVT', 'PVC', 'SVE', 'VT', 'VF', 'ECG', 'HR', 'AV']);

  const state = {
    user: null,
    // Bumped at every login and logout so answers to an earlier session's requests are dropped.
    generation: 0,
    alerts: new Map(),
    rows: new Map(),
    showResolved: false,
    listRetryTimer: null,
    listRetryDelayMs: 1_000,
    noticeKind: null,
    activeLeftOut: 0,
    resolvedLeftOut: 0,
    loading: false,
    reloadWanted: false,
    buffered: [],
    source: null,
    reconnectDelayMs: 1_000,
    reconnectTimer: null,
    selectedId: null,
    viewSeq: 0,
    detailTimer: null,
    charts: [],
    noticeTimer: null,
  };

  const $ = (id) => document.getElementById(id);

  /** Builds an element; children that are not nodes become text nodes. */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const known = (value, allowed) => (allowed.includes(value) ? value : 'unknown');
  const enc = encodeURIComponent;

  // ---------------------------------------------------------------- formatting

  // Local time on the 24-hour clock, as clinical records write it.
  const clock = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
  const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', ...clock });
  const dayMonthTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', ...clock });
  const timeOnly = new Intl.DateTimeFormat(undefined, clock);
  const hoursMinutes = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

  function isToday(date) {
    const now = new Date();
    return date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth()
      && date.getDate() === now.getDate();
  }

  /** Local time; the date only where it is not today, so the list stays short. */
  function shortTime(ms) {
    if (!Number.isFinite(ms) || ms <= 0) return '—';
    const date = new Date(ms);
    return isToday(date) ? timeOnly.format(date) : dayMonthTime.format(date);
  }

  const fullTime = (ms) => (Number.isFinite(ms) && ms > 0 ? dateTime.format(new Date(ms)) : '—');

  function typeName(type) {
    if (!type) return 'Alert';
    const words = String(type).split(/[_\s]+/).filter(Boolean).map((word) => (
      ABBREVIATIONS.has(word.toUpperCase()) ? word.toUpperCase() : word.toLowerCase()));
    if (words.length === 0) return 'Alert';
    words[0] = words[0].charAt(0).toUpperCase() + words[0].slice(1);
    return words.join(' ');
  }

  const bpm = (value) => (Number.isFinite(value) && value > 0 ? `${Math.round(value)} bpm` : '—');
  const count = (value) => (Number.isFinite(value) && value > 0 ? String(value) : '—');
  const percent = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} %` : '—');

  function escalation(alert) {
    if (!(alert.escalationLevel > 0)) return null;
    return alert.escalatedTo ? `escalated to ${alert.escalatedTo}` : `escalated (level ${alert.escalationLevel})`;
  }

  // ---------------------------------------------------------------- HTTP

  class ApiError extends Error {
    constructor(status, body) {
      super((body && (body.detail || body.error)) || (status === 0 ? 'the server cannot be reached' : `HTTP ${status}`));
      this.status = status;
      this.body = body || {};
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    let text;
    // A request that hangs must fail: a list load that never ends would hold every live change back.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      response = await fetch(path, {
        method, headers, credentials: 'same-origin', cache: 'no-store', signal: abort.signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      text = await response.text();
    } catch (e) {
      throw new ApiError(0, null);
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = null;
      }
    }
    if (response.status === 401 && path !== '/api/login') {
      sessionExpired();
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  // ---------------------------------------------------------------- session

  function showLogin(message, kind = 'error') {
    $('dashboard-view').hidden = true;
    $('session-bar').hidden = true;
    $('login-view').hidden = false;
    const box = $('login-error');
    box.textContent = message || '';
    box.className = `login-message ${kind}`;
    box.hidden = !message;
    ($('username').value ? $('password') : $('username')).focus();
  }

  function startSession(me) {
    state.generation += 1;
    state.user = { username: String(me.username || ''), roles: Array.isArray(me.roles) ? me.roles.map(String) : [] };
    $('user-name').textContent = state.user.roles.length
      ? `${state.user.username} · ${state.user.roles.join(', ')}` : state.user.username;
    $('login-view').hidden = true;
    $('session-bar').hidden = false;
    $('dashboard-view').hidden = false;
    $('login-error').hidden = true;
    state.reconnectDelayMs = 1_000;
    connectLive();
    loadAlerts();
  }

  function endSession(message, kind) {
    // A note being written when the session ends is shown with the login form, not lost unseen.
    const drafts = [...state.rows.values()].map((entry) => {
      const text = draftOf(entry);
      const alert = state.alerts.get(entry.row.dataset.alertId);
      return text && alert ? `${typeName(alert.type)} on ${alert.deviceId}: "${text}"` : null;
    }).filter(Boolean);
    if (drafts.length) message = `${message} Your unsent note${drafts.length > 1 ? 's' : ''}: ${drafts.join('; ')}`;
    state.generation += 1;
    state.user = null;
    disconnectLive();
    clearTimeout(state.detailTimer);
    clearTimeout(state.noticeTimer);
    clearTimeout(state.listRetryTimer);
    state.listRetryDelayMs = 1_000;
    state.alerts.clear();
    state.rows.clear();
    state.buffered = [];
    state.loading = false;
    state.reloadWanted = false;
    $('alert-rows').replaceChildren();
    delete $('alert-rows').dataset.loaded;
    $('notice').hidden = true;
    closeDevice();
    setLive('offline');
    showLogin(message, kind);
  }

  /** Any answer 401 while we thought we were logged in: the session is gone. */
  function sessionExpired() {
    if (!state.user) return;
    endSession('Your session expired. Please log in again.', 'info');
  }

  const isClinician = () => Boolean(state.user && state.user.roles.includes('clinician'));

  async function onLogin(event) {
    event.preventDefault();
    const username = $('username').value.trim();
    const password = $('password').value;
    if (!username || !password) {
      showLogin('Enter your user name and password.');
      return;
    }
    const button = $('login');
    button.disabled = true;
    try {
      const me = await api('POST', '/api/login', { username, password });
      $('password').value = '';
      startSession(me);
    } catch (e) {
      $('password').value = '';
      if (e.status === 401) showLogin('Wrong user name or password.');
      else if (e.status === 429) showLogin('Too many attempts. Wait a minute, then try again.');
      else if (e.status === 0) showLogin('The server cannot be reached. Try again in a moment.');
      else showLogin(`Could not log in: ${e.message}`);
      $('password').focus();
    } finally {
      button.disabled = false;
    }
  }

  async function onLogout() {
    try {
      await api('POST', '/api/logout', {});
    } catch (e) {
      // The session ends here whatever the server said.
    }
    endSession('You are logged out.', 'info');
  }

  // ---------------------------------------------------------------- notices

  /** A notice hides itself after 15 s, unless it is sticky: one that stays true until it is mended. */
  function showNotice(message, sticky = false, kind = null) {
    const box = $('notice');
    state.noticeKind = kind;
    box.replaceChildren(
      el('span', {}, message),
      el('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: () => { box.hidden = true; } }, '×'),
    );
    box.hidden = false;
    clearTimeout(state.noticeTimer);
    if (!sticky) state.noticeTimer = setTimeout(() => { box.hidden = true; }, 15_000);
  }

  // ---------------------------------------------------------------- live feed

  function setLive(kind) {
    const labels = {
      live: 'live', stale: 'list out of date', connecting: 'connecting…', reconnecting: 'reconnecting…',
      offline: 'offline',
    };
    const box = $('live-status');
    box.textContent = labels[kind];
    box.className = `live-status ${kind}`;
    box.title = kind === 'live' ? 'Alerts update live' : 'Live updates paused; the list may be out of date';
  }

  function connectLive() {
    disconnectLive();
    const source = new EventSource('/api/alerts/events');
    state.source = source;
    setLive('connecting');
    source.addEventListener('open', () => {
      if (state.source !== source) return;
      state.reconnectDelayMs = 1_000;
      // Whatever changed while the stream was not connected arrives with a fresh list; the page is
      // live only once that list is in (loadAlerts says so).
      loadAlerts();
    });
    source.addEventListener('alert', (event) => {
      if (state.source !== source) return;
      let alert;
      try {
        alert = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (!alert || typeof alert.alertId !== 'string') return;
      if (state.loading) state.buffered.push(alert);
      else applyAlert(alert);
    });
    source.addEventListener('error', () => {
      if (state.source !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gives up on an answer that is not a stream (a 401 among them): find out why.
        source.close();
        state.source = null;
        setLive('offline');
        scheduleReconnect();
      } else {
        setLive('reconnecting');
      }
    });
  }

  function scheduleListRetry() {
    const generation = state.generation;
    clearTimeout(state.listRetryTimer);
    state.listRetryTimer = setTimeout(() => {
      if (generation === state.generation) loadAlerts();
    }, state.listRetryDelayMs);
    state.listRetryDelayMs = Math.min(RECONNECT_MAX_MS, state.listRetryDelayMs * 2);
  }

  function disconnectLive() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    if (state.source) state.source.close();
    state.source = null;
  }

  function scheduleReconnect() {
    const generation = state.generation;
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(async () => {
      if (generation !== state.generation) return;
      try {
        await api('GET', '/api/me'); // a 401 here ends the session
        if (generation === state.generation) connectLive();
      } catch (e) {
        if (generation === state.generation && e.status !== 401) {
          state.reconnectDelayMs = Math.min(RECONNECT_MAX_MS, state.reconnectDelayMs * 2);
          scheduleReconnect();
        }
      }
    }, state.reconnectDelayMs);
  }

  // ---------------------------------------------------------------- alert list

  function isListed(alert) {
    return alert.state === 'open' || alert.state === 'acknowledged' || (state.showResolved && alert.state === 'resolved');
  }

  function compareAlerts(a, b) {
    const rank = (alert) => {
      const index = PRIORITIES.indexOf(alert.priority);
      return index < 0 ? PRIORITIES.length : index;
    };
    // Within a priority, what nobody has taken yet comes first, newest raised first: a device's
    // clock (onset) may be far off, and an acknowledged alert must not push an open one down.
    const taken = (alert) => (alert.state === 'open' ? 0 : 1);
    return rank(a) - rank(b) || taken(a) - taken(b) || (b.raisedAtMs || 0) - (a.raisedAtMs || 0)
      || (b.onsetTimeMs || 0) - (a.onsetTimeMs || 0) || String(a.alertId).localeCompare(String(b.alertId));
  }

  /** How many alerts a list answer left out for its limit (0 when the server does not say). */
  function leftOut(data) {
    if (!data || typeof data.total !== 'number' || !Array.isArray(data.alerts)) return 0;
    return Math.max(0, data.total - data.alerts.length);
  }

  async function loadAlerts() {
    if (!state.user) return;
    if (state.loading) {
      state.reloadWanted = true;
      return;
    }
    const generation = state.generation;
    state.loading = true;
    state.buffered = [];
    try {
      // Two lists, so that resolved alerts, however many, never push an open one out of the limit;
      // asked for at once, so the page waits for the slower, not for both in turn.
      const [active, resolved] = await Promise.all([
        api('GET', `/api/alerts?state=open,acknowledged&limit=${ACTIVE_LIMIT}`),
        state.showResolved ? api('GET', `/api/alerts?state=resolved&limit=${RESOLVED_LIMIT}`) : null,
      ]);
      if (generation !== state.generation) return;
      const items = (data) => (Array.isArray(data && data.alerts) ? data.alerts : []);
      const alerts = items(active).concat(items(resolved));
      state.activeLeftOut = leftOut(active);
      state.resolvedLeftOut = leftOut(resolved);
      state.alerts = new Map(alerts.filter((a) => a && typeof a.alertId === 'string').map((a) => [a.alertId, a]));
      // Changes that streamed in while the list was on its way may be newer than the list.
      for (const alert of state.buffered) {
        if (!isStale(alert, state.alerts.get(alert.alertId))) state.alerts.set(alert.alertId, alert);
      }
      renderAlerts();
      $('alert-rows').dataset.loaded = 'true';
      clearTimeout(state.listRetryTimer);
      state.listRetryDelayMs = 1_000;
      if (state.source && state.source.readyState === EventSource.OPEN) setLive('live');
      // Only its own warning: a notice the new list brought (a note that was not sent) stays.
      if (state.noticeKind === 'stale') {
        state.noticeKind = null;
        $('notice').hidden = true;
      }
    } catch (e) {
      if (generation === state.generation && e.status !== 401) {
        // Alerts raised meanwhile may be missing: say so until a list is in, and keep trying.
        setLive('stale');
        showNotice(`Could not load the alerts (${e.message}); the list may be out of date. Trying again…`, true,
          'stale');
        scheduleListRetry();
      }
    } finally {
      if (generation === state.generation) {
        state.loading = false;
        state.buffered = [];
        if (state.reloadWanted) {
          state.reloadWanted = false;
          loadAlerts();
        }
      }
    }
  }

  /** True when the server numbered both versions and this one is older than what is shown. */
  function isStale(alert, current) {
    return Boolean(current) && Number.isFinite(alert.version) && Number.isFinite(current.version)
      && alert.version < current.version;
  }

  function applyAlert(alert) {
    if (isStale(alert, state.alerts.get(alert.alertId))) return;
    const { history, ...listed } = alert;
    if (isListed(listed) || listed.alertId === state.selectedId) {
      state.alerts.set(listed.alertId, listed);
      renderAlerts();
    } else {
      state.alerts.delete(listed.alertId);
      renderAlerts(listed); // what its row's form is told
    }
    if (listed.alertId === state.selectedId) refreshDetailsSoon();
  }

  /** What is written in the row's resolve form, trimmed; '' without one. */
  function draftOf(entry) {
    const note = entry.form ? entry.form.querySelector('textarea') : null;
    return note ? note.value.trim() : '';
  }

  /**
   * Removes a resolve form whose alert changed under it (resolved by someone else, ended) or left
   * the list: says so and shows what was written, unless it is this page's own resolve coming back.
   */
  function dropForm(entry, alert) {
    const form = entry.form;
    if (!form) return;
    const submitting = form.dataset.submitting === 'true';
    const text = draftOf(entry);
    form.remove();
    entry.form = null;
    if (submitting) return;
    const now = alert && alert.state && alert.state !== 'open' && alert.state !== 'acknowledged'
      ? `is now ${alert.state}${alert.resolvedBy ? ` (by ${alert.resolvedBy})` : ''}` : 'is no longer listed';
    const about = alert || entry.shown || {};
    showNotice(`${typeName(about.type)} on ${about.deviceId} ${now}, so your note was not sent`
      + `${text ? `. Your note: "${text}"` : ''}.`, Boolean(text), 'draft');
  }

  /** @param departed an alert that just left the list, as it left it; its row's form says so */
  function renderAlerts(departed = null) {
    const tbody = $('alert-rows');
    const listed = [...state.alerts.values()].filter(isListed).sort(compareAlerts);
    const wanted = [];
    const present = new Set();
    for (const alert of listed) {
      let entry = state.rows.get(alert.alertId);
      if (!entry) {
        entry = { row: newRow(alert.alertId), form: null, shown: null };
        state.rows.set(alert.alertId, entry);
      }
      if (entry.shown !== alert) {
        fillRow(entry, alert);
        entry.shown = alert;
      }
      wanted.push(entry.row);
      if (entry.form) wanted.push(entry.form);
      present.add(alert.alertId);
    }
    for (const [id, entry] of state.rows) {
      if (!present.has(id)) {
        entry.row.remove();
        dropForm(entry, departed && departed.alertId === id ? departed : undefined);
        state.rows.delete(id);
      }
    }
    // Move only the rows that are out of place; a moved row loses the focus, so a note being typed
    // (or a button a keyboard user is on) gets it back, with its selection, where it was.
    const focused = tbody.contains(document.activeElement) ? document.activeElement : null;
    const selection = focused && typeof focused.selectionStart === 'number'
      ? [focused.selectionStart, focused.selectionEnd] : null;
    let next = tbody.firstChild;
    for (const node of wanted) {
      if (node === next) next = next.nextSibling;
      else tbody.insertBefore(node, next);
    }
    if (focused && focused.isConnected && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
      if (selection) focused.setSelectionRange(selection[0], selection[1]);
    }
    const open = listed.filter((a) => a.state === 'open').length;
    const parts = [];
    if (listed.length) parts.push(`${listed.length} shown, ${open} unacknowledged`);
    if (state.activeLeftOut) parts.push(`${state.activeLeftOut} more open or acknowledged not listed`);
    if (state.showResolved && state.resolvedLeftOut) parts.push(`${state.resolvedLeftOut} older resolved not listed`);
    $('alert-count').textContent = parts.join('; ');
    $('alerts-empty').hidden = listed.length > 0;
    $('alerts-empty').textContent = state.showResolved ? 'No alerts.' : 'No open or acknowledged alerts.';
  }

  function newRow(alertId) {
    const row = el('tr', {
      class: 'alert-row', tabindex: 0, dataset: { alertId },
      onclick: (event) => {
        if (!event.target.closest('button, input, textarea, a')) openDevice(alertId);
      },
      onkeydown: (event) => {
        if ((event.key === 'Enter' || event.key === ' ') && event.target === row) {
          event.preventDefault();
          openDevice(alertId);
        }
      },
    });
    return row;
  }

  function fillRow(entry, alert) {
    const priority = known(alert.priority, PRIORITIES);
    const alertState = known(alert.state, STATES);
    const urgent = priority === 'high' && alertState === 'open';
    const row = entry.row;
    row.className = `alert-row priority-${priority} state-${alertState}${urgent ? ' urgent' : ''}`
      + (alert.alertId === state.selectedId ? ' selected' : '');

    const actions = el('td', { class: 'actions' });
    // A screen reader reading the buttons alone must hear which alert each acts on.
    const what = `${alert.priority || ''} ${typeName(alert.type)}, ${alert.deviceId}`;
    if (isClinician()) {
      if (alert.state === 'open') {
        actions.append(el('button', {
          type: 'button', class: 'button ack', 'aria-label': `Acknowledge ${what}`,
          onclick: (event) => acknowledge(alert.alertId, event.currentTarget),
        }, 'Acknowledge'));
      }
      if (alert.state === 'open' || alert.state === 'acknowledged') {
        actions.append(el('button', {
          type: 'button', class: 'button secondary resolve', 'aria-expanded': entry.form ? 'true' : 'false',
          'aria-label': `Resolve ${what}`, onclick: () => toggleResolveForm(alert.alertId),
        }, 'Resolve'));
      }
    }
    if (entry.form && alert.state !== 'open' && alert.state !== 'acknowledged') dropForm(entry, alert);

    // Rebuilt while a keyboard user is on one of its buttons (the episode ended, someone else
    // acknowledged): the focus stays on the row's button of the same kind, or on the row.
    const focused = row !== document.activeElement && row.contains(document.activeElement)
      ? document.activeElement : null;
    const focusedKind = focused && focused.classList.contains('ack') ? 'button.ack'
      : focused && focused.classList.contains('resolve') ? 'button.resolve' : null;
    // A silent device's episode is wall-clock time: it ended when data came again, which its
    // resolution time says; its end in device time is where the stream stopped.
    const episode = alert.type === 'DEVICE_SILENT' && alert.endTimeMs > 0
      ? (alert.resolvedAtMs > 0 ? `data resumed ${shortTime(alert.resolvedAtMs)}` : 'data resumed')
      : alert.endTimeMs > 0 ? `ended ${shortTime(alert.endTimeMs)}` : (alert.episode || null);
    row.replaceChildren(
      el('td', { class: 'priority' },
        el('span', { class: `priority-label ${priority}` }, alert.priority || 'unknown'),
        alertState === 'open' ? el('span', { class: `badge unacknowledged${urgent ? ' urgent' : ''}` }, 'unacknowledged') : null),
      el('td', { class: 'device' }, alert.deviceId),
      el('td', { class: 'type', title: alert.type },
        el('div', { class: 'type-name' }, typeName(alert.type)),
        alert.message ? el('div', { class: 'sub' }, alert.message) : null),
      el('td', { class: `alert-state ${alertState}` }, alert.state),
      el('td', { class: 'onset', title: `${fullTime(alert.onsetTimeMs)}${alert.onsetTime ? ` (${alert.onsetTime})` : ''}` },
        el('div', {}, shortTime(alert.onsetTimeMs)),
        episode ? el('div', { class: 'sub' }, episode) : null),
      el('td', { class: 'num hr' }, bpm(alert.heartRateBpm)),
      el('td', { class: 'num beats' }, count(alert.beatCount)),
      el('td', { class: 'escalation', title: alert.escalationLevel > 0 ? `level ${alert.escalationLevel}` : null },
        escalation(alert) || '—'),
      el('td', { class: 'num repeats', title: alert.repeats > 0 ? `${alert.repeats} repeats suppressed` : null },
        count(alert.repeats)),
      actions,
    );
    if (focused && !row.contains(document.activeElement)) {
      (focusedKind && row.querySelector(focusedKind) || row).focus();
    }
  }

  // ---------------------------------------------------------------- acknowledge and resolve

  function actionFailed(error, what) {
    if (error.status === 401) return;
    if (error.status === 409) showNotice(`Could not ${what} the alert: someone else changed it first (${error.message}).`);
    else if (error.status === 403) showNotice(`Your account may not ${what} alerts.`);
    else if (error.status === 503) showNotice(storeRefusal(error));
    else if (error.status === 0) showNotice(`Could not ${what} the alert: the server cannot be reached.`);
    else showNotice(`Could not ${what} the alert: ${error.message}.`);
  }

  /** What a 503 means for the clinician: only some are worth trying again (the error names which). */
  function storeRefusal(error) {
    switch (error.body.error) {
      case 'outcome_unknown':
        return `It is not known whether the change was stored; look at the alert after the service restarts (${error.message}).`;
      case 'fenced':
        return `This alerting server has been replaced by another; nothing changed. Reload the page (${error.message}).`;
      case 'store_broken':
        return `The alerting server cannot store changes until it is restarted; nothing changed. Tell the operator (${error.message}).`;
      case 'busy':
        return `The change was not confirmed in time; look at the alert before trying again (${error.message}).`;
      default:
        return `The change could not be stored, so nothing changed. Try again (${error.message}).`;
    }
  }

  /** Shows the alert as the server has it now: the answer if it is an alert, else a fresh read. */
  async function showChanged(alertId, answer) {
    if (answer && answer.alertId === alertId) {
      applyAlert(answer);
      return;
    }
    try {
      applyAlert(await api('GET', `/api/alerts/${enc(alertId)}`));
    } catch (e) {
      // The live feed brings the change anyway.
    }
  }

  async function acknowledge(alertId, button) {
    const generation = state.generation;
    button.disabled = true;
    try {
      const answer = await api('POST', `/api/alerts/${enc(alertId)}/acknowledge`, {});
      if (generation === state.generation) {
        await showChanged(alertId, answer);
        keepFocusOn(alertId);
      }
    } catch (e) {
      if (generation !== state.generation) return;
      button.disabled = false;
      actionFailed(e, 'acknowledge');
      if (e.status === 409) showChanged(alertId, null);
    }
  }

  /**
   * After an action the button that had the focus is gone: the focus goes to the alert's row, or,
   * when the row left the list, to the first row, so a keyboard user goes on from there.
   */
  function keepFocusOn(alertId) {
    if (document.activeElement && document.activeElement !== document.body) return;
    const entry = state.rows.get(alertId);
    const row = entry ? entry.row : $('alert-rows').querySelector('tr.alert-row');
    if (row) row.focus();
  }

  function toggleResolveForm(alertId) {
    const entry = state.rows.get(alertId);
    if (!entry) return;
    if (entry.form) {
      const focusWasInside = entry.form.contains(document.activeElement);
      entry.form.remove();
      entry.form = null;
      // Cancelled from the keyboard: back to the button that opened the form.
      if (focusWasInside) (entry.row.querySelector('button.resolve') || entry.row).focus();
    } else {
      entry.form = resolveForm(alertId);
      entry.row.after(entry.form);
      entry.form.querySelector('textarea').focus();
    }
    const toggle = entry.row.querySelector('button.resolve');
    if (toggle) toggle.setAttribute('aria-expanded', entry.form ? 'true' : 'false');
  }

  function resolveForm(alertId) {
    const noteId = `note-${Math.random().toString(36).slice(2)}`;
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const note = el('textarea', {
      id: noteId, class: 'resolve-note', rows: 2, required: true,
      placeholder: 'What was done, or why no action is needed',
    });
    const confirm = el('button', { type: 'submit', class: 'button primary resolve-confirm' }, 'Resolve alert');
    const form = el('form', {
      class: 'resolve-form', novalidate: true,
      onkeydown: (event) => {
        // Escape closes an empty form only: a note written is not thrown away by a reflex.
        if (event.key === 'Escape' && !note.value.trim()) {
          event.preventDefault();
          toggleResolveForm(alertId);
        }
      },
    },
      el('label', { for: noteId }, 'Resolution note (required)'),
      note,
      el('div', { class: 'form-buttons' },
        confirm,
        el('button', { type: 'button', class: 'button secondary resolve-cancel', onclick: () => toggleResolveForm(alertId) }, 'Cancel')),
      error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = note.value.trim();
      if (!text) {
        error.textContent = 'Write a note: it is required to resolve an alert.';
        error.hidden = false;
        note.focus();
        return;
      }
      // The server's limit is in characters (code points); a maxlength would count an emoji twice.
      const length = [...text].length;
      if (length > NOTE_MAX_CHARS) {
        error.textContent = `The note has ${length} characters; at most ${NOTE_MAX_CHARS}.`;
        error.hidden = false;
        note.focus();
        return;
      }
      error.hidden = true;
      confirm.disabled = true;
      const row = form.closest('tr');
      if (row) row.dataset.submitting = 'true';
      const generation = state.generation;
      try {
        const answer = await api('POST', `/api/alerts/${enc(alertId)}/resolve`, { note: text });
        if (generation !== state.generation) return;
        const entry = state.rows.get(alertId);
        if (entry && entry.form) {
          entry.form.remove();
          entry.form = null;
        }
        await showChanged(alertId, answer);
        keepFocusOn(alertId);
      } catch (e) {
        if (generation !== state.generation) return;
        confirm.disabled = false;
        if (row) delete row.dataset.submitting;
        if (e.status === 400) {
          error.textContent = `Could not resolve: ${e.message}.`;
          error.hidden = false;
        } else {
          actionFailed(e, 'resolve');
          if (e.status === 409) showChanged(alertId, null);
        }
      }
    });
    return el('tr', { class: 'resolve-row', dataset: { alertId } }, el('td', { colspan: 10 }, form));
  }

  // ---------------------------------------------------------------- device view

  function closeDevice() {
    const opener = state.selectedId ? state.rows.get(state.selectedId) : null;
    const focusWasInside = $('device-view').contains(document.activeElement);
    state.selectedId = null;
    state.viewSeq += 1;
    clearTimeout(state.detailTimer);
    destroyCharts();
    $('device-view').hidden = true;
    for (const entry of state.rows.values()) entry.row.classList.remove('selected');
    // Back to the row it was opened from.
    if (focusWasInside && opener) opener.row.focus();
  }

  function openDevice(alertId) {
    const alert = state.alerts.get(alertId);
    if (!alert) return;
    state.selectedId = alertId;
    const seq = ++state.viewSeq;
    for (const [id, entry] of state.rows) entry.row.classList.toggle('selected', id === alertId);
    destroyCharts();
    const view = $('device-view');
    view.hidden = false;
    view.dataset.alertId = alertId;
    view.dataset.deviceId = alert.deviceId;
    $('device-heading').textContent = `Device ${alert.deviceId} — ${typeName(alert.type)}`;
    renderDetails(alert);
    $('audit-rows').replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'Loading…')));
    setMessage($('ecg-strip'), 'Loading the ECG…');
    $('ecg-caption').textContent = '';
    $('rolling-24h').replaceChildren();
    setMessage($('hr-chart'), 'Loading the history…');
    $('burden-chart').replaceChildren();
    view.scrollIntoView({ block: 'nearest' });
    // Opened from a row far up the list, the view must not need a walk through every button to reach.
    $('device-heading').focus({ preventScroll: true });

    loadDetails(alertId, seq).then((detailed) => loadStrip(detailed || alert, seq));
    loadHistory(alert.deviceId, seq);
  }

  function refreshDetailsSoon() {
    clearTimeout(state.detailTimer);
    const alertId = state.selectedId;
    const seq = state.viewSeq;
    state.detailTimer = setTimeout(() => loadDetails(alertId, seq), 300);
  }

  async function loadDetails(alertId, seq) {
    try {
      const alert = await api('GET', `/api/alerts/${enc(alertId)}`);
      if (seq !== state.viewSeq) return null;
      renderDetails(alert);
      renderAudit(Array.isArray(alert.history) ? alert.history : []);
      return alert;
    } catch (e) {
      if (seq === state.viewSeq && e.status !== 401) {
        $('audit-rows').replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'empty' },
          e.status === 404 ? 'This alert is no longer known.' : `Could not load the history: ${e.message}.`)));
      }
      return null;
    }
  }

  function renderDetails(alert) {
    const rows = [
      ['Priority', alert.priority],
      ['State', alert.state],
      ['Episode', alert.endTimeMs > 0 ? `ended ${fullTime(alert.endTimeMs)}` : alert.episode],
      ['Onset', fullTime(alert.onsetTimeMs)],
      ['Heart rate', bpm(alert.heartRateBpm)],
      ['Beats', count(alert.beatCount)],
      ['Message', alert.message],
      ['Raised', alert.raisedAtMs ? fullTime(alert.raisedAtMs) : null],
      ['Acknowledged', alert.acknowledgedBy ? `by ${alert.acknowledgedBy}, ${fullTime(alert.acknowledgedAtMs)}` : null],
      ['Resolved', alert.resolvedBy ? `by ${alert.resolvedBy}, ${fullTime(alert.resolvedAtMs)}` : null],
      ['Resolution note', alert.resolutionNote],
      ['Escalation', escalation(alert)],
      ['Repeats', alert.repeats > 0 ? String(alert.repeats) : null],
      ['Repeat of', alert.suppressedBy],
      ['Alert id', alert.alertId],
    ];
    $('alert-details').replaceChildren(...rows
      .filter(([, value]) => value != null && value !== '')
      .flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
  }

  function renderAudit(history) {
    const rows = history.slice().sort((a, b) => (a.atMs || 0) - (b.atMs || 0)).map((entry) => el('tr', {},
      el('td', { class: 'nowrap' }, fullTime(entry.atMs)),
      el('td', {}, entry.actor || '—'),
      el('td', {}, entry.action || '—'),
      el('td', { class: 'nowrap' }, entry.from ? `${entry.from} → ${entry.to || '—'}` : (entry.to || '—')),
      el('td', {}, entry.note || '')));
    $('audit-rows').replaceChildren(...(rows.length ? rows
      : [el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No history recorded.'))]));
  }

  /** The evidence with 5 s either side, at most 60 s from its start. */
  function stripRange(alert) {
    const evidence = alert.evidence || {};
    const start = evidence.startTimeMs > 0 ? evidence.startTimeMs : alert.onsetTimeMs;
    const end = evidence.endTimeMs > 0 ? evidence.endTimeMs : (alert.endTimeMs > 0 ? alert.endTimeMs : alert.onsetTimeMs);
    const from = start - STRIP_MARGIN_MS;
    return { from, to: Math.min(Math.max(end, start) + STRIP_MARGIN_MS, from + STRIP_MAX_MS) };
  }

  async function loadStrip(alert, seq) {
    if (seq !== state.viewSeq) return;
    const box = $('ecg-strip');
    if (!(alert.onsetTimeMs > 0) && !(alert.evidence && alert.evidence.startTimeMs > 0)) {
      setMessage(box, 'ECG not available', 'ecg-unavailable');
      return;
    }
    const { from, to } = stripRange(alert);
    try {
      // Where its chunks reached Kafka: the evidence's offset from device time says it (a clock set
      // back leaves older chunks at the same device times); the alert came moments after them.
      const evidence = alert.evidence || {};
      const offset = Number.isInteger(evidence.chunkArrivalOffsetMs)
        ? `&arrivalOffsetMs=${evidence.chunkArrivalOffsetMs}` : '';
      const near = alert.raisedAtMs > 0 ? `&arrivedNear=${alert.raisedAtMs}` : '';
      const strip = await api('GET', `/api/devices/${enc(alert.deviceId)}/strip?from=${from}&to=${to}${near}${offset}`);
      if (seq !== state.viewSeq) return;
      const samples = Array.isArray(strip && strip.samples) ? strip.samples : [];
      if (!samples.length || !(strip.fsHz > 0) || !(strip.gainPerMv > 0)) {
        setMessage(box, 'ECG not available', 'ecg-unavailable');
        return;
      }
      $('ecg-caption').textContent = `lead ${strip.lead || '?'}, ${strip.fsHz} Hz, ${fullTime(strip.startTimeMs)}`;
      plotStrip(box, strip, alert);
    } catch (e) {
      if (seq !== state.viewSeq || e.status === 401) return;
      if (e.status === 404) setMessage(box, 'ECG not available', 'ecg-unavailable');
      else setMessage(box, `Could not load the ECG: ${e.message}.`, 'ecg-unavailable');
    }
  }

  async function loadHistory(deviceId, seq) {
    try {
      const history = await api('GET', `/api/devices/${enc(deviceId)}/history`);
      if (seq === state.viewSeq) renderHistory(history || {});
    } catch (e) {
      if (seq !== state.viewSeq || e.status === 401) return;
      if (e.status === 404) renderHistory({});
      else setMessage($('hr-chart'), `Could not load the history: ${e.message}.`);
    }
  }

  function renderHistory(history) {
    const hours = (Array.isArray(history.hours) ? history.hours : [])
      .filter((hour) => hour && Number.isFinite(hour.startTimeMs))
      .sort((a, b) => a.startTimeMs - b.startTimeMs);
    const rolling = history.rolling24h || null;
    const stats = $('rolling-24h');
    if (rolling) {
      const beats = rolling.beats || {};
      const total = ['N', 'S', 'V', 'F', 'Q'].reduce((sum, key) => sum + (Number(beats[key]) || 0), 0);
      const tile = (label, value, cls) => el('div', { class: `stat ${cls}` },
        el('div', { class: 'stat-value' }, value), el('div', { class: 'stat-label' }, label));
      stats.replaceChildren(
        tile('PVC burden', percent(rolling.pvcBurdenPct), 'pvc'),
        tile('SVE burden', percent(rolling.sveBurdenPct), 'sve'),
        tile('AF burden', percent(rolling.afBurdenPct), 'af'),
        tile('Mean heart rate', bpm(rolling.hrMeanBpm), 'hr-mean'),
        tile('Heart rate range', rolling.hrMinBpm > 0
          ? `${Math.round(rolling.hrMinBpm)}–${Math.round(rolling.hrMaxBpm)} bpm` : '—', 'hr-range'),
        tile('Beats', total > 0 ? total.toLocaleString() : '—', 'beats'),
        el('p', { class: 'caption stat-window' },
          `Rolling 24 h, ${fullTime(rolling.startTimeMs)} to ${fullTime(rolling.endTimeMs)}`),
      );
    } else {
      stats.replaceChildren();
    }
    if (!hours.length) {
      setMessage($('hr-chart'), rolling ? 'No hourly history yet' : 'No history yet', 'no-history');
      $('burden-chart').replaceChildren();
      return;
    }
    const xs = hours.map((hour) => hour.startTimeMs / 1000);
    // The whole last day, so hours without data show as gaps rather than disappear.
    const lastEnd = Math.max(...hours.map((hour) => hour.endTimeMs || hour.startTimeMs + 3_600_000)) / 1000;
    const dayAxis = {
      space: 60,
      incrs: [3_600, 7_200, 10_800, 21_600, 43_200],
      values: (u, splits) => splits.map((v) => hoursMinutes.format(new Date(v * 1000))),
    };
    const dayScale = { x: { time: true, range: () => [lastEnd - 86_400, lastEnd] } };
    const positive = (value) => (Number.isFinite(value) && value > 0 ? value : null);
    const finite = (value) => (Number.isFinite(value) ? value : null);
    plot($('hr-chart'), {
      title: 'Heart rate per hour (bpm)',
      height: 200,
      scales: dayScale,
      series: [
        { label: 'Hour', value: (u, v) => (v == null ? '—' : fullTime(v * 1000)) },
        line('Min', '#2b6cb0', [4, 3]),
        line('Mean', '#1a202c'),
        line('Max', '#c53030', [4, 3]),
      ],
      axes: [dayAxis, { label: 'bpm', size: 50 }],
    }, [xs, hours.map((h) => positive(h.hrMinBpm)), hours.map((h) => positive(h.hrMeanBpm)),
      hours.map((h) => positive(h.hrMaxBpm))]);
    plot($('burden-chart'), {
      title: 'Burden per hour (%)',
      height: 170,
      scales: dayScale,
      series: [
        { label: 'Hour', value: (u, v) => (v == null ? '—' : fullTime(v * 1000)) },
        line('PVC', '#b7791f'),
        line('SVE', '#6b46c1'),
        line('AF', '#2f855a'),
      ],
      axes: [dayAxis, { label: '%', size: 50 }],
    }, [xs, hours.map((h) => finite(h.pvcBurdenPct)), hours.map((h) => finite(h.sveBurdenPct)),
      hours.map((h) => finite(h.afBurdenPct))]);
  }

  // ---------------------------------------------------------------- charts

  function setMessage(box, text, cls) {
    box.replaceChildren(el('p', { class: `chart-message${cls ? ` ${cls}` : ''}` }, text));
  }

  function line(label, stroke, dash) {
    return {
      label, stroke, width: 2, dash, spanGaps: false,
      points: { show: true, size: 5 },
      value: (u, v) => (v == null ? '—' : v.toFixed(1)),
    };
  }

  function destroyCharts() {
    for (const chart of state.charts) chart.plot.destroy();
    state.charts = [];
  }

  function plot(box, options, data) {
    box.replaceChildren();
    if (typeof window.uPlot !== 'function') {
      setMessage(box, 'Charts are not available (uPlot did not load).');
      return;
    }
    const width = Math.max(300, box.clientWidth || 600);
    const chart = new window.uPlot({
      width,
      scales: { x: { time: true } },
      cursor: { drag: { x: true, y: false } },
      ...options,
    }, data, box);
    state.charts.push({ plot: chart, box });
  }

  function plotStrip(box, strip, alert) {
    const step = 1 / strip.fsHz;
    const start = strip.startTimeMs / 1000;
    const xs = new Array(strip.samples.length);
    const ys = new Array(strip.samples.length);
    for (let i = 0; i < strip.samples.length; i += 1) {
      xs[i] = start + i * step;
      ys[i] = strip.samples[i] / strip.gainPerMv;
    }
    const onset = alert.onsetTimeMs / 1000;
    const end = alert.endTimeMs > 0 ? alert.endTimeMs / 1000 : null;
    plot(box, {
      height: 240,
      series: [
        { label: 'Time', value: (u, v) => (v == null ? '—' : `${timeOnly.format(new Date(v * 1000))}.${String(Math.floor((v * 1000) % 1000)).padStart(3, '0')}`) },
        { label: 'ECG (mV)', stroke: '#111', width: 1, points: { show: false }, value: (u, v) => (v == null ? '—' : v.toFixed(2)) },
      ],
      axes: [
        {
          grid: { stroke: '#f3c4c4', width: 1 }, ticks: { stroke: '#f3c4c4' }, space: 70,
          incrs: [1, 2, 5, 10, 15, 30, 60],
          values: (u, splits) => splits.map((v) => timeOnly.format(new Date(v * 1000))),
        },
        { label: 'mV', size: 50, grid: { stroke: '#f3c4c4', width: 1 }, ticks: { stroke: '#f3c4c4' } },
      ],
      hooks: { draw: [(u) => markEpisode(u, onset, end)] },
    }, [xs, ys]);
  }

  /** Shades the episode and marks its onset on the strip. */
  function markEpisode(u, onset, end) {
    const ctx = u.ctx;
    const { top, height, left, width } = u.bbox;
    const x0 = u.valToPos(onset, 'x', true);
    const x1 = end != null ? u.valToPos(end, 'x', true) : left + width;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.fillStyle = 'rgba(197, 48, 48, 0.07)';
    ctx.fillRect(x0, top, Math.max(0, x1 - x0), height);
    ctx.strokeStyle = '#c53030';
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(x0, top);
    ctx.lineTo(x0, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#c53030';
    ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText('onset', x0 + 4 * devicePixelRatio, top + 14 * devicePixelRatio);
    ctx.restore();
  }

  let resizeTimer = null;
  function onResize() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const chart of state.charts) {
        const width = Math.max(300, chart.box.clientWidth);
        chart.plot.setSize({ width, height: chart.plot.height });
      }
    }, 150);
  }

  // ---------------------------------------------------------------- start

  async function boot() {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    $('close-device').addEventListener('click', closeDevice);
    // Escape closes the device view, as its close button does (a resolve form takes it first).
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented && !$('device-view').hidden) closeDevice();
    });
    $('show-resolved').addEventListener('change', (event) => {
      state.showResolved = event.target.checked;
      renderAlerts();
      loadAlerts();
    });
    window.addEventListener('resize', onResize);
    // The browser may restore the box on reload; the list follows what the box shows.
    state.showResolved = $('show-resolved').checked;
    try {
      startSession(await api('GET', '/api/me'));
    } catch (e) {
      showLogin(e.status === 401 ? null : `The server cannot be reached (${e.message}). Reload the page to try again.`);
    }
  }

  boot();
})();
