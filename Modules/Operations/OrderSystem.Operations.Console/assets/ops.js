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
        // Gaps spanned: a latency exists only in samples that had payments.
        series: [{}].concat(labels.map((label, i) => ({ label, stroke: ['#2962ff', '#00a86b', '#b00020'][i], width: 2, spanGaps: true }))),
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
      document.getElementById('orders-counted-at').textContent = latest.ordersCountedAt ?? '–';
      document.getElementById('due-next-minute').textContent = latest.dueNextMinute ?? '–';
      keyed('refunds-by-state', latest.refundsByState, 'refunds-');
      document.getElementById('oldest-processing').textContent = latest.oldestProcessingRefundSince ?? 'none';
      rows('outboxes', latest.outboxes.map(o => [o.module, o.pending, o.parked, o.oldestAgeSeconds.toFixed(1)]));
      rows('flash-sales', (latest.openFlashSales || []).map(f => [f.saleId, f.sku, f.units, f.remaining, f.endsAt]));
      const measured = latest.measured;
      const ms = v => v == null ? '–' : v.toFixed(1);
      document.getElementById('overdue').textContent = latest.overdueSeconds ?? '–';
      document.getElementById('expired').textContent = measured.expired;
      document.getElementById('expiry-delay').textContent = measured.expiryDelayP99Seconds == null ? '–' : measured.expiryDelayP99Seconds.toFixed(2);
      document.getElementById('payments-per-second').textContent = measured.paymentsPerSecond.toFixed(1);
      document.getElementById('payment-p50').textContent = ms(measured.paymentP50Ms);
      document.getElementById('payment-p99').textContent = ms(measured.paymentP99Ms);
      const flow = m => measured.modules.find(f => f.module === m) || { consumedPerSecond: 0, failed: 0 };
      rows('queues', (latest.queues || []).map(q => [q.module, q.ready, q.inFlight, q.consumers, q.deadLetters,
        flow(q.queue).consumedPerSecond.toFixed(1), flow(q.queue).failed]));
      rows('fulfillment-lag', (latest.fulfillmentLag || []).map(f => [f.module, f.step, ms(f.p50Ms), ms(f.p99Ms), f.done, f.pending]));
      const feed = latest.feed;
      document.getElementById('feed-lag').textContent = feed ? feed.lagSeconds.toFixed(1) : '–';
      document.getElementById('feed-sequenced').textContent = feed ? feed.lastSequence : '–';
      document.getElementById('feed-published').textContent = feed ? feed.publishedSequence : '–';
      const calls = p => measured.parties.find(c => c.party === p);
      const clock = at => new Date(at).toLocaleTimeString();
      rows('breakers', latest.breakers.map(b => [b.party, b.state, clock(b.since), b.waiting,
        calls(b.party) ? calls(b.party).callsPerSecond.toFixed(1) : '0.0',
        calls(b.party) && calls(b.party).errorRate != null ? (100 * calls(b.party).errorRate).toFixed(0) + ' %' : '–']));
      document.querySelectorAll('#breakers tr').forEach(tr => tr.children[1].className = 'state-' + tr.children[1].textContent);
      chart('chart-orders', 'Orders', ['paid', 'created'], [history.time, history.paid, history.created]);
      chart('chart-backlog', 'Backlog', ['outbox pending', 'dead letters'], [history.time, history.outboxPending, history.deadLetters]);
      chart('chart-payments', 'Payments per second', ['payments/s'], [history.time, history.paymentsPerSecond]);
      chart('chart-latency', 'Payment latency (ms)', ['p50', 'p99'], [history.time, history.paymentP50Ms, history.paymentP99Ms]);
      chart('chart-lag', 'Lag (s)', ['feed', 'oldest outbox row', 'fulfillment p99'],
        [history.time, history.feedLagSeconds, history.outboxOldestSeconds, history.fulfillmentP99Seconds]);
    } catch (e) {
      document.getElementById('unavailable').textContent = 'The console could not refresh: ' + e;
    } finally {
      setTimeout(refresh, refreshMs);
    }
  }
  refresh();
})();
