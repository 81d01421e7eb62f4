// The overview page polls /ops/api/overview and redraws its tables and charts; other pages need no script.
(function () {
  const root = document.getElementById('overview');
  if (!root) return;
  const refreshMs = Number(root.dataset.refreshMs) || 3000;
  const charts = {};

  function rows(tableId, items) {
    const body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren(...items.map(cells => {
      const tr = document.createElement('tr');
      tr.dataset.key = cells[0];
      cells.forEach(c => { const td = document.createElement('td'); td.textContent = c ?? '–'; tr.appendChild(td); });
      return tr;
    }));
  }

  function keyed(tableId, dict, prefix) {
    rows(tableId, Object.entries(dict || {}).sort());
    document.querySelectorAll('#' + tableId + ' tr').forEach(tr => { tr.id = prefix + tr.dataset.key.toLowerCase(); });
  }

  function chart(id, title, labels, data) {
    if (typeof uPlot === 'undefined') return;
    const el = document.getElementById(id);
    if (!charts[id]) {
      charts[id] = new uPlot({
        title, width: 520, height: 220,
        series: [{}].concat(labels.map((label, i) => ({ label, stroke: ['#2962ff', '#00a86b', '#b00020'][i], width: 2 }))),
      }, data, el);
    } else {
      charts[id].setData(data);
    }
  }

  async function refresh() {
    try {
      const response = await fetch('/ops/api/overview', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (response.redirected || response.status === 401) { location.href = '/ops/login?ReturnUrl=/ops'; return; }
      const { latest, history } = await response.json();
      document.getElementById('sampled-at').textContent = latest.at;
      document.getElementById('unavailable').textContent = latest.unavailable.length ? 'Not available: ' + latest.unavailable.join('; ') : '';
      keyed('orders-by-status', latest.ordersByStatus, 'orders-');
      document.getElementById('due-next-minute').textContent = latest.dueNextMinute ?? '–';
      keyed('refunds-by-state', latest.refundsByState, 'refunds-');
      document.getElementById('oldest-processing').textContent = latest.oldestProcessingRefundSince ?? 'none';
      rows('outboxes', latest.outboxes.map(o => [o.module, o.pending, o.parked, o.oldestAgeSeconds.toFixed(1)]));
      rows('queues', (latest.queues || []).map(q => [q.module, q.ready, q.consumers, q.deadLetters]));
      rows('breakers', latest.breakers.map(b => [b.party, b.state, b.since, b.waiting]));
      document.querySelectorAll('#breakers tr').forEach(tr => tr.children[1].className = 'state-' + tr.children[1].textContent);
      chart('chart-orders', 'Orders', ['paid', 'created'], [history.time, history.paid, history.created]);
      chart('chart-backlog', 'Backlog', ['outbox pending', 'dead letters'], [history.time, history.outboxPending, history.deadLetters]);
    } catch (e) {
      document.getElementById('unavailable').textContent = 'The console could not refresh: ' + e;
    } finally {
      setTimeout(refresh, refreshMs);
    }
  }
  refresh();
})();
