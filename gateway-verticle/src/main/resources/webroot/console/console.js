/*
 * Souk console: sign up, log in, place orders and watch them settle live through the event-bus bridge.
 * The access token lives in this closure only (never in storage); every placed order carries a fresh Idempotency-Key.
 */
(function () {
  'use strict';

  var state = { token: null, user: null, bus: null, orders: new Map(), cursor: null };
  var $ = function (id) { return document.getElementById(id); };

  // ---- talking to the API ----

  function api(method, path, body, extraHeaders) {
    var headers = Object.assign({ 'Accept': 'application/json' }, extraHeaders || {});
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (state.token) headers['Authorization'] = 'Bearer ' + state.token;
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .catch(function () {
        throw { title: 'The gateway cannot be reached', detail: 'Check that Souk is running, then try again.' };
      })
      .then(function (response) {
        return response.text().then(function (text) {
          var json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          if (response.ok) return json;
          throw problem(response, json);
        });
      });
  }

  // a problem+json answer, made readable: what went wrong, what to do next
  function problem(response, json) {
    var p = { status: response.status, title: (json && json.title) || 'Request failed (' + response.status + ')',
      detail: (json && json.detail) || '', errors: (json && Array.isArray(json.errors)) ? json.errors : [] };
    if (response.status === 429 || response.status === 503) {
      var wait = parseInt(response.headers.get('Retry-After') || '', 10);
      if (!isNaN(wait)) p.detail += (p.detail ? ' ' : '') + 'Try again in ' + wait + ' s.';
    }
    if (response.status === 401 && state.token) {
      p.detail = 'Your session has ended. Log in again.';
      signOut();
    }
    return p;
  }

  function showProblem(p) {
    var box = $('problem');
    box.replaceChildren();
    var title = document.createElement('strong');
    title.textContent = p.title;
    box.append(title);
    if (p.detail) box.append(' ' + p.detail);
    if (p.errors && p.errors.length) {
      var list = document.createElement('ul');
      p.errors.forEach(function (e) {
        var li = document.createElement('li');
        li.textContent = (e.field ? e.field + ': ' : '') + (e.message || '');
        list.append(li);
      });
      box.append(list);
    }
    box.hidden = false;
    box.focus();
  }

  function clearProblem() {
    $('problem').hidden = true;
    $('problem').replaceChildren();
  }

  function announce(text) {
    $('announce').textContent = text;
  }

  // runs a form's action with its button disabled, and shows any problem
  function submitting(form, action) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearProblem();
      var button = form.querySelector('button[type=submit]');
      button.disabled = true;
      Promise.resolve().then(action).catch(showProblem).finally(function () { button.disabled = false; });
    });
  }

  // ---- account ----

  submitting($('signup'), function () {
    var email = $('signup-email').value.trim(), password = $('signup-password').value;
    return api('POST', '/api/v1/users', { name: $('signup-name').value.trim(), email: email, password: password })
      .then(function () { return logIn(email, password); });
  });

  submitting($('login'), function () {
    return logIn($('login-email').value.trim(), $('login-password').value);
  });

  function logIn(email, password) {
    return api('POST', '/api/v1/auth/token', { email: email, password: password })
      .then(function (answer) {
        state.token = answer.accessToken;
        return api('GET', '/api/v1/users/me');
      })
      .then(function (user) {
        state.user = user;
        $('signup').reset();
        $('login').reset();
        $('who').textContent = 'Signed in as ' + user.name + ' (' + user.email + ')';
        $('session').hidden = false;
        $('account').hidden = true;
        $('shop').hidden = false;
        resetItems();
        connectBus();
        return loadOrders(true);
      })
      .then(function () { $('order-title').focus(); });
  }

  function signOut() {
    state.token = null;
    state.user = null;
    state.orders.clear();
    if (state.bus) {
      state.bus.close();
      state.bus = null;
    }
    $('session').hidden = true;
    $('shop').hidden = true;
    $('account').hidden = false;
    $('orders').tBodies[0].replaceChildren();
  }

  $('logout').addEventListener('click', function () {
    clearProblem();
    signOut();
    announce('Signed out.');
  });

  // ---- placing orders ----

  function addItem(sku, quantity, price) {
    var row = $('item-row').content.firstElementChild.cloneNode(true);
    var n = $('items').children.length + 1;
    row.querySelectorAll('input').forEach(function (input) {
      input.id = 'item-' + n + '-' + input.name;
      input.previousElementSibling.htmlFor = input.id;
    });
    row.querySelector('[name=sku]').value = sku || '';
    row.querySelector('[name=quantity]').value = quantity || 1;
    row.querySelector('[name=unitPrice]').value = price || '';
    row.querySelector('.remove').setAttribute('aria-label', 'Remove item ' + n);
    row.querySelector('.remove').addEventListener('click', function () {
      if ($('items').children.length > 1) row.remove();
    });
    $('items').append(row);
  }

  function resetItems() {
    $('items').replaceChildren();
    addItem('TEA-1', 2, 450);
  }

  $('add-item').addEventListener('click', function () {
    addItem();
    $('items').lastElementChild.querySelector('input').focus();
  });

  // a number field's value as typed: a whole number stays a number, anything else goes as text for the API to judge
  function numberOrText(value) {
    return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  }

  submitting($('order'), function () {
    var items = Array.prototype.map.call($('items').children, function (row) {
      return { sku: row.querySelector('[name=sku]').value.trim(),
        quantity: numberOrText(row.querySelector('[name=quantity]').value),
        unitPrice: numberOrText(row.querySelector('[name=unitPrice]').value) };
    });
    var body = { items: items, currency: $('currency').value, paymentMethod: $('payment-method').value };
    return api('POST', '/api/v1/orders', body, { 'Idempotency-Key': crypto.randomUUID() })
      .then(function (order) {
        upsert(order, true);
        announce('Order ' + shortId(order.id) + ' placed; waiting for payment.');
      });
  });

  // ---- the orders table ----

  function loadOrders(fresh) {
    var path = '/api/v1/orders?limit=20' + (fresh || !state.cursor ? '' : '&cursor=' + encodeURIComponent(state.cursor));
    return api('GET', path).then(function (page) {
      if (fresh) {
        state.orders.clear();
        $('orders').tBodies[0].replaceChildren();
      }
      page.items.forEach(function (order) { upsert(order, false); });
      state.cursor = page.nextCursor || null;
      $('more').hidden = !state.cursor;
      $('no-orders').hidden = state.orders.size > 0;
    });
  }

  $('more').addEventListener('click', function () {
    clearProblem();
    loadOrders(false).catch(showProblem);
  });

  function shortId(id) {
    return id.slice(0, 8);
  }

  function money(minor, currency) {
    try {
      var format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency });
      return format.format(minor / Math.pow(10, format.resolvedOptions().maximumFractionDigits));
    } catch (e) {
      return minor + ' ' + currency;
    }
  }

  var STATUS_TEXT = { PENDING: 'Pending', CONFIRMED: 'Confirmed', CANCELLED: 'Cancelled' };
  var REASON_TEXT = { payment_declined: 'payment declined', cancelled_by_user: 'cancelled by you' };
  var PAYMENT_TEXT = { SUCCEEDED: 'Paid', DECLINED: 'Declined', REFUNDED: 'Refunded' };

  // adds or refreshes an order's row; a new order goes on top
  // an order older than the one shown is dropped: a cancellation's answer can arrive after the live update of the
  // refund that followed it, and would show the payment as it was before
  function upsert(order, onTop) {
    var known = state.orders.get(order.id) || {};
    if (known.updatedAt && order.updatedAt && Date.parse(order.updatedAt) < Date.parse(known.updatedAt)) return;
    var merged = Object.assign({}, known, order);
    state.orders.set(order.id, merged);
    var row = document.getElementById('order-' + order.id);
    if (!row) {
      row = document.createElement('tr');
      row.id = 'order-' + order.id;
      var body = $('orders').tBodies[0];
      if (onTop) body.prepend(row); else body.append(row);
    }
    render(row, merged);
    $('no-orders').hidden = true;
  }

  var COLUMNS = ['Order', 'Placed', 'Total', 'Status', 'Payment', ''];

  function cell(row, text, className) {
    var td = document.createElement(row.children.length === 0 ? 'th' : 'td');
    if (row.children.length === 0) td.scope = 'row';
    else if (COLUMNS[row.children.length]) td.dataset.label = COLUMNS[row.children.length];
    if (className) td.className = className;
    td.textContent = text;
    row.append(td);
    return td;
  }

  function render(row, order) {
    row.replaceChildren();
    row.dataset.status = order.status;
    cell(row, shortId(order.id)).title = order.id;
    cell(row, order.createdAt ? new Date(order.createdAt).toLocaleString() : '');
    cell(row, order.total !== undefined ? money(order.total, order.currency) : '');
    var status = STATUS_TEXT[order.status] || order.status;
    if (order.cancellationReason) status += ' (' + (REASON_TEXT[order.cancellationReason] || order.cancellationReason) + ')';
    cell(row, status, 'status status-' + String(order.status).toLowerCase());
    var payment = order.payment ? order.payment.status : order.paymentStatus;
    cell(row, payment ? PAYMENT_TEXT[payment] || payment : '—', 'payment');
    var actions = cell(row, '');
    if (order.status === 'PENDING' || order.status === 'CONFIRMED') {
      var cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.className = 'secondary';
      cancel.textContent = 'Cancel';
      cancel.setAttribute('aria-label', 'Cancel order ' + shortId(order.id));
      cancel.addEventListener('click', function () {
        clearProblem();
        cancel.disabled = true;
        api('POST', '/api/v1/orders/' + order.id + '/cancel')
          .then(function (cancelled) {
            upsert(cancelled, false);
            announce('Order ' + shortId(order.id) + ' cancelled.');
          })
          .catch(function (p) { cancel.disabled = false; showProblem(p); });
      });
      actions.append(cancel);
    }
  }

  // ---- live updates through the bridge ----

  function setLive(text, ok) {
    $('live').textContent = 'Live updates: ' + text;
    $('live').className = 'live ' + (ok ? 'live-on' : 'live-off');
  }

  function connectBus() {
    var bus = new EventBus('/eventbus');
    state.bus = bus;
    bus.enableReconnect(true);
    bus.onopen = function () {
      if (state.bus !== bus || !state.token) return;
      setLive('on', true);
      bus.registerHandler('orders.updates.' + state.user.id, { Authorization: 'Bearer ' + state.token },
        function (err, message) {
          if (err) {
            setLive('refused (' + (err.message || err.failureType || 'error') + ')', false);
            return;
          }
          update(message.body);
        });
    };
    // what changed while the connection was down
    bus.onreconnect = function () {
      if (state.bus === bus && state.token) loadOrders(true).catch(showProblem);
    };
    bus.onclose = function () {
      if (state.bus === bus) setLive('reconnecting…', false);
    };
    bus.onerror = function (err) {
      if (state.bus === bus) setLive('refused (' + ((err && (err.body || err.message)) || 'error') + ')', false);
    };
  }

  function update(change) {
    if (!change || !change.orderId) return;
    var known = state.orders.get(change.orderId);
    if (!known) {
      loadOrders(true).catch(showProblem);
      return;
    }
    var order = { id: change.orderId, status: change.status, updatedAt: change.at };
    if (change.cancellationReason) order.cancellationReason = change.cancellationReason;
    if (change.paymentStatus) order.payment = Object.assign({}, known.payment || {}, { status: change.paymentStatus });
    upsert(order, false);
    var text = STATUS_TEXT[change.status] || change.status;
    if (change.paymentStatus === 'REFUNDED') text += ', payment refunded';
    announce('Order ' + shortId(change.orderId) + ': ' + text + '.');
  }
})();
